/**
 * Which Compose v2 binary this machine has (the `docker compose` plugin or the standalone
 * `docker-compose`), and the detached emergency teardown used on Ctrl-C.
 */
import { spawn, spawnSync } from 'node:child_process';
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
