import type Docker from 'dockerode';

/**
 * For waitFor's `abandonWhen`: resolves when the container stops (exits, is killed or
 * removed), saying what happened, so a wait on a service inside it gives up at once. The
 * Docker wait request is released when the wait ends (its signal aborts).
 */
export function containerStop(
  container: Docker.Container,
  name = container.id.slice(0, 12),
): (signal: AbortSignal) => Promise<string> {
  return (signal) =>
    new Promise<string>((resolve) => {
      container.wait({ condition: 'not-running', abortSignal: signal }).then(
        (r: { StatusCode?: number }) => resolve(`container ${name} stopped (exit ${r.StatusCode ?? '?'})`),
        (err: unknown) => {
          if (signal.aborted) return; // the wait is over: nothing to report
          resolve(
            `container ${name} is gone (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
          );
        },
      );
    });
}
