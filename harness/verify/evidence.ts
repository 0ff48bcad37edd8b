/**
 * Outside evidence about the stack's roles, named through the active stack profile only: the mock
 * HA's view (connections, deliveries, ledgers), Docker (container addresses, exits), InfluxDB (where
 * events landed) and, only when the profile maps them, the service's own health fields.
 *
 * Which mock connection belongs to the ingestion: the one whose remote address is one of the
 * ingestion container's addresses (Docker). A target without containers (attach without a
 * project, local processes) has no such proof: then exactly one authenticated, subscribed client
 * must exist, and the messages say the match was by elimination.
 */

import type { ConnectionView } from '../mock-ha/control-client.ts';
import { MockHaControlClient } from '../mock-ha/control-client.ts';
import { health } from '../probes/http.ts';
import { activeProfile, type HealthMapping, type StackProfile } from '../profile/index.ts';
import { assertSafeToFire } from '../safety/interlock.ts';
import { inspect } from '../stack/docker.ts';
import { serviceStopped } from '../stack/service-stopped.ts';
import type { StartedStack } from '../stack/types.ts';
import { waitFor } from '../util/wait.ts';
import { type ConnectionDeliveries, type Custody, chainOfCustody } from './custody.ts';
import { findContextIds, type InfluxReader } from './influx-evidence.ts';
import type { FiredEvent } from './ledger.ts';

export const roles = (): StackProfile['roles'] => activeProfile().roles;

/** The control client of the stack's mock HA. */
export function mockHa(stack: StartedStack): MockHaControlClient {
  const { service } = roles().mockHa;
  const token = stack.tokens.mockHaControl;
  if (!token)
    throw new Error(`${service}: no mock HA control token known to the harness (MOCK_HA_CONTROL_TOKEN)`);
  return new MockHaControlClient(stack.url(service), token, { service });
}

/** InfluxDB read with the admin token (sees every org and bucket). */
export function influxReader(stack: StartedStack): InfluxReader {
  const { service } = roles().influxdb;
  const adminToken = stack.tokens.influxAdmin;
  if (!adminToken)
    throw new Error(`${service}: no InfluxDB admin token known to the harness (INFLUXDB_ADMIN_TOKEN)`);
  return { url: stack.url(service), adminToken };
}

/** IP addresses of a service's container on its networks (Docker), or undefined without containers. */
export async function containerAddresses(
  stack: StartedStack,
  service: string,
): Promise<string[] | undefined> {
  const id = stack.containerId(service);
  if (!id) return undefined;
  const info = await inspect(id);
  return Object.values(info.NetworkSettings?.Networks ?? {})
    .map((n) => n.IPAddress)
    .filter((a): a is string => typeof a === 'string' && a !== '');
}

const subscribedToStateChanged = (c: ConnectionView) =>
  c.subscriptions.some(
    (s) => s.kind === 'events' && (s.event_type === 'state_changed' || s.event_type === null),
  );

export interface IngestionConnections {
  /** The ingestion's connections (open and recently closed), oldest first. */
  mine: ConnectionView[];
  /** How they were matched: `address a.b.c.d` or `elimination`. */
  how: string;
  all: ConnectionView[];
}

/** The mock's connections that come from the ingestion. */
export async function ingestionConnections(stack: StartedStack): Promise<IngestionConnections> {
  const all = await mockHa(stack).connections();
  const addrs = await containerAddresses(stack, roles().ingestion.service);
  if (addrs !== undefined) {
    return {
      mine: all.filter((c) => addrs.includes(c.remote_address)),
      how: `address ${addrs.join('|')}`,
      all,
    };
  }
  const candidates = all.filter((c) => !c.closed && c.authenticated && subscribedToStateChanged(c));
  return { mine: candidates.length === 1 ? candidates : [], how: 'elimination', all };
}

const describeConn = (c: ConnectionView) =>
  `#${c.id} ${c.remote_address} auth=${c.authenticated} subs=[${c.subscriptions.map((s) => s.event_type ?? s.kind).join(',')}]${c.closed ? ` closed: ${c.close_reason}` : ''}`;

