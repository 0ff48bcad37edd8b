/**
 * Chain of custody of every fired event: fired (the mock's ledger) -> delivered to which of the
 * ingestion's connections, or dropped by the mock (slow consumer, disconnect) -> stored in the
 * test bucket (InfluxDB, by context_id) -> its fate when it is not stored exactly once.
 *
 * Fates of an event missing from the test bucket and measurement (first rule that applies):
 * - `stored-elsewhere`: its context_id is in another bucket, org or measurement;
 * - `never-delivered`: no connection of the ingestion had it queued (not subscribed, disconnected);
 * - `dropped-by-mock`: queued for the ingestion but never handed to its socket (the connection
 *   closed first: slow consumer or disconnect; the close reason is kept);
 * - `overwritten`: delivered, and another fired event was stored in the same series at the same
 *   millisecond (same measurement + tag set + time: InfluxDB keeps one point per series and
 *   timestamp; contract: time = time_fired at ms precision, tags include entity_id);
 * - `delivered-not-stored`: delivered and nowhere to be found.
 * An event stored more than once in the test bucket is `duplicated` (it counts as stored).
 *
 * Pure: the inputs are what the mock and InfluxDB reported (harness/verify/evidence.ts fetches them).
 */
import type { ConnectionView, DeliveryEntry } from '../mock-ha/control-client.ts';
import type { StoredPoint } from './influx-evidence.ts';
import type { FiredEvent } from './ledger.ts';

export type Fate =
  | 'stored'
  | 'duplicated'
  | 'stored-elsewhere'
  | 'never-delivered'
  | 'dropped-by-mock'
  | 'overwritten'
  | 'delivered-not-stored';

export const MISSING_FATES = [
  'never-delivered',
  'dropped-by-mock',
  'delivered-not-stored',
  'overwritten',
  'stored-elsewhere',
] as const satisfies readonly Fate[];

/** Where the ingestion must store events. */
export interface StoreTarget {
  org: string;
  bucket: string;
  measurement: string;
}

/** The delivery record of one of the ingestion's connections. */
export interface ConnectionDeliveries {
  connection: ConnectionView;
  entries: DeliveryEntry[];
}

export interface CustodyRow {
  seq: number;
  contextId: string;
  entityId: string;
  /** Intended fire time, epoch ms. */
  firedMs: number;
  /** Connection ids of the ingestion that got it on their socket. */
  deliveredTo: number[];
  /** First time it was handed to one of the ingestion's sockets, epoch ms. */
  deliveredMs: number | null;
  /** Close reason of the connection that dropped it (queued, never handed over). */
  droppedBy: string | null;
  /** Points carrying it in the test bucket and measurement. */
  storedCount: number;
  /** Other places holding it: `org/bucket/measurement`. */
  elsewhere: string[];
  fate: Fate;
}

export interface CustodySummary {
  fired: number;
  /** Events on at least one of the ingestion's sockets. */
  delivered: number;
  /** Events queued for the ingestion but dropped by the mock when a connection closed. */
  droppedByMock: number;
  /** Events stored at least once in the test bucket and measurement. */
  stored: number;
  duplicated: number;
  /** Events stored in the test bucket AND somewhere else too (another bucket, org or measurement). */
  alsoElsewhere: number;
  missing: Record<(typeof MISSING_FATES)[number], number>;
  missingTotal: number;
  /** Connections of the ingestion that were considered (id, address, close reason). */
  connections: {
    id: number;
    remote: string;
    delivered: number;
    dropped: number;
    closeReason: string | null;
  }[];
}

export interface Custody {
  target: StoreTarget;
  summary: CustodySummary;
  rows: CustodyRow[];
}

