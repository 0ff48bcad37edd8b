/**
 * Failure context: when a check fails, the failing services' last log lines (without the access
 * lines of the harness's own health polls) and the mock HA's view of its clients (connections,
 * disconnects, slow-consumer drops, per-connection delivered/dropped) are appended to the error
 * message and kept in the test's meta (`failureLogs`) for the reports, so the report says why.
 */
import type { TestContext } from 'vitest';
import { MockHaControlClient } from '../mock-ha/control-client.ts';
import { activeProfile } from '../profile/index.ts';
import type { StartedStack } from '../stack/types.ts';

/** Health paths the harness polls: the profile's mapped and declared ones, plus the usual ones. */
function polledPaths(): string[] {
  const paths = new Set(['/health', '/ping', '/_mock/health', '/healthz', '/ready', '/live']);
  try {
    const r = activeProfile().roles;
    for (const s of [
      r.ingestion,
      r.influxdb,
      r.metadataStore,
      r.dataGenerator,
      ...r.collectors,
      ...r.aiServices,
    ])
      if (s?.health?.path) paths.add(s.health.path);
    for (const a of r.aiServices) {
      for (const p of a.healthPaths) paths.add(p);
      if (a.readinessPath) paths.add(a.readinessPath);
    }
  } catch {
    // no profile: the usual paths only
  }
  return [...paths];
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A matcher of access-log lines of health polls (`"GET /health HTTP/1.1" 200`, `GET /health 200`,
 * `method=GET path=/health`), for any of `paths`.
 */
export function healthPollMatcher(paths: string[] = polledPaths()): (line: string) => boolean {
  const alt = paths.map(escapeRe).join('|');
  const re = new RegExp(
    `(?:\\b(?:GET|HEAD)\\s+"?(?:${alt})(?:\\?\\S*)?(?=[\\s"]|$))|(?:path=["']?(?:${alt})(?:\\?\\S*)?["']?(?=\\s|$))`,
  );
  return (line) => re.test(line);
}

export interface LogTail {
  service: string;
  text: string;
  /** Health-poll access lines removed from the tail. */
  removed: number;
}

/** The last `lines` log lines of each service, health-poll access lines removed (read from 5x as many). */
export async function collectLogs(
  stack: Pick<StartedStack, 'logs'>,
  services: string[],
  lines = 40,
): Promise<LogTail[]> {
  const isPoll = healthPollMatcher();
  const out: LogTail[] = [];
  for (const service of services) {
    try {
      const all = (await stack.logs(service, lines * 5)).trimEnd().split('\n');
      const kept = all.filter((l) => !isPoll(l));
      out.push({ service, text: kept.slice(-lines).join('\n').trimEnd(), removed: all.length - kept.length });
    } catch (e) {
      out.push({ service, text: `(logs unavailable: ${String(e)})`, removed: 0 });
    }
  }
  return out;
}

export function formatLogs(logs: LogTail[], lines: number): string {
  return logs
    .map(
      (l) =>
        `--- last ${lines} log lines of ${l.service}${l.removed ? ` (${l.removed} health-poll access lines left out)` : ''} ---\n${l.text || '(empty)'}`,
    )
    .join('\n');
}

/** A section of extra context (e.g. the mock HA's view); returns undefined when it has nothing. */
export type ContextSection = () => Promise<string | undefined>;

type ServiceList = string[] | (() => string[]);

/**
 * Register on the running test: on failure, fetch the logs of `services` (or of the service a
 * CheckError names), plus every `sections` entry (default: the mock HA's view when the stack has
 * one), and attach them. Call first thing in a test: `withFailureContext(ctx, stack, [...])`.
 */
export function withFailureContext(
  ctx: TestContext,
  stack: Pick<StartedStack, 'logs'> & Partial<Pick<StartedStack, 'url' | 'tokens'>>,
  services: ServiceList,
  lines = 40,
  sections: ContextSection[] = [() => mockHaView(stack)],
): void {
  ctx.onTestFailed(async (failed) => {
    const errors = failed.task.result?.errors ?? [];
    const named = errors.flatMap((e) =>
      String((e as { service?: unknown }).service ?? '')
        .split(', ')
        .filter(Boolean),
    );
    const list = [...new Set([...(typeof services === 'function' ? services() : services), ...named])];
    const parts: string[] = [];
    if (list.length > 0) parts.push(formatLogs(await collectLogs(stack, list, lines), lines));
    for (const s of sections) {
      const text = await s().catch((e: unknown) => `(context unavailable: ${String(e)})`);
      if (text) parts.push(text);
    }
    if (parts.length === 0) return;
    const text = parts.join('\n');
    const first = errors[0];
    if (first) first.message = `${first.message}\n${text}`;
    // The reports put these lines apart from the message (JUnit <system-out>, a fold in the HTML
    // report) and cut them from it: harness/report/collect.ts reads them from the test's meta.
    (failed.task.meta as { failureLogs?: string }).failureLogs = text;
  });
}

/**
 * The mock HA's view of its websocket clients: each connection's address, auth, subscriptions,
 * events delivered / dropped on that connection, and why it closed. Undefined when the stack has
 * no mock HA the harness can reach.
 */
export async function mockHaView(
  stack: Partial<Pick<StartedStack, 'url' | 'tokens'>>,
): Promise<string | undefined> {
  if (!stack.url || !stack.tokens?.mockHaControl) return undefined;
  const service = activeProfile().roles.mockHa.service;
  const conns = await new MockHaControlClient(stack.url(service), stack.tokens.mockHaControl, {
    service,
  }).connections();
  const lines = conns.map(
    (c) =>
      `#${c.id} ${c.remote_address}:${c.remote_port} auth=${c.authenticated} subs=[${c.subscriptions.map((s) => s.event_type ?? s.kind).join(',')}] delivered=${c.events_delivered} pending=${c.events_pending} dropped=${c.events_dropped}${c.closed ? ` closed: ${c.close_reason}` : ' open'}`,
  );
  const drops = conns.filter((c) => c.close_reason?.startsWith('slow_consumer')).length;
  const closed = conns.filter((c) => c.closed).length;
  return `--- ${service} view of its clients: ${conns.length} connections, ${closed} closed (${drops} slow-consumer drops) ---\n${lines.join('\n') || '(none)'}`;
}