/** Reads a dotted path of a parsed JSON document without touching prototypes. */
export function fieldAt(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, key))
      return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export interface MappedHealth {
  /** HTTP status of the health path (0: unreachable). */
  status: number;
  /** Healthy by the mapping (HTTP 200 when no field is mapped). */
  healthy: boolean;
  /** Subscribed by the mapping; undefined when not mapped. */
  subscribed: boolean | undefined;
  /** Deployment mode by the mapping; undefined when not mapped. */
  deploymentMode: string | undefined;
  /** Short text of what was seen. */
  seen: string;
}

/** A service's own health, read through the profile's mapping. Undefined when the profile maps none. */
export async function mappedHealth(
  url: string,
  mapping: HealthMapping | undefined,
  timeoutMs = 3_000,
): Promise<MappedHealth | undefined> {
  if (!mapping) return undefined;
  const r = await health(url, mapping.path, timeoutMs).catch((e: unknown) => ({
    status: 0,
    json: undefined,
    text: String(e),
  }));
  const healthyValue = mapping.healthy ? fieldAt(r.json, mapping.healthy.field) : undefined;
  const healthy =
    r.status === 200 &&
    (mapping.healthy === undefined || mapping.healthy.values.some((v) => v === healthyValue));
  const sub = mapping.subscribed ? fieldAt(r.json, mapping.subscribed) : undefined;
  const mode = mapping.deploymentMode ? fieldAt(r.json, mapping.deploymentMode) : undefined;
  return {
    status: r.status,
    healthy,
    subscribed: mapping.subscribed ? sub === true : undefined,
    deploymentMode: typeof mode === 'string' ? mode : undefined,
    seen: `${mapping.path} ${r.status}${mapping.healthy ? ` ${mapping.healthy.field}=${JSON.stringify(healthyValue)}` : ''}${mapping.subscribed ? ` ${mapping.subscribed}=${JSON.stringify(sub)}` : ''}`,
  };
}

/** The ingestion's health through the profile's mapping (undefined: the profile maps none). */
export function ingestionHealth(stack: StartedStack, timeoutMs = 3_000): Promise<MappedHealth | undefined> {
  const ing = roles().ingestion;
  return mappedHealth(stack.url(ing.service), ing.health, timeoutMs);
}

/**
 * Waits until the ingestion is ready, judged from the mock's side: one of its connections
 * authenticated and subscribed to `state_changed`; and, when the profile maps health fields,
 * its own health agrees (healthy, subscribed). Returns that connection.
 */
export async function ingestionReady(stack: StartedStack, timeoutMs = 60_000): Promise<ConnectionView> {
  const service = roles().ingestion.service;
  return waitFor(
    async () => {
      const { mine, how, all } = await ingestionConnections(stack);
      const ready = mine.filter((c) => !c.closed && c.authenticated && subscribedToStateChanged(c));
      const seenMock = `mock HA sees ${all.length} connection(s) [${all.map(describeConn).join('; ')}], matched by ${how}: ${mine.length}`;
      if (ready.length === 0) return { done: false, seen: seenMock };
      const h = await ingestionHealth(stack);
      if (h && (!h.healthy || h.subscribed === false))
        return { done: false, seen: `${seenMock}; but its own health disagrees: ${h.seen}` };
      return { done: true, value: ready.at(-1) as ConnectionView, seen: seenMock };
    },
    {
      what: `${service} to hold a connection to the mock HA that authenticated and subscribed to state_changed${roles().ingestion.health ? ' (and its mapped health to agree)' : ''}`,
      timeoutMs,
      intervalMs: 250,
      // A stopped ingestion container can never connect: give up at once and say so.
      abandonWhen: serviceStopped(stack, service),
    },
  );
}

/**
 * The interlock before firing synthetic events at the ingestion (harness/safety/interlock.ts):
 * proof that they can only land in the test bucket, or a refusal naming the missing evidence.
 * Returns the evidence lines.
 */
