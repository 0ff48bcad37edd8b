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
import { EventBus } from './bus.ts';
import { handleCommand } from './commands.ts';
import {
  ClientConnection,
  type ClientStats,
  type ConnectionHost,
  type ConnectionLimits,
} from './connection.ts';
import { controlErrorStatus, handleControl } from './control.ts';
import { HttpError, sendJson } from './http-util.ts';
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
}

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
  };
  readonly #token: string;
  readonly #log: Logger;
  readonly #wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 16 * 1024 * 1024,
  });
  readonly #startedAt: number;
  #world: World;
  #nextConnId = 1;
  #closedClients: ClientStats[] = [];
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
    });
    this.#registry = new RegistryChanges(
      { world: () => this.#world, clock: opts.clock, bus: this.bus, engine: this.engine },
      opts.seed,
    );
    this.http = createServer((req, res) => void this.#onRequest(req, res));
    this.http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.#onUpgrade(req, socket, head),
    );
  }

  get world(): World {
    return this.#world;
  }

  checkToken(token: string): boolean {
    return token === this.#token;
  }
  handleCommand(conn: ClientConnection, m: Record<string, unknown>): void {
    handleCommand({ world: () => this.#world, haVersion: this.haVersion }, conn, m);
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
  }
  now(): number {
    return this.clock.now();
  }

  #onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer) {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/api/websocket') {
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
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      if (url.pathname.startsWith('/_mock/')) await handleControl(this, req, res, url);
      else if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
        await handleRest(this, req, res, url.pathname === '/api' ? '/api/' : url.pathname);
      } else sendJson(res, 404, { message: `not found: ${url.pathname}` });
    } catch (err) {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpError) sendJson(res, err.status, err.body);
      else
        sendJson(res, controlErrorStatus(err), {
          message: err instanceof Error ? err.message : String(err),
          code: (err as MockHaError).code,
        });
    }
  }

  /** Loads a new home. Like an HA restart: running scenario stopped, websocket clients closed. */
  loadHome(seed: number, size: HomeSize): void {
    this.engine.stop();
    this.#world = new World(buildHome(seed, size), this.clock.now());
    this.#registry.reseed(seed);
    this.disconnectAll('home_reloaded');
    this.#log.info(`loaded home seed=${seed} size=${size}: ${this.#world.size} entities`);
  }

  disconnectAll(reason: string): number {
    const conns = [...this.bus.connections];
    for (const c of conns) c.close(reason);
    return conns.length;
  }

  registryChange(body: Record<string, unknown>): Record<string, unknown> {
    return this.#registry.apply(body);
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
      entities_by_domain: byDomain,
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

  stats() {
    const latest = this.engine.latest();
    const clients = [...this.bus.connections].map((c) => c.stats());
    return {
      ha_version: this.haVersion,
      uptime_s: (this.clock.now() - this.#startedAt) / 1000,
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
