import { docker } from './docker-cli.ts';

/**
 * Does a container registry answer? Probed once per process by pulling the image actually
 * needed, with a short deadline (an offline daemon retries DNS for ~35 s before failing).
 * HOMEIQ_REGISTRY=off skips the probe; =on insists on pulling.
 */
let verdict: boolean | undefined;

export async function tryPull(image: string, timeoutMs = 12_000): Promise<{ pulled: boolean; why: string }> {
  const mode = process.env.HOMEIQ_REGISTRY ?? 'auto';
  if (mode === 'off') return { pulled: false, why: 'HOMEIQ_REGISTRY=off' };
  if (verdict === false && mode !== 'on')
    return { pulled: false, why: 'no registry answered earlier in this run' };
  const r = await docker(['pull', '--quiet', image], { timeoutMs });
  if (r.code === 0) {
    verdict = true;
    return { pulled: true, why: `pulled ${image}` };
  }
  verdict = false;
  const why = r.timedOut
    ? `no registry answered within ${timeoutMs / 1000}s`
    : (r.stderr.trim().split('\n').pop() ?? 'pull failed');
  return { pulled: false, why };
}
