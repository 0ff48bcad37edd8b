/**
 * One websocket client: the auth phase, id rules, the send queue with coalescing and HA's
 * back-pressure rule (16384 pending messages, or above 1024 for 5 s -> the client is dropped).
 * "Pending" means queued in the mock and not yet handed to the socket; the queue only drains
 * while the TCP socket does not need a drain, so a client that stops reading builds it up.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import * as msg from '../protocol/messages.ts';
import {
  humanize,
  Invalid,
  isInvalid,
  isRecord,
  own,
  parseJson,
  type Schema,
  str,
  validate,
} from '../protocol/validation.ts';
import { DeliveryRecord } from './deliveries.ts';
import { coalescedFrame } from './frames.ts';

export interface ConnectionLimits {
  authTimeoutMs: number;
  /** HA (aiohttp heartbeat=55): a ping after this long without a message from the client; 0 = off. */
  heartbeatMs: number;
  /** A client that has not answered a ping within this long is closed (aiohttp: heartbeat / 2). */
  pongTimeoutMs: number;
  maxPending: number;
  pendingPeak: number;
  pendingPeakMs: number;
}

export interface Subscription {
  kind: 'events' | 'entities';
  /** `{"id":<subscription>,"type":"event","event":` (see eventMessagePrefix). */
  prefix: string;
  /** events: the event type, null = all. */
  eventType: string | null;
  /** entities: the entity filter, null = all. */
  entityIds: { has(entityId: string): boolean } | null;
}

export interface ClientStats {
  id: number;
  remote: string;
  connected_at: number;
  authenticated: boolean;
  coalesce: boolean;
  subscriptions: number;
  pending: number;
  max_pending: number;
  messages_sent: number;
  frames_sent: number;
  events_sent: number;
  closed: boolean;
  /** Why the mock closed this client, if it did (e.g. `slow_consumer_max_pending`). */
  close_reason: string | null;
}

/** A subscription as the control API shows it. */
export interface SubscriptionView {
  id: number;
  kind: 'events' | 'entities';
  /** events: the event type subscribed to (null = all events); entities: null. */
  event_type: string | null;
}

/**
 * One websocket client as the control API shows it (GET /_mock/connections): who it is (remote
 * address as the mock's socket saw it), whether it authenticated, what it subscribed to, and
 * what happened to the state changes queued for it.
 */
export interface ConnectionView {
  id: number;
  /** Remote IP as the socket saw it (IPv4-mapped IPv6 prefixes removed). */
  remote_address: string;
  remote_port: number | null;
  connected_at: number;
  authenticated: boolean;
  /** Subscriptions held (at close: held when it closed). */
  subscriptions: SubscriptionView[];
  /** State changes queued for this client / handed to its socket / still queued. */
  events_queued: number;
  events_delivered: number;
  events_pending: number;
  /** State changes queued but never handed to the socket because the connection closed. */
  events_dropped: number;
  closed: boolean;
  closed_at: number | null;
  /** Why it closed: the mock's reason (e.g. `slow_consumer_max_pending`) or `client_closed`. */
  close_reason: string | null;
}

export interface ConnectionHost {
  readonly haVersion: string;
  readonly limits: ConnectionLimits;
  checkToken(token: string): boolean;
  handleCommand(conn: ClientConnection, message: Record<string, unknown>): void;
  onAuthOk(conn: ClientConnection): void;
  onAuthFailed(conn: ClientConnection, reason: 'invalid' | 'timeout' | 'format'): void;
  onDropped(conn: ClientConnection, reason: string): void;
  onClosed(conn: ClientConnection): void;
  /** Something threw while handling a frame (counted; the connection stays). */
  onHandlerError(conn: ClientConnection, err: unknown): void;
  now(): number;
}

const AUTH_SCHEMA: Schema = {
  required: new Map([['type', (v: unknown) => (v === 'auth' ? null : new Invalid('not a valid value'))]]),
  optional: new Map([
    ['api_password', str],
    ['access_token', str],
  ]),
};