export async function assertIngestionSafe(stack: StartedStack): Promise<string[]> {
  return assertSafeToFire(stack, activeProfile());
}

/**
 * The delivery records of the ingestion's connections (open and recently closed), plus those of
 * `alsoIds` (connections matched earlier: a restarted container may come back with another address).
 */
export async function ingestionDeliveries(
  stack: StartedStack,
  alsoIds: number[] = [],
): Promise<ConnectionDeliveries[]> {
  const { mine } = await ingestionConnections(stack);
  const ids = [...new Set([...alsoIds, ...mine.map((c) => c.id)])].sort((a, b) => a - b);
  const ha = mockHa(stack);
  const out: ConnectionDeliveries[] = [];
  for (const id of ids) out.push(await ha.deliveries(id));
  return out;
}

/** The ledger of a run as FiredEvents. */
export async function firedEvents(stack: StartedStack, runId: string): Promise<FiredEvent[]> {
  return (await mockHa(stack).ledger(runId)).map((e) => ({
    seq: e.seq,
    contextId: e.context_id,
    entityId: e.entity_id,
    intendedMs: e.intended_ts,
    sentMs: e.sent_ts,
  }));
}

/** Where events must be stored: the test bucket and event measurement of the profile. */
export function storeTarget() {
  const { test, measurement } = roles().influxdb;
  return { org: test.org, bucket: test.bucket, measurement };
}

/**
 * The chain of custody of `fired`: the ingestion's delivery records from the mock, and every point
 * carrying their context ids in any bucket the admin token can read, whatever its time (`_sinceMs`,
 * the run's start, is kept for callers; the search no longer stops there).
 * `deliveredBefore` (epoch ms) keeps only deliveries handed to the socket before it; `connectionIds`
 * adds connections matched to the ingestion earlier.
 */
export async function collectCustody(
  stack: StartedStack,
  fired: FiredEvent[],
  _sinceMs: number,
  opts: { deliveredBefore?: number; connectionIds?: number[] } = {},
): Promise<Custody> {
  let deliveries = await ingestionDeliveries(stack, opts.connectionIds);
  const before = opts.deliveredBefore;
  if (before !== undefined)
    deliveries = deliveries.map((d) => ({
      connection: d.connection,
      entries: d.entries.filter((e) => e.delivered_ts !== null && e.delivered_ts < before),
    }));
  const stored = await findContextIds(
    influxReader(stack),
    fired.map((f) => f.contextId),
    // Any point time: an ingestion that stamps points wrongly (epoch 0, the time of a retry, the
    // future) still leaves its events findable. `sinceMs` only dates the run in messages.
    new Date(0).toISOString(),
  );
  return chainOfCustody(fired, deliveries, stored, storeTarget());
}

/**
 * Fires `n` single state changes through the mock (run `manual`) and waits until each is stored
 * in the test bucket (or `timeoutMs` passes: then the chain of custody says where they went).
 */
export async function fireAndAwaitStored(
  stack: StartedStack,
  n: number,
  timeoutMs = 30_000,
): Promise<{ fired: FiredEvent[]; custody: Custody }> {
  await ingestionReady(stack);
  await assertIngestionSafe(stack);
  const ha = mockHa(stack);
  const t0 = Date.now();
  const fired: FiredEvent[] = [];
  for (let i = 0; i < n; i++) {
    const e = (await ha.fire()).entry;
    fired.push({
      seq: e.seq,
      contextId: e.context_id,
      entityId: e.entity_id,
      intendedMs: e.intended_ts,
      sentMs: e.sent_ts,
    });
  }
  let last: Custody | undefined;
  await waitFor(
    async () => {
      last = await collectCustody(stack, fired, t0);
      return {
        done: last.summary.stored === fired.length,
        seen: `${last.summary.stored} of ${fired.length} stored`,
      };
    },
    { what: `${n} fired events to be stored in ${storeTarget().bucket}`, timeoutMs, intervalMs: 500 },
  ).catch(() => undefined);
  return { fired, custody: last ?? (await collectCustody(stack, fired, t0)) };
}
