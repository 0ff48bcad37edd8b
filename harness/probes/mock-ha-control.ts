/**
 * Client of the mock HA's control API (harness/mock-ha/README.md): start scenarios, wait for a
 * run, read its ledger. Seeding calls go through the safety guard: the target's health must not
 * claim production.
 */
import { assertSafeWrite } from '../safety/guard.ts';
import { waitFor } from '../util/wait.ts';
import type { FiredEvent } from '../verify/ledger.ts';
import { describeResult, probe } from './http.ts';

export interface RunReport {
  run_id: string;
  kind: string;
  state: 'running' | 'finished' | 'stopped';
  count: number;
  started_at: number;
  finished_at: number | null;
  intended_rate: number | null;
  achieved_rate: number | null;
  rate_error: number | null;
  lateness_ms: { p50: number; p95: number; p99: number; max: number; mean: number } | null;
}

export type ScenarioSpec =
  | { kind: 'steady'; rate: number; durationS: number }
  | { kind: 'burst'; baseRate: number; burstRate: number; burstS: number; periodS: number; durationS: number }
  | { kind: 'ramp'; fromRate: number; toRate: number; durationS: number };

export class MockHaError extends Error {
  override readonly name = 'MockHaError';
  readonly code = 'MOCK_HA_CONTROL_FAILED';
}

export class MockHaControl {
  readonly url: string;
  readonly #token: string;
  constructor(url: string, controlToken: string) {
    this.url = url;
    this.#token = controlToken;
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown, expect = [200, 201]): Promise<T> {
    const r = await probe<T>(`${this.url}${path}`, {
      method,
      body,
      headers: { authorization: `Bearer ${this.#token}` },
      timeoutMs: 30_000,
    });
    if (!expect.includes(r.status) || r.json === undefined)
      throw new MockHaError(
        `home-assistant-test: ${method} ${path}: expected ${expect.join('/')}, got ${describeResult(r)}`,
      );
    return r.json;
  }

  async #guard(): Promise<void> {
    const h = await probe(`${this.url}/_mock/health`);
    assertSafeWrite({ kind: 'service', name: 'home-assistant-test', health: h.json, mock: true });
  }

  async startScenario(spec: ScenarioSpec): Promise<{ run_id: string; started_at: number }> {
    await this.#guard();
    return this.#call('POST', '/_mock/scenario', spec);
  }

  async stopScenario(): Promise<void> {
    await this.#call('POST', '/_mock/scenario/stop', {});
  }

  report(runId: string): Promise<RunReport> {
    return this.#call('GET', `/_mock/runs/${encodeURIComponent(runId)}`);
  }

  waitForRun(runId: string, timeoutMs: number): Promise<RunReport> {
    return waitFor(
      async () => {
        const r = await this.report(runId);
        return {
          done: r.state !== 'running',
          value: r,
          seen: `run ${runId} ${r.state}, ${r.count} events fired`,
        };
      },
      { what: `mock HA run ${runId} to finish`, timeoutMs, intervalMs: 500 },
    );
  }

  async ledger(runId: string): Promise<FiredEvent[]> {
    const out: FiredEvent[] = [];
    let from = 0;
    for (;;) {
      const page = await this.#call<{
        total: number;
        next: number | null;
        entries: {
          seq: number;
          context_id: string;
          entity_id: string;
          intended_ts: number;
          sent_ts: number;
        }[];
      }>('GET', `/_mock/runs/${encodeURIComponent(runId)}/ledger?from=${from}&limit=100000`);
      for (const e of page.entries)
        out.push({
          seq: e.seq,
          contextId: e.context_id,
          entityId: e.entity_id,
          intendedMs: e.intended_ts,
          sentMs: e.sent_ts,
        });
      if (page.next === null || page.next === undefined || page.entries.length === 0) return out;
      from = page.next;
    }
  }

  async fire(
    event: { entity_id?: string; state?: string; attributes?: Record<string, unknown> } = {},
  ): Promise<FiredEvent> {
    await this.#guard();
    const r = await this.#call<{
      entry: { seq: number; context_id: string; entity_id: string; intended_ts: number; sent_ts: number };
    }>('POST', '/_mock/event', event);
    const e = r.entry;
    return {
      seq: e.seq,
      contextId: e.context_id,
      entityId: e.entity_id,
      intendedMs: e.intended_ts,
      sentMs: e.sent_ts,
    };
  }
}