function authProblem(m: Record<string, unknown>): string | null {
  const v = validate(m, AUTH_SCHEMA, false);
  if (isInvalid(v)) return v.message;
  if (Object.hasOwn(m, 'api_password') && Object.hasOwn(m, 'access_token'))
    return "two or more values in the same group of exclusion 'auth' @ data[<auth>]. Got None";
  return null;
}

export class ClientConnection {
  readonly id: number;
  readonly remote: string;
  readonly connectedAt: number;
  readonly subscriptions = new Map<number, Subscription>();
  authenticated = false;
  coalesce = false;
  lastId = 0;
  readonly #ws: WebSocket;
  readonly #raw: Socket;
  readonly #host: ConnectionHost;
  #queue: string[] = [];
  /** Per queued message: how many state changes the delivery record held once it was queued. */
  #ends: number[] = [];
  #head = 0;
  #flushScheduled = false;
  #waitingDrain = false;
  #authTimer: NodeJS.Timeout | undefined;
  #peakTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #pongTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #closeReason: string | null = null;
  #maxPending = 0;
  #messagesSent = 0;
  #framesSent = 0;
  #eventsSent = 0;
  /** Every state change queued for this client and when it reached the socket. */
  readonly deliveries = new DeliveryRecord();
  #closedAt: number | null = null;
  readonly #remoteAddress: string;
  readonly #remotePort: number | null;
  #subsAtClose: SubscriptionView[] | null = null;

