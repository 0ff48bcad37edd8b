/**
 * Graceful shutdown judged from the outside: SIGTERM through Docker, the time the container took
 * to exit (Docker's State.FinishedAt), and which events the mock had handed to the service's
 * socket before the signal (its per-connection delivery record).
 */
import { inspect } from '../stack/docker.ts';
import { requireCapability, type StartedStack } from '../stack/types.ts';
import { WaitTimeoutError, waitFor } from '../util/wait.ts';

export interface Exit {
  /** Epoch ms of the signal (taken just before the Docker call). */
  signalledAt: number;
  /** Epoch ms Docker recorded the process exit; NaN when it had not exited by the deadline (then it was SIGKILLed). */
  exitedAt: number;
  exitCode: number;
  /** The container's stop timeout (s): `docker stop` would SIGKILL after it. */
  stopTimeoutS: number;
}

/**
 * Sends SIGTERM to `service` and waits until Docker records its exit after the signal, up to its
 * stop timeout + `graceMs`; a service still running then is SIGKILLed (as `docker stop` would) and
 * its exit reported as NaN. A restart policy may start it again: the exit is read from
 * State.FinishedAt.
 */
export async function sigtermAndWaitExit(
  stack: StartedStack,
  service: string,
  graceMs = 5_000,
): Promise<Exit> {
  requireCapability(stack, 'signal', `sending SIGTERM to ${service}`);
  requireCapability(stack, 'containers', `reading when ${service} exited`);
  const id = stack.containerId(service) as string;
  const before = await inspect(id);
  const stopTimeoutS = (before.Config as { StopTimeout?: number }).StopTimeout ?? 10;
  const signalledAt = Date.now();
  await stack.signal(service, 'SIGTERM');
  const wait = waitFor(
    async () => {
      const s = (await inspect(id)).State;
      const finished = Date.parse(s.FinishedAt ?? '');
      const done = Number.isFinite(finished) && finished >= signalledAt - 5;
      return {
        done,
        value: { signalledAt, exitedAt: finished, exitCode: s.ExitCode ?? -1, stopTimeoutS },
        seen: `running=${s.Running} finishedAt=${s.FinishedAt} restarts=${s.Restarting}`,
      };
    },
    { what: `${service} to exit after SIGTERM`, timeoutMs: stopTimeoutS * 1000 + graceMs, intervalMs: 100 },
  );
  return wait.catch(async (err: unknown) => {
    if (!(err instanceof WaitTimeoutError)) throw err;
    await stack.signal(service, 'SIGKILL').catch(() => undefined);
    return { signalledAt, exitedAt: Number.NaN, exitCode: -1, stopTimeoutS };
  });
}
