import { engineVersion } from '../provision/docker-cli.ts';

export interface EngineCheck {
  ok: boolean;
  /** One line, for humans: what was found, or what is wrong and how to fix it. */
  line: string;
}

const where = () => process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';

/** Is a Docker engine reachable? Bounded: answers within timeoutMs whatever the engine does. */
export async function checkDockerEngine(timeoutMs = 10_000): Promise<EngineCheck> {
  const v = await engineVersion(timeoutMs);
  if (v.version) return { ok: true, line: `Docker engine ${v.version} at ${where()}` };
  return {
    ok: false,
    line: `Docker engine unreachable at ${where()} (${v.why}): start it (run 'npm run setup', which starts one on Debian as root, or start Docker Desktop / 'sudo systemctl start docker') and run the tests again`,
  };
}