  constructor(id: number, ws: WebSocket, raw: Socket, host: ConnectionHost) {
    this.id = id;
    this.#ws = ws;
    this.#raw = raw;
    this.#host = host;
    this.remote = `${raw.remoteAddress ?? '?'}:${raw.remotePort ?? '?'}`;
    this.#remoteAddress = (raw.remoteAddress ?? '?').replace(/^::ffff:/, '');
    this.#remotePort = raw.remotePort ?? null;
    this.connectedAt = host.now();
    ws.on('message', (data, isBinary) => {
      try {
        this.#onMessage(data as Buffer, isBinary);
      } catch (err) {
        this.#host.onHandlerError(this, err);
      }
    });
    ws.on('pong', () => this.#onPong());
    ws.on('close', () => this.#onClose());
    ws.on('error', () => this.#onClose());
    this.#armHeartbeat();
    raw.on('drain', this.#onDrain);
    this.#authTimer = setTimeout(() => {
      if (this.authenticated || this.#closed) return;
      this.#host.onAuthFailed(this, 'timeout');
      this.close('auth_timeout');
    }, host.limits.authTimeoutMs);
    this.sendObject(msg.authRequired(host.haVersion));
  }

  get pending(): number {
    return this.#queue.length - this.#head;
  }
  get closed(): boolean {
    return this.#closed;
  }

  sendObject(message: unknown): void {
    this.send(JSON.stringify(message));
  }

  /** Queues one serialised message; flushes at the end of the current tick. */
  send(json: string): void {
    this.#enqueue(json);
  }

  /**
   * Queues an event message for a subscription: `prefix` + event JSON bytes + `}`. A state change
   * passes its context id: it is recorded in `deliveries` (queued now, delivered when flushed).
   */
  sendEvent(prefix: string, body: string, contextId?: string): void {
    if (this.#closed) return;
    if (contextId !== undefined) this.deliveries.queue(contextId, this.#host.now());
    this.#enqueue(`${prefix}${body}}`);
    this.#eventsSent++;
  }

  #enqueue(item: string): void {
    if (this.#closed) return;
    this.#queue.push(item);
    this.#ends.push(this.deliveries.queued);
    const pending = this.pending;
    if (pending > this.#maxPending) this.#maxPending = pending;
    const { maxPending, pendingPeak, pendingPeakMs } = this.#host.limits;
    if (pending >= maxPending) {
      this.#drop('slow_consumer_max_pending');
      return;
    }
    if (pending <= pendingPeak) {
      if (this.#peakTimer) {
        clearTimeout(this.#peakTimer);
        this.#peakTimer = undefined;
      }
    } else if (!this.#peakTimer) {
      this.#peakTimer = setTimeout(() => {
        this.#peakTimer = undefined;
        if (this.pending >= pendingPeak) this.#drop('slow_consumer_peak');
      }, pendingPeakMs);
    }
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Hands queued messages to the socket while it does not need a drain. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#closed || this.#waitingDrain) return;
    while (this.#head < this.#queue.length) {
      if (this.#raw.writableNeedDrain) {
        this.#waitingDrain = true;
        return;
      }
      if (this.coalesce && this.#queue.length - this.#head > 1) {
        const batch = this.#head === 0 ? this.#queue : this.#queue.slice(this.#head);
        this.#ws.send(coalescedFrame(batch));
        this.deliveries.markDeliveredUpTo(this.#ends[this.#ends.length - 1] as number, this.#host.now());
        this.#messagesSent += batch.length;
        this.#queue = [];
        this.#ends = [];
        this.#head = 0;
      } else {
        this.#ws.send(this.#queue[this.#head] as string);
        this.deliveries.markDeliveredUpTo(this.#ends[this.#head] as number, this.#host.now());
        this.#head++;
        this.#messagesSent++;
      }
      this.#framesSent++;
    }
    this.#queue = [];
    this.#ends = [];
    this.#head = 0;
  }

  #onDrain = () => {
    this.#waitingDrain = false;
    this.flush();
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#ends = this.#ends.slice(this.#head);
      this.#head = 0;
    }
  };

  #drop(reason: string) {
    if (this.#closed) return;
    this.#closeReason = reason;
    this.#host.onDropped(this, reason);
    this.#ws.terminate();
    this.#onClose();
  }

  /** Closes after flushing what is queued (auth_invalid, errors). */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closeReason ??= reason;
    this.flush();
    this.#ws.close(1000);
    this.#finish();
  }

  /** HA's heartbeat: after heartbeatMs without a frame from the client, ping; no pong in time -> closed. */
  #armHeartbeat() {
    const { heartbeatMs, pongTimeoutMs } = this.#host.limits;
    clearTimeout(this.#heartbeatTimer);
    if (heartbeatMs <= 0 || this.#closed) return;
    this.#heartbeatTimer = setTimeout(() => {
      if (this.#closed) return;
      try {
        this.#ws.ping();
      } catch {
        return;
      }
      this.#pongTimer ??= setTimeout(() => {
        this.#pongTimer = undefined;
        if (this.#closed) return;
        this.#closeReason = 'heartbeat_timeout';
        this.#ws.terminate();
        this.#onClose();
      }, pongTimeoutMs);
    }, heartbeatMs);
  }

  #onPong() {
    clearTimeout(this.#pongTimer);
    this.#pongTimer = undefined;
    this.#armHeartbeat();
  }

  #finish() {
    if (this.#closed) return;
    this.#closed = true;
    this.#closedAt = this.#host.now();
    this.#closeReason ??= 'client_closed';
    this.#subsAtClose = this.#subscriptionViews();
    clearTimeout(this.#authTimer);
    clearTimeout(this.#peakTimer);
    clearTimeout(this.#heartbeatTimer);
    clearTimeout(this.#pongTimer);
    this.#raw.off('drain', this.#onDrain);
    this.subscriptions.clear();
    this.#host.onClosed(this);
  }

  #onClose() {
    this.#finish();
  }

  #onMessage(data: Buffer, isBinary: boolean) {
    if (this.#closed) return;
    // aiohttp resets the heartbeat on every message received.
    if (this.#pongTimer === undefined) this.#armHeartbeat();
    if (isBinary) {
      // HA: binary before auth, or an empty one after it, disconnects; after auth a binary
      // frame goes to a binary handler by its first byte, and one with no handler is dropped.
      if (!this.authenticated || data.length < 1) this.close('binary_frame');
      return;
    }
    const parsed = parseJson(data.toString('utf8'));
    if (parsed === undefined) {
      this.close('invalid_json');
      return;
    }
    if (!this.authenticated) {
      this.#onAuth(parsed.value);
      return;
    }
    if (Array.isArray(parsed.value)) {
      for (const m of parsed.value) this.#dispatch(m);
    } else this.#dispatch(parsed.value);
  }

  #onAuth(m: unknown) {
    // HA's AUTH_MESSAGE_SCHEMA: {type: "auth", Exclusive(api_password | access_token): str}.
    const problem = !isRecord(m)
      ? humanize(m, [{ message: 'expected a dictionary', path: [] }])
      : authProblem(m);
    if (problem !== null || !isRecord(m)) {
      this.sendObject(msg.authInvalid(`Auth message incorrectly formatted: ${problem}`));
      this.#host.onAuthFailed(this, 'format');
      this.close('auth_invalid_format');
      return;
    }
    if (typeof m.access_token === 'string' && this.#host.checkToken(m.access_token)) {
      this.authenticated = true;
      clearTimeout(this.#authTimer);
      this.sendObject(msg.authOk(this.#host.haVersion));
      this.#host.onAuthOk(this);
      return;
    }
    this.sendObject(msg.authInvalid());
    this.#host.onAuthFailed(this, 'invalid');
    this.close('auth_invalid');
  }

  #dispatch(m: unknown) {
    if (this.#closed) return;
    const id = isRecord(m) ? own(m, 'id') : undefined;
    const type = isRecord(m) ? own(m, 'type') : undefined;
    // HA: a dict whose id is a truthy int >= 0 and whose type is a non-empty str; otherwise
    // invalid_format echoing the id as sent (null when absent, 0 for a non-dict).
    if (
      !isRecord(m) ||
      typeof id !== 'number' ||
      !Number.isSafeInteger(id) ||
      id <= 0 ||
      typeof type !== 'string' ||
      type === ''
    ) {
      this.sendObject({
        id: isRecord(m) ? (id ?? null) : 0,
        type: 'result',
        success: false,
        error: { code: 'invalid_format', message: 'Message incorrectly formatted.' },
      });
      return;
    }
    if (id <= this.lastId) {
      this.sendObject(msg.errorResult(id, 'id_reuse', 'Identifier values have to increase.'));
      return;
    }
    this.#host.handleCommand(this, m);
  }

  /** Starts a new max_pending window (e.g. per benchmark run). */
  resetMaxPending(): void {
    this.#maxPending = this.pending;
  }

  #subscriptionViews(): SubscriptionView[] {
    return [...this.subscriptions].map(([id, s]) => ({
      id,
      kind: s.kind,
      event_type: s.kind === 'events' ? s.eventType : null,
    }));
  }

  /** The control API's view of this client (see ConnectionView). */
  view(): ConnectionView {
    const queued = this.deliveries.queued;
    const delivered = this.deliveries.delivered;
    return {
      id: this.id,
      remote_address: this.#remoteAddress,
      remote_port: this.#remotePort,
      connected_at: this.connectedAt,
      authenticated: this.authenticated,
      subscriptions: this.#subsAtClose ?? this.#subscriptionViews(),
      events_queued: queued,
      events_delivered: delivered,
      events_pending: this.#closed ? 0 : queued - delivered,
      events_dropped: this.#closed ? queued - delivered : 0,
      closed: this.#closed,
      closed_at: this.#closedAt,
      close_reason: this.#closed ? this.#closeReason : null,
    };
  }

  stats(): ClientStats {
    return {
      id: this.id,
      remote: this.remote,
      connected_at: this.connectedAt,
      authenticated: this.authenticated,
      coalesce: this.coalesce,
      subscriptions: this.subscriptions.size,
      pending: this.pending,
      max_pending: this.#maxPending,
      messages_sent: this.#messagesSent,
      frames_sent: this.#framesSent,
      events_sent: this.#eventsSent,
      closed: this.#closed,
      close_reason: this.#closeReason,
    };
  }
}
