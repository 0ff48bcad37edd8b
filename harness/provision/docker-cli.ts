import { type ExecOptions, type ExecResult, exec } from './exec.ts';

/** Run the docker CLI (honours DOCKER_HOST and the current docker context). */
export const docker = (args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> =>
  exec('docker', args, opts);

/** Server version when an engine answers within the timeout, else undefined and why. */
export async function engineVersion(timeoutMs = 10_000): Promise<{ version?: string; why: string }> {
  const r = await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs });
  if (r.code === 0 && r.stdout.trim()) return { version: r.stdout.trim(), why: 'answered' };
  if (r.timedOut) return { why: `no answer within ${timeoutMs / 1000}s` };
  const line =
    (r.stderr || r.stdout)
      .trim()
      .split('\n')
      .find((l) => l.trim()) ?? `exit ${r.code}`;
  return { why: line };
}

export async function imageLabel(image: string, label: string): Promise<string | undefined> {
  const r = await docker(['image', 'inspect', '--format', `{{ index .Config.Labels "${label}" }}`, image]);
  if (r.code !== 0) return undefined;
  const v = r.stdout.trim();
  return v === '' || v === '<no value>' ? undefined : v;
}

export async function imageExists(image: string): Promise<boolean> {
  return (await docker(['image', 'inspect', image], { timeoutMs: 15_000 })).code === 0;
}

export async function imageSize(image: string): Promise<number | undefined> {
  const r = await docker(['image', 'inspect', '--format', '{{.Size}}', image]);
  return r.code === 0 ? Number(r.stdout.trim()) : undefined;
}
