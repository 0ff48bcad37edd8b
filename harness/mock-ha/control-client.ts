/**
 * Typed client of the control API, for harnesses in another process than the mock (compose
 * stacks, containers). Every wait has a deadline and says what it saw last.
 */
import { waitFor } from '../util/wait.ts';
import type { RunInfo, RunReport } from './engine/engine.ts';
import type { LedgerEntry } from './engine/ledger.ts';
import type { ScenarioSpec } from './engine/schedule.ts';
import { MockHaError } from './errors.ts';
import type { HomeSize } from './home/home.ts';

export class MockHaControlClient {
  readonly baseUrl: string;
  readonly #token: string;

  constructor(baseUrl: string, controlToken: string) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.#token = controlToken;
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) {
      throw new MockHaError(
        'control_request_failed',
        `${method} ${path} on ${this.baseUrl}: expected 2xx, got ${res.status} ${text.slice(0, 300)}`,
      );
    }
    return JSON.parse(text) as T;
  }

  health() {
    return this.#call<{ status: string; home: { seed: number; size: HomeSize; entities: number } }>(
      'GET',
      '/_mock/health',
    );
  }
  loadHome(seed: number, size: HomeSize) {
    return this.#call<{ seed: number; size: HomeSize; entities: number }>('POST', '/_mock/home', {
      seed,
      size,
    });
  }
  startScenario(spec: ScenarioSpec) {
    return this.#call<RunInfo>('POST', '/_mock/scenario', spec);
  }
  stopScenario() {
    return this.#call<{ stopped: RunReport | null }>('POST', '/_mock/scenario/stop', {});
  }
  report(runId: string) {
    return this.#call<RunReport>('GET', `/_mock/runs/${encodeURIComponent(runId)}`);
  }
  fire(event: { entity_id?: string; state?: string; attributes?: Record<string, unknown> } = {}) {
    return this.#call<{ run_id: string; entry: LedgerEntry; event: unknown }>('POST', '/_mock/event', event);
  }
  stats() {
    return this.#call<Record<string, unknown>>('GET', '/_mock/stats');
  }
  disconnectAll() {
    return this.#call<{ closed: number }>('POST', '/_mock/disconnect', {});
  }

  /** Waits until the run is no longer running; returns its report. */
  waitForRun(runId: string, timeoutMs: number): Promise<RunReport> {
    return waitFor(
      async () => {
        const r = await this.report(runId);
        return { done: r.state !== 'running', value: r, seen: `state=${r.state} count=${r.count}` };
      },
      { what: `mock HA run ${runId} at ${this.baseUrl} to end`, timeoutMs },
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
      from = page.next;
    }
    return out;
  }
}
