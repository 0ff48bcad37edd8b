/**
 * In-process API of the mock Home Assistant.
 *
 *   await using ha = await startMockHa({ token, seed: 7, homeSize: 'small' });
 *   ha.wsUrl; ha.startScenario({ kind: 'steady', rate: 500, durationS: 10 });
 */
import { randomBytes } from 'node:crypto';
import { createLogger, type Logger } from '../util/log.ts';
import { type MockClock, systemClock } from './engine/clock.ts';
import type { RunInfo, RunReport } from './engine/engine.ts';
import type { LedgerEntry } from './engine/ledger.ts';
import type { ScenarioSpec } from './engine/schedule.ts';
import { MockHaError } from './errors.ts';
import { HOME_SIZES, type HomeSize } from './home/home.ts';
import type { StateChange, World } from './home/world.ts';
import { TOKEN_PATTERN } from './protocol/messages.ts';
import type { Attributes } from './protocol/types.ts';
import { MockHaCore } from './server/core.ts';

export type { RunInfo, RunReport } from './engine/engine.ts';
export type { LedgerEntry, LedgerStats } from './engine/ledger.ts';
export type { ScenarioSpec } from './engine/schedule.ts';
export { MockHaError } from './errors.ts';
export type { HomeSize } from './home/home.ts';

/** The HA version the mock announces (>= 2022.9: clients use supported_features and subscribe_entities). */
export const DEFAULT_HA_VERSION = '2025.11.2';

export interface MockHaOptions {
  /** Accepted access token (32-300 chars of [A-Za-z0-9._-]); random if omitted. */
  token?: string;
  /** Token of the control API; random if omitted; null disables the control API. */
  controlToken?: string | null;
  port?: number;
  host?: string;
  seed?: number;
  homeSize?: HomeSize;
  haVersion?: string;
  /** Auth phase deadline (HA: 10 s). */
  authTimeoutMs?: number;
  /** HA's websocket heartbeat: ping after this long without a frame from the client (55000); 0 = off. */
  heartbeatMs?: number;
  /** A client that has not answered a ping within this long is closed (heartbeatMs / 2, as aiohttp). */
  pongTimeoutMs?: number;
  /** Back-pressure (HA: 16384 pending, or above 1024 for 5 s). */
  maxPendingMessages?: number;
  pendingPeak?: number;
  pendingPeakMs?: number;
  clock?: MockClock;
  logger?: Logger;
  /**
   * Shortest interval between two wake-ups of the scenario scheduler, ms, 0-1000 (default 0:
   * wake for every due event, lateness p50 under 1 ms). N > 0 sends all that is due at most
   * every N ms: lateness up to N ms for far fewer socket writes, i.e. less CPU per event below
   * ~1,000 ev/s (engine/runner.ts; measured by `npm run bench:mock-ha`).
   */
  minTickMs?: number;
}

export interface StartedMockHa {
  /** http://host:port (the HA base URL, as clients take it). */
  readonly url: string;
  readonly wsUrl: string;
  readonly port: number;
  readonly token: string;
  readonly controlToken: string | null;
  readonly world: World;
  loadHome(seed: number, size: HomeSize, opts?: { entities?: number; minGapMs?: number }): void;
  startScenario(spec: ScenarioSpec): RunInfo;
  stopScenario(): RunInfo | null;
  /** Resolves with the run's report when it finishes or is stopped. */
  waitForRun(runId: string): Promise<RunReport>;
  fire(opts?: { entity_id?: string; state?: string; attributes?: Attributes }): StateChange;
  ledger(runId: string, from?: number, limit?: number): LedgerEntry[];
  report(runId: string): RunReport;
  stats(): ReturnType<MockHaCore['stats']>;
  /** Service calls and fired events the mock received (websocket and REST), newest last. */
  actions(): ReturnType<MockHaCore['actions']['log']>;
  disconnectAll(): number;
  /** Starts a new max_pending window for every connected client. */
  resetClientPeaks(): void;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export const randomToken = (): string => randomBytes(32).toString('base64url');

export function validateToken(token: string, what: string): void {
  if (!TOKEN_PATTERN.test(token)) {
    throw new MockHaError(
      'invalid_token',
      `${what} must be 32-300 characters of [A-Za-z0-9._-], got ${token.length} characters`,
    );
  }
}

export async function startMockHa(opts: MockHaOptions = {}): Promise<StartedMockHa> {
  const token = opts.token ?? randomToken();
  validateToken(token, 'access token');
  const controlToken = opts.controlToken === undefined ? randomToken() : opts.controlToken;
  if (controlToken !== null) validateToken(controlToken, 'control token');
  const homeSize = opts.homeSize ?? 'small';
  if (!HOME_SIZES.includes(homeSize))
    throw new MockHaError(
      'invalid_config',
      `home size must be one of ${HOME_SIZES.join('|')}, got ${homeSize}`,
    );
  const host = opts.host ?? '127.0.0.1';
  const minTickMs = opts.minTickMs ?? 0;
  if (!Number.isFinite(minTickMs) || minTickMs < 0 || minTickMs > 1000)
    throw new MockHaError(
      'invalid_config',
      `minTickMs must be a number of ms from 0 to 1000, got ${minTickMs}`,
    );
  const core = new MockHaCore({
    token,
    controlToken,
    seed: opts.seed ?? 1,
    homeSize,
    haVersion: opts.haVersion ?? DEFAULT_HA_VERSION,
    limits: {
      authTimeoutMs: opts.authTimeoutMs ?? 10_000,
      heartbeatMs: opts.heartbeatMs ?? 55_000,
      pongTimeoutMs: opts.pongTimeoutMs ?? (opts.heartbeatMs ?? 55_000) / 2,
      maxPending: opts.maxPendingMessages ?? 16_384,
      pendingPeak: opts.pendingPeak ?? 1024,
      pendingPeakMs: opts.pendingPeakMs ?? 5000,
    },
    clock: opts.clock ?? systemClock,
    log: opts.logger ?? createLogger('mock-ha'),
    minTickMs,
  });
  const port = await core.listen(opts.port ?? 0, host);
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= core.close();
    return stopping;
  };
  return {
    url: `http://${shownHost}:${port}`,
    wsUrl: `ws://${shownHost}:${port}/api/websocket`,
    port,
    token,
    controlToken,
    get world() {
      return core.world;
    },
    loadHome: (seed, size, opts) => core.loadHome(seed, size, opts),
    startScenario: (spec) => core.engine.start(spec),
    stopScenario: () => core.engine.stop(),
    waitForRun: async (runId) => {
      await core.engine.ended(runId);
      return core.engine.report(runId);
    },
    fire: (o) => core.engine.fire(o),
    ledger: (runId, from = 0, limit = Number.MAX_SAFE_INTEGER) =>
      core.engine.ledger(runId).slice(from, limit),
    report: (runId) => core.engine.report(runId),
    stats: () => core.stats(),
    actions: () => core.actions.log(),
    disconnectAll: () => core.disconnectAll('disconnect_all'),
    resetClientPeaks: () => {
      for (const c of core.bus.connections) c.resetMaxPending();
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
