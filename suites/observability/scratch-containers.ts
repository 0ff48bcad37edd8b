/**
 * Throwaway containers from the base image for the observability suites. Labelled with the
 * run's owner (harness/docker/identity.ts) and removed by `remove()` / `await using`.
 */
import Docker from 'dockerode';
import pins from '../../harness/config/pins.json' with { type: 'json' };
import { ownerLabels } from '../../harness/docker/identity.ts';

export const BASE_IMAGE = pins.baseImage.tag;
export const docker = new Docker();

export interface ScratchContainer {
  id: string;
  name: string;
  /** IPv4 address on `network` (or the default bridge). */
  ip: string;
  /** Runs a command inside and resolves with its exit code and output. */
  exec(cmd: string[], opts?: { detach?: boolean }): Promise<{ exitCode: number | null; output: string }>;
  remove(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startScratchContainer(opts: {
  name: string;
  cmd?: string[];
  memoryBytes?: number;
  network?: string;
  /** Default: the pinned base image. */
  image?: string;
  env?: Record<string, string>;
  /** Network alias (e.g. the compose service name). */
  alias?: string;
}): Promise<ScratchContainer> {
  const network = opts.network ?? 'bridge';
  const container = await docker.createContainer({
    Image: opts.image ?? BASE_IMAGE,
    Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
    NetworkingConfig: opts.alias ? { EndpointsConfig: { [network]: { Aliases: [opts.alias] } } } : undefined,
    name: `homeiq-obs-${opts.name}-${process.pid}`,
    Cmd: opts.cmd ?? ['sleep', 'infinity'],
    Labels: { ...ownerLabels(), 'com.homeiq.service': opts.name },
    HostConfig: {
      Memory: opts.memoryBytes,
      MemorySwap: opts.memoryBytes, // no swap: the limit is the limit
      NetworkMode: network,
      AutoRemove: false,
    },
  });
  const remove = () => container.remove({ force: true }).catch(() => undefined);
  try {
    await container.start();
    const info = await container.inspect();
    const nets = info.NetworkSettings.Networks;
    const ip = nets[network]?.IPAddress ?? Object.values(nets)[0]?.IPAddress ?? '';
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      ip,
      exec: async (cmd, execOpts = {}) => {
        const exec = await container.exec({
          Cmd: cmd,
          AttachStdout: !execOpts.detach,
          AttachStderr: !execOpts.detach,
        });
        if (execOpts.detach) {
          await exec.start({ Detach: true });
          return { exitCode: null, output: '' };
        }
        const stream = await exec.start({ hijack: true, stdin: false, Tty: true });
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        await new Promise((resolve) => stream.on('end', resolve));
        const { ExitCode } = await exec.inspect();
        return { exitCode: ExitCode, output: Buffer.concat(chunks).toString('latin1') };
      },
      remove: async () => {
        await remove();
      },
      [Symbol.asyncDispose]: async () => {
        await remove();
      },
    };
  } catch (err) {
    await remove();
    throw err;
  }
}
