/**
 * Failure context: when a check fails, the failing services' last log lines are appended to the
 * error message (the console shows them) and kept in the test's meta (`failureLogs`), so the
 * reports show them apart from the message (JUnit <system-out>, a fold in report.html).
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
    // The reports put these lines apart from the message (JUnit <system-out>, a fold in the HTML
    // report) and cut them from it: harness/report/collect.ts reads them from the test's meta.
    (failed.task.meta as { failureLogs?: string }).failureLogs = text;
  });
}
