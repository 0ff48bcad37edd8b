/**
 * The mock Home Assistant: one node:http server carrying the websocket API (/api/websocket),
 * the REST API (/api/...) and the control API (/_mock/...), around the synthetic home and
 * the event engine.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Logger } from '../../util/log.ts';
import type { MockClock } from '../engine/clock.ts';
import { EventEngine } from '../engine/engine.ts';
import { MockHaError } from '../errors.ts';
import { buildHome, type HomeSize } from '../home/home.ts';
import { World } from '../home/world.ts';
import { MAX_WS_MESSAGE_BYTES, requestPath } from '../protocol/validation.ts';
import { Actions } from './actions.ts';
import { EventBus } from './bus.ts';
import { handleCommand } from './commands.ts';
import {
  ClientConnection,
  type ClientStats,
  type ConnectionHost,
  type ConnectionLimits,
  type ConnectionView,
} from './connection.ts';
import { controlErrorStatus, handleControl } from './control.ts';
import { HttpError, sendJson, sendText } from './http-util.ts';
import { RegistryChanges } from './registry-changes.ts';
import { handleRest } from './rest.ts';

export interface CoreOptions {
  token: string;
  controlToken: string | null;
  seed: number;
  homeSize: HomeSize;
  haVersion: string;
  limits: ConnectionLimits;
  clock: MockClock;
  log: Logger;
  /** Shortest interval between two wake-ups of the scenario scheduler, ms (0 = every due event). */
  minTickMs?: number;
}

/** Closed connections whose view and delivery record the mock keeps (oldest forgotten first). */
const MAX_CLOSED_VIEWS = 32;