/** Builds the chain of custody of `fired` from the ingestion's delivery records and the stored points. */
export function chainOfCustody(
  fired: FiredEvent[],
  deliveries: ConnectionDeliveries[],
  stored: StoredPoint[],
  target: StoreTarget,
): Custody {
  const delivered = new Map<string, { conns: number[]; first: number }>();
  const dropped = new Map<string, string>();
  for (const d of deliveries) {
    for (const e of d.entries) {
      if (e.delivered_ts !== null) {
        const cur = delivered.get(e.context_id);
        if (cur) {
          if (!cur.conns.includes(d.connection.id)) cur.conns.push(d.connection.id);
          cur.first = Math.min(cur.first, e.delivered_ts);
        } else delivered.set(e.context_id, { conns: [d.connection.id], first: e.delivered_ts });
      } else if (d.connection.closed) dropped.set(e.context_id, d.connection.close_reason ?? 'closed');
    }
  }
  const inTarget = new Map<string, StoredPoint[]>();
  const elsewhere = new Map<string, Set<string>>();
  for (const p of stored) {
    if (p.org === target.org && p.bucket === target.bucket && p.measurement === target.measurement) {
      const list = inTarget.get(p.contextId) ?? [];
      list.push(p);
      inTarget.set(p.contextId, list);
    } else {
      const s = elsewhere.get(p.contextId) ?? new Set<string>();
      s.add(`${p.org}/${p.bucket}/${p.measurement}`);
      elsewhere.set(p.contextId, s);
    }
  }
  // Stored points by millisecond, for the overwrite rule.
  const byMs = new Map<number, { contextId: string; entityId: string; tags: Record<string, string> }[]>();
  const entityOf = new Map(fired.map((f) => [f.contextId, f.entityId]));
  for (const [id, points] of inTarget)
    for (const p of points) {
      const list = byMs.get(p.timeMs) ?? [];
      list.push({ contextId: id, entityId: entityOf.get(id) ?? '', tags: p.tags });
      byMs.set(p.timeMs, list);
    }
  const overwrittenBy = (f: FiredEvent): boolean =>
    (byMs.get(Math.floor(f.intendedMs)) ?? []).some((o) => {
      if (o.contextId === f.contextId) return false;
      // A tag carrying the other event's entity id identifies the series by entity: it must match.
      const entityTagged = Object.values(o.tags).includes(o.entityId);
      return !entityTagged || o.entityId === f.entityId;
    });

  const rows: CustodyRow[] = [];
  const missing = Object.fromEntries(MISSING_FATES.map((f) => [f, 0])) as CustodySummary['missing'];
  let stored1 = 0;
  let duplicated = 0;
  let droppedByMock = 0;
  let alsoElsewhere = 0;
  for (const f of fired) {
    const d = delivered.get(f.contextId);
    const n = inTarget.get(f.contextId)?.length ?? 0;
    const other = [...(elsewhere.get(f.contextId) ?? [])];
    const droppedBy = d ? null : (dropped.get(f.contextId) ?? null);
    if (droppedBy) droppedByMock++;
    let fate: Fate;
    if (n === 1) fate = 'stored';
    else if (n > 1) fate = 'duplicated';
    else if (other.length > 0) fate = 'stored-elsewhere';
    else if (!d) fate = droppedBy ? 'dropped-by-mock' : 'never-delivered';
    else if (overwrittenBy(f)) fate = 'overwritten';
    else fate = 'delivered-not-stored';
    if (n >= 1) stored1++;
    if (n > 1) duplicated++;
    if (n >= 1 && other.length > 0) alsoElsewhere++;
    if (n === 0) missing[fate as keyof typeof missing]++;
    rows.push({
      seq: f.seq,
      contextId: f.contextId,
      entityId: f.entityId,
      firedMs: f.intendedMs,
      deliveredTo: d?.conns ?? [],
      deliveredMs: d?.first ?? null,
      droppedBy,
      storedCount: n,
      elsewhere: other,
      fate,
    });
  }
  return {
    target,
    rows,
    summary: {
      fired: fired.length,
      delivered: delivered.size === 0 ? 0 : fired.filter((f) => delivered.has(f.contextId)).length,
      droppedByMock,
      stored: stored1,
      duplicated,
      alsoElsewhere,
      missing,
      missingTotal: Object.values(missing).reduce((a, b) => a + b, 0),
      connections: deliveries.map((d) => ({
        id: d.connection.id,
        remote: d.connection.remote_address,
        delivered: d.connection.events_delivered,
        dropped: d.connection.events_dropped,
        closeReason: d.connection.close_reason,
      })),
    },
  };
}

/** One line with every count: fired / delivered / dropped by mock / stored / missing by fate / duplicated. */
export function describeCustody(c: Custody, service: string): string {
  const s = c.summary;
  const m = s.missing;
  const conns = s.connections.map(
    (x) => `#${x.id} ${x.remote}${x.closeReason ? ` closed: ${x.closeReason}` : ''}`,
  );
  return `fired ${s.fired}, delivered to ${service} ${s.delivered} (connections ${conns.join(', ') || 'none'}), dropped by the mock ${s.droppedByMock}, stored in ${c.target.org}/${c.target.bucket}/${c.target.measurement} ${s.stored}; missing ${s.missingTotal} (never delivered ${m['never-delivered']}, dropped by the mock ${m['dropped-by-mock']}, delivered and not stored ${m['delivered-not-stored']}, overwritten ${m.overwritten}, stored elsewhere ${m['stored-elsewhere']}); duplicated ${s.duplicated}${s.alsoElsewhere ? `; stored in the test bucket and elsewhere too ${s.alsoElsewhere}` : ''}`;
}

const MAX_LISTED = 20;

/** Multi-line detail: per fate, the first events (seq, entity, context id, where). */
export function describeCustodyDetail(c: Custody): string {
  const lines: string[] = [];
  for (const fate of [...MISSING_FATES, 'duplicated'] as const) {
    const rows = c.rows.filter((r) => r.fate === fate);
    if (rows.length === 0) continue;
    const shown = rows
      .slice(0, MAX_LISTED)
      .map(
        (r) =>
          `#${r.seq} ${r.entityId} ${r.contextId}${r.elsewhere.length ? ` in ${r.elsewhere.join(' + ')}` : ''}${r.droppedBy ? ` (${r.droppedBy})` : ''}${r.storedCount > 1 ? ` x${r.storedCount}` : ''}`,
      )
      .join(', ');
    lines.push(
      `  ${fate}: ${shown}${rows.length > MAX_LISTED ? `, ... (+${rows.length - MAX_LISTED} more)` : ''}`,
    );
  }
  return lines.join('\n');
}

/** True when every fired event is stored exactly once in the target. */
export const custodyIsClean = (c: Custody) => c.summary.missingTotal === 0 && c.summary.duplicated === 0;
