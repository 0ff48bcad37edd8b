/**
 * The one client of the mock HA's control API (../README.md, "Control API"), with the server's
 * own types: scenarios, run reports, ledgers, connections and their delivery records. Used by
 * suites, verifiers and the mock's tests alike. Every wait has a deadline and says what it saw
 * last; every refusal names the method, path, status and body.
 *
 * Calls that make the mock fire events (startScenario, fire) ask the safety interlock first: the
 * mock's own health must not claim production.
 */
import { probe } from '../probes/http.ts';
import { assertSafeWrite } from '../safety/guard.ts';
import { waitFor } from '../util/wait.ts';
import type { RunInfo, RunReport } from './engine/engine.ts';
import type { LedgerEntry } from './engine/ledger.ts';
import type { ScenarioSpec } from './engine/schedule.ts';
import { MockHaError } from './errors.ts';
import type { HomeSize } from './home/home.ts';
import type { ConnectionView } from './server/connection.ts';
import type { DeliveryEntry } from './server/deliveries.ts';

export type { RunInfo, RunReport } from './engine/engine.ts';
export type { LedgerEntry } from './engine/ledger.ts';
export type { ScenarioSpec } from './engine/schedule.ts';
export type { ConnectionView, SubscriptionView } from './server/connection.ts';
export type { DeliveryEntry } from './server/deliveries.ts';

export interface MockHealth {
  status: string;
  service: string;
  ha_version: string;
  home: { seed: number; size: HomeSize; entities: number };
  scenario_running: boolean;
  control_api: boolean;
}

/** GET/POST /_mock/home. */
export interface HomeSummary {
  seed: number;
  size: HomeSize;
  areas: number;
  devices: number;
  entities: number;
  /** The `entities` the home was loaded with (null: its size's own count). */
  entities_requested: number | null;
  entities_by_domain: Record<string, number>;
  min_gap_ms: number;
  gap_violations: number;
}

export class MockHaControlClient {
  readonly baseUrl: string;
  /** Name used in messages (the mock HA role's service name). */
  readonly service: string;
  readonly #token: string;

  constructor(baseUrl: string, controlToken: string, opts: { service?: string } = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.#token = controlToken;
    this.service = opts.service ?? 'mock-ha';
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const r = await probe<T>(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.#token}` },
      ...(body === undefined ? {} : { body }),
      timeoutMs: 30_000,
    }).catch((err: unknown) => {
      throw new MockHaError(
        'control_request_failed',
        `${this.service}: ${method} ${path} on ${this.baseUrl}: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    if (r.status < 200 || r.status > 299 || r.json === undefined) {
      throw new MockHaError(
        'control_request_failed',
        `${this.service}: ${method} ${path} on ${this.baseUrl}: expected 2xx, got ${r.status} ${r.text.slice(0, 300)}`,
      );
    }
    return r.json;
  }

  /** The interlock: never make the mock fire unless its health says it is a mock. */
  async #guard(): Promise<void> {
    const h = await this.health();
    assertSafeWrite({ kind: 'service', name: this.service, health: h, mock: true });
  }

  health(): Promise<MockHealth> {
    return this.#call('GET', '/_mock/health');
  }
  /**
   * Replaces the mock's home (closes every connection: clients reconnect). `opts.entities`: at
   * least this many entities; `opts.minGapMs`: minimum gap between two changes of one entity, ms.
   */
  loadHome(seed: number, size: HomeSize, opts: { entities?: number; minGapMs?: number } = {}) {
    return this.#call<HomeSummary>('POST', '/_mock/home', {
      seed,
      size,
      // All four fields: a field not sent would keep the current home's value (null: the default).
      entities: opts.entities ?? null,
      min_gap_ms: opts.minGapMs ?? null,
    });
  }
  home() {
    return this.#call<HomeSummary>('GET', '/_mock/home');
  }
  async startScenario(spec: ScenarioSpec): Promise<RunInfo> {
    await this.#guard();
    return this.#call<RunInfo>('POST', '/_mock/scenario', spec);
  }
  stopScenario() {
    return this.#call<{ stopped: RunReport | null }>('POST', '/_mock/scenario/stop', {});
  }
  report(runId: string) {
    return this.#call<RunReport>('GET', `/_mock/runs/${encodeURIComponent(runId)}`);
  }
  async fire(event: { entity_id?: string; state?: string; attributes?: Record<string, unknown> } = {}) {
    await this.#guard();
    return this.#call<{ run_id: string; entry: LedgerEntry; event: unknown }>('POST', '/_mock/event', event);
  }
  stats() {
    return this.#call<Record<string, unknown>>('GET', '/_mock/stats');
  }
  disconnectAll() {
    return this.#call<{ closed: number }>('POST', '/_mock/disconnect', {});
  }

  /** Every websocket client the mock knows (open ones, and the last closed ones), oldest first. */
  async connections(): Promise<ConnectionView[]> {
    return (await this.#call<{ connections: ConnectionView[] }>('GET', '/_mock/connections')).connections;
  }

  /** The whole delivery record of one connection, page by page, and its view at the end. */
  async deliveries(
    connectionId: number,
    pageSize = 50_000,
  ): Promise<{ connection: ConnectionView; entries: DeliveryEntry[] }> {
    const entries: DeliveryEntry[] = [];
    let connection: ConnectionView | undefined;
    for (let from: number | null = 0; from !== null; ) {
      const page: { connection: ConnectionView; entries: DeliveryEntry[]; next: number | null } =
        await this.#call(
          'GET',
          `/_mock/connections/${connectionId}/deliveries?from=${from}&limit=${pageSize}`,
        );
      entries.push(...page.entries);
      connection = page.connection;
      from = page.next;
    }
    return { connection: connection as ConnectionView, entries };
  }

  /** Waits until the run is no longer running; returns its report. */
  waitForRun(runId: string, timeoutMs: number): Promise<RunReport> {
    return waitFor(
      async () => {
        const r = await this.report(runId);
        return { done: r.state !== 'running', value: r, seen: `state=${r.state} count=${r.count}` };
      },
      { what: `${this.service} run ${runId} at ${this.baseUrl} to end`, timeoutMs, intervalMs: 500 },
    );
  }

  /** The whole ledger of a run, fetched page by page. */
  async ledger(runId: string, pageSize = 50_000): Promise<LedgerEntry[]> {
    const out: LedgerEntry[] = [];
    for (let from: number | null = 0; from !== null; ) {
      const page: { entries: LedgerEntry[]; next: number | null } = await this.#call(
        'GET',
        `/_mock/runs/${encodeURIComponent(runId)}/ledger?from=${from}&limit=${pageSize}`,
      );
      out.push(...page.entries);
      from = page.entries.length === 0 ? null : page.next;
    }
    return out;
  }
}
