/**
 * Which Compose v2 binary this machine has (the `docker compose` plugin or the standalone
 * `docker-compose`), and the detached emergency teardown used on Ctrl-C.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { PROJECT_LABEL } from './docker.ts';
import { StackError } from './types.ts';

export interface ComposeCli {
  /** argv prefix, e.g. ['docker', 'compose'] or ['docker-compose']. */
  argv: string[];
  /** The same, in the shape testcontainers' compose client takes. */
  executable: { standalone: true; executablePath: string } | { executablePath: string; options?: string[] };
  version: string;
}

let cached: ComposeCli | undefined;

export function detectCompose(): ComposeCli {
  if (cached) return cached;
  const tries: ComposeCli['argv'][] = [['docker', 'compose'], ['docker-compose']];
  const seen: string[] = [];
  for (const argv of tries) {
    const [cmd, ...args] = argv as [string, ...string[]];
    const r = spawnSync(cmd, [...args, 'version', '--short'], { encoding: 'utf8', timeout: 15_000 });
    const version = (r.stdout ?? '').trim();
    if (r.status === 0 && /^v?2\./.test(version)) {
      cached = {
        argv,
        executable: argv.length === 1 ? { standalone: true, executablePath: cmd } : { executablePath: cmd },
        version,
      };
      return cached;
    }
    seen.push(
      `${argv.join(' ')}: ${r.error?.message ?? (r.stderr || r.stdout || `exit ${r.status}`).trim()}`,
    );
  }
  throw new StackError(
    'STACK_BOOT_FAILED',
    `no Compose v2 found (expected "docker compose" or "docker-compose" >= 2): ${seen.join('; ')}`,
  );
}

/**
 * Fire-and-forget teardown that outlives this process: `compose down -v` for the project, then
 * removal of any container we labelled for it (variants).
 */
export function spawnDetachedDown(
  cli: ComposeCli,
  project: string,
  files: string[],
  profiles: string[],
  cwd: string,
  /** A directory to remove once the project is down (the run's generated config). */
  removeAfter?: string,
): void {
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const fileArgs = files.map((f) => `-f ${q(f)}`).join(' ');
  // Compose ignores containers of inactive profiles on down: name every profile we started.
  const profileArgs = profiles.map((p) => `--profile ${q(p)}`).join(' ');
  const script = [
    `${cli.argv.map(q).join(' ')} -p ${q(project)} ${fileArgs} ${profileArgs} down -v --remove-orphans -t 0 >/dev/null 2>&1`,
    ...[`com.docker.compose.project=${project}`, `${PROJECT_LABEL}=${project}`].map(
      (label) =>
        `ids=$(docker ps -aq --filter label=${q(label)}); [ -n "$ids" ] && docker rm -fv $ids >/dev/null 2>&1`,
    ),
    ...(removeAfter ? [`rm -rf ${q(removeAfter)}`] : []),
    'true',
  ].join('; ');
  const child = spawn('sh', ['-c', script], { cwd, detached: true, stdio: 'ignore' });
  child.unref();
}

/**
 * `compose -p P -f … --profile … config --format json`: the project as Compose resolves it
 * (interpolation, env_file, extends, profiles, multi-document files), parsed as `T`. The caller's
 * COMPOSE_FILE / COMPOSE_PROFILES / COMPOSE_PROJECT_NAME are removed so that only `plan` decides.
 * @throws StackError STACK_BOOT_FAILED with compose's stderr when compose refuses the files.
 */
/**
 * `compose down -v --remove-orphans -t 0` of a project, awaited (the end of a run's shared boot).
 * Resolves to undefined, or to Compose's error output when it failed.
 */
export async function composeDown(
  cli: ComposeCli,
  project: string,
  files: string[],
  cwd: string,
): Promise<string | undefined> {
  const [cmd, ...pre] = cli.argv as [string, ...string[]];
  const args = [
    ...pre,
    '-p',
    project,
    ...files.flatMap((f) => ['-f', f]),
    'down',
    '-v',
    '--remove-orphans',
    '-t',
    '0',
  ];
  return promisify(execFile)(cmd, args, { cwd, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }).then(
    () => undefined,
    (err: { stderr?: string; message?: string }) => (err.stderr || err.message || String(err)).trim(),
  );
}

export async function composeConfig<T>(
  cli: ComposeCli,
  plan: { project: string; files: string[]; profiles: string[]; environment: Record<string, string> },
  cwd: string,
): Promise<T> {
  const [cmd, ...pre] = cli.argv as [string, ...string[]];
  const args = [
    ...pre,
    '-p',
    plan.project,
    ...plan.files.flatMap((f) => ['-f', f]),
    ...plan.profiles.flatMap((p) => ['--profile', p]),
    'config',
    '--format',
    'json',
  ];
  const env: Record<string, string | undefined> = { ...process.env, ...plan.environment };
  for (const k of ['COMPOSE_FILE', 'COMPOSE_PROFILES', 'COMPOSE_PROJECT_NAME']) delete env[k];
  try {
    const { stdout } = await promisify(execFile)(cmd, args, {
      cwd,
      env,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 60_000,
    });
    return JSON.parse(stdout) as T;
  } catch (err) {
    const e = err as { stderr?: string; message?: string };
    throw new StackError(
      'STACK_BOOT_FAILED',
      `${cli.argv.join(' ')} config of ${plan.files.join(', ')} (profiles ${plan.profiles.join(',') || 'none'}) failed: ${(e.stderr || e.message || String(err)).trim()}`,
    );
  }
}
