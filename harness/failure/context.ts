/**
 * Failure context: when a check fails, the failing services' last log lines are attached to
 * the test (vitest annotation) and appended to the error message, so the report says why.
 */
import type { TestContext } from 'vitest';
import type { StartedStack } from '../stack/types.ts';

export async function collectLogs(
  stack: Pick<StartedStack, 'logs'>,
  services: string[],
  lines = 40,
): Promise<{ service: string; text: string }[]> {
  const out: { service: string; text: string }[] = [];
  for (const service of services) {
    const text = await stack.logs(service, lines).catch((e: unknown) => `(logs unavailable: ${String(e)})`);
    out.push({ service, text: text.trimEnd() });
  }
  return out;
}

export function formatLogs(logs: { service: string; text: string }[], lines: number): string {
  return logs
    .map((l) => `--- last ${lines} log lines of ${l.service} ---\n${l.text || '(empty)'}`)
    .join('\n');
}

type ServiceList = string[] | (() => string[]);

/**
 * Register on the running test: on failure, fetch the logs of `services` (or of the service a
 * CheckError names) and attach them. Call first thing in a test: `withFailureContext(ctx, stack, [...])`.
 */
export function withFailureContext(
  ctx: TestContext,
  stack: Pick<StartedStack, 'logs'>,
  services: ServiceList,
  lines = 40,
): void {
  ctx.onTestFailed(async (failed) => {
    const errors = failed.task.result?.errors ?? [];
    const named = errors.flatMap((e) =>
      String((e as { service?: unknown }).service ?? '')
        .split(', ')
        .filter(Boolean),
    );
    const list = [...new Set([...(typeof services === 'function' ? services() : services), ...named])];
    if (list.length === 0) return;
    const text = formatLogs(await collectLogs(stack, list, lines), lines);
    const first = errors[0];
    if (first) first.message = `${first.message}\n${text}`;
    try {
      await failed.annotate(`last ${lines} log lines of ${list.join(', ')}`, 'logs', {
        body: text,
        contentType: 'text/plain',
        bodyEncoding: 'utf-8',
      });
    } catch {
      // annotations are a bonus: the message already carries the lines
    }
  });
}