export class MockHaCore implements ConnectionHost {
  readonly haVersion: string;
  readonly limits: ConnectionLimits;
  readonly clock: MockClock;
  readonly controlToken: string | null;
  readonly bus = new EventBus();
  readonly engine: EventEngine;
  readonly http: Server;
  readonly counters = {
    connections_total: 0,
    auth_ok: 0,
    auth_failures: 0,
    auth_timeouts: 0,
    dropped_slow_clients: 0,
    rest_requests: 0,
    rest_unauthorized: 0,
    /** A handler threw (answered with HA's unknown_error / a 500, never a process exit). */
    handler_errors: 0,
    /** Requests whose target is not a parseable path (answered 400). */
    bad_requests: 0,
  };
  readonly actions: Actions;
  readonly #token: string;
  readonly #log: Logger;
  readonly #wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_WS_MESSAGE_BYTES,
  });
  readonly #startedAt: number;
  #world: World;
  #entitiesRequested: number | null = null;
  /** The `entities` the current home was loaded with (null: its size's own count). */
  get entitiesRequested(): number | null {
    return this.#entitiesRequested;
  }
  #nextConnId = 1;
  #closedClients: ClientStats[] = [];
  /** Closed connections kept for the control API's view (with their delivery records). */
  #closedConns: ClientConnection[] = [];
  readonly #registry: RegistryChanges;

  constructor(opts: CoreOptions) {
    this.#token = opts.token;
    this.controlToken = opts.controlToken;
    this.haVersion = opts.haVersion;
    this.limits = opts.limits;
    this.clock = opts.clock;
    this.#log = opts.log;
    this.#startedAt = opts.clock.now();
    this.#world = new World(buildHome(opts.seed, opts.homeSize), opts.clock.now());
    this.engine = new EventEngine({
      clock: opts.clock,
      world: () => this.#world,
      publish: (change) => this.bus.publishStateChange(change),
      flush: () => this.bus.flush(),
      minTickMs: opts.minTickMs ?? 0,
    });
    this.actions = new Actions({
      world: () => this.#world,
      clock: opts.clock,
      bus: this.bus,
      engine: this.engine,
    });
    this.#registry = new RegistryChanges(
      { world: () => this.#world, clock: opts.clock, bus: this.bus, engine: this.engine },
      opts.seed,
    );
    this.http = createServer((req, res) => {
      this.#onRequest(req, res).catch((err: unknown) => this.#requestFailed(res, err));
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      try {
        this.#onUpgrade(req, socket, head);
      } catch (err) {
        this.onHandlerError(null, err);
        socket.destroy();
      }
    });
    // A malformed request line or header: 400 and close, as aiohttp does; never an exception.
    this.http.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      this.counters.bad_requests++;
      if (socket.writable && err.code !== 'ECONNRESET')
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\ncontent-length: 0\r\n\r\n');
      else socket.destroy();
    });
  }

  get world(): World {
    return this.#world;
  }

  checkToken(token: string): boolean {
    return token === this.#token;
  }
  handleCommand(conn: ClientConnection, m: Record<string, unknown>): void {
    handleCommand(
      {
        world: () => this.#world,
        haVersion: this.haVersion,
        actions: this.actions,
        onHandlerError: (_type, err) => this.onHandlerError(conn, err),
      },
      conn,
      m,
    );
  }
  onHandlerError(conn: ClientConnection | null, err: unknown): void {
    this.counters.handler_errors++;
    this.#log.warn(
      `handler error${conn ? ` (client ${conn.id})` : ''}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
  }
  onAuthOk(): void {
    this.counters.auth_ok++;
  }
  onAuthFailed(conn: ClientConnection, reason: 'invalid' | 'timeout' | 'format'): void {
    if (reason === 'timeout') this.counters.auth_timeouts++;
    else this.counters.auth_failures++;
    this.#log.info(`client ${conn.id} (${conn.remote}) auth failed: ${reason}`);
  }
  onDropped(conn: ClientConnection, reason: string): void {
    this.counters.dropped_slow_clients++;
    const s = conn.stats();
    this.#log.warn(
      `client ${conn.id} (${conn.remote}) dropped: ${reason} (pending ${s.pending}, limits ${this.limits.maxPending} / ${this.limits.pendingPeak} for ${this.limits.pendingPeakMs} ms)`,
    );
  }
  onClosed(conn: ClientConnection): void {
    if (!this.bus.connections.delete(conn)) return;
    this.#closedClients.push(conn.stats());
    if (this.#closedClients.length > 100) this.#closedClients.shift();
    this.#closedConns.push(conn);
    if (this.#closedConns.length > MAX_CLOSED_VIEWS) this.#closedConns.shift()?.deliveries.dispose();
  }
  now(): number {
    return this.clock.now();
  }

  #onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer) {
    socket.on('error', () => socket.destroy());
    const target = requestPath(req.url);
    if (target === null) {
      this.counters.bad_requests++;
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    if (target.path !== '/api/websocket') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.counters.connections_total++;
      socket.setNoDelay(true);
      const conn = new ClientConnection(this.#nextConnId++, ws, socket, this);
      this.bus.connections.add(conn);
    });
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse) {
    req.on('error', () => res.destroy());
    const target = requestPath(req.url);
    if (target === null) {
      this.counters.bad_requests++;
      return sendText(res, 400, '400: Bad Request');
    }
    const { path } = target;
    try {
      if (path.startsWith('/_mock/')) {
        const url = new URL(`http://mock${path}?${target.query.toString()}`);
        await handleControl(this, req, res, url);
      } else if (path === '/api' || path.startsWith('/api/')) {
        await handleRest(this, req, res, path === '/api' ? '/api/' : path, target.query);
      } else sendText(res, 404, '404: Not Found');
    } catch (err) {
      this.#requestFailed(res, err);
    }
  }

  /** Any error of a request handler becomes an HTTP answer (500 for the unexpected, counted). */
  #requestFailed(res: ServerResponse, err: unknown) {
    // The client went away mid-request (node: "aborted", ECONNRESET): nobody to answer, not a
    // fault of the mock (aiohttp drops such a request quietly too).
    if (res.req.destroyed && (err as NodeJS.ErrnoException | null)?.code === 'ECONNRESET')
      return void res.destroy();
    if (res.headersSent) return void res.destroy();
    if (err instanceof HttpError) return sendJson(res, err.status, err.body);
    const status = controlErrorStatus(err);
    if (status === 500) this.onHandlerError(null, err);
    sendJson(res, status, {
      message: err instanceof Error ? err.message : String(err),
      code: err instanceof MockHaError ? err.code : 'unknown_error',
    });
  }

  /** Loads a new home. Like an HA restart: running scenario stopped, websocket clients closed. */
  /**
   * Replaces the home (stops a running scenario, closes every connection). `opts.entities`: at
   * least this many entities; `opts.minGapMs`: minimum gap between two changes of one entity.
   */
  loadHome(seed: number, size: HomeSize, opts: { entities?: number; minGapMs?: number } = {}): void {
    this.engine.stop();
    this.#entitiesRequested = opts.entities ?? null;
    this.#world = new World(
      buildHome(seed, size, opts.entities === undefined ? {} : { entities: opts.entities }),
      this.clock.now(),
      opts.minGapMs === undefined ? {} : { minGapMs: opts.minGapMs },
    );
    this.#registry.reseed(seed);
    this.disconnectAll('home_reloaded');
    this.#log.info(
      `loaded home seed=${seed} size=${size}: ${this.#world.size} entities, minimum gap ${this.#world.minGapMs} ms`,
    );
  }

  disconnectAll(reason: string): number {
    const conns = [...this.bus.connections];
    for (const c of conns) c.close(reason);
    return conns.length;
  }

  /** A registry change of the control API; `route` prefixes its messages. */
  registryChange(body: Record<string, unknown>, route = 'POST /_mock/registry'): Record<string, unknown> {
    return this.#registry.apply(body, route);
  }

  homeSummary() {
    const home = this.#world.home;
    const byDomain: Record<string, number> = {};
    for (const s of this.#world.states()) {
      const d = s.entity_id.split('.')[0] as string;
      byDomain[d] = (byDomain[d] ?? 0) + 1;
    }
    return {
      seed: home.seed,
      size: home.size,
      areas: home.areas.length,
      devices: home.devices.length,
      entities: this.#world.size,
      entities_requested: this.#entitiesRequested,
      entities_by_domain: byDomain,
      min_gap_ms: this.#world.minGapMs,
      gap_violations: this.#world.gapViolations,
    };
  }

  health() {
    return {
      status: 'ok',
      service: 'mock-ha',
      ha_version: this.haVersion,
      uptime_s: Math.round((this.clock.now() - this.#startedAt) / 1000),
      home: { seed: this.#world.home.seed, size: this.#world.home.size, entities: this.#world.size },
      scenario_running: this.engine.current !== null,
      control_api: this.controlToken !== null,
    };
  }

  /** Every websocket client, open ones and the last closed ones, oldest first. */
  connections(): ConnectionView[] {
    return this.#allConnections().map((c) => c.view());
  }

  /** One client (open or among the kept closed ones) by id, or undefined. */
  connection(id: number): ClientConnection | undefined {
    return this.#allConnections().find((c) => c.id === id);
  }

  #allConnections(): ClientConnection[] {
    return [...this.#closedConns, ...this.bus.connections].sort((a, b) => a.id - b.id);
  }

  stats() {
    const latest = this.engine.latest();
    const clients = [...this.bus.connections].map((c) => c.stats());
    return {
      ha_version: this.haVersion,
      uptime_s: (this.clock.now() - this.#startedAt) / 1000,
      limits: this.limits,
      home: this.homeSummary(),
      totals: {
        ...this.counters,
        connected: clients.length,
        events_fired: this.bus.eventsFired,
      },
      clients,
      closed_clients: this.#closedClients,
      run: latest ? this.engine.report(latest.run_id) : null,
      runs: this.engine.runs(),
    };
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) =>
        reject(new MockHaError('listen_failed', `cannot listen on ${host}:${port}: ${err.message}`));
      this.http.once('error', onError);
      this.http.listen(port, host, () => {
        this.http.off('error', onError);
        resolve();
      });
    });
    const addr = this.http.address();
    return typeof addr === 'object' && addr ? addr.port : port;
  }

  async close(): Promise<void> {
    this.engine.stop();
    for (const c of [...this.bus.connections]) c.close('server_stopping');
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }
}
