/**
 * Match every event the mock HA fired against what landed in InfluxDB, by context_id:
 * missing (not in the test bucket), duplicated (more than once), misplaced (in the production
 * bucket), and unexpected (in the test bucket but never fired by this run).
 */
import { deployment } from '../config/defaults.ts';

export interface FiredEvent {
  seq: number;
  contextId: string;
  entityId: string;
  /** Intended fire time, epoch ms. */
  intendedMs: number;
  /** Actual send time, epoch ms (when the mock reports it). */
  sentMs?: number;
}

export interface StoredEvent {
  contextId: string;
  bucket: string;
  entityId?: string;
}

export interface LedgerMatch {
  fired: number;
  stored: number;
  missing: FiredEvent[];
  duplicated: { contextId: string; entityId: string; count: number }[];
  misplaced: { contextId: string; entityId: string; bucket: string }[];
  unexpected: string[];
  /**
   * Missing events that share entity_id and millisecond with another fired event: InfluxDB keeps
   * one point per series and timestamp, so a millisecond-precision writer overwrites one of them.
   */
  sameMillisecond: number;
}

export function matchLedger(
  fired: FiredEvent[],
  stored: StoredEvent[],
  buckets: { test: string; production: string } = {
    test: deployment.test.bucket,
    production: deployment.production.bucket,
  },
): LedgerMatch {
  const inTest = new Map<string, number>();
  const inProd = new Set<string>();
  for (const s of stored) {
    if (s.bucket === buckets.test) inTest.set(s.contextId, (inTest.get(s.contextId) ?? 0) + 1);
    else if (s.bucket === buckets.production) inProd.add(s.contextId);
  }
  const firedIds = new Set(fired.map((f) => f.contextId));
  const result: LedgerMatch = {
    fired: fired.length,
    stored: stored.length,
    missing: [],
    duplicated: [],
    misplaced: [],
    unexpected: [...inTest.keys()].filter((id) => !firedIds.has(id)),
    sameMillisecond: 0,
  };
  const perMs = new Map<string, number>();
  const msKey = (f: FiredEvent) => `${f.entityId}@${Math.floor(f.intendedMs)}`;
  for (const f of fired) perMs.set(msKey(f), (perMs.get(msKey(f)) ?? 0) + 1);
  for (const f of fired) {
    const n = inTest.get(f.contextId) ?? 0;
    if (n === 0) {
      result.missing.push(f);
      if ((perMs.get(msKey(f)) ?? 0) > 1) result.sameMillisecond++;
    }
    if (n > 1) result.duplicated.push({ contextId: f.contextId, entityId: f.entityId, count: n });
    if (inProd.has(f.contextId))
      result.misplaced.push({ contextId: f.contextId, entityId: f.entityId, bucket: buckets.production });
  }
  return result;
}

export function ledgerIsClean(m: LedgerMatch): boolean {
  return m.missing.length === 0 && m.duplicated.length === 0 && m.misplaced.length === 0;
}

const MAX_LISTED = 50;

function listed<T>(items: T[], fmt: (t: T) => string): string {
  const shown = items.slice(0, MAX_LISTED).map(fmt).join(', ');
  return items.length > MAX_LISTED ? `${shown}, ... (+${items.length - MAX_LISTED} more)` : shown;
}

/** A multi-line message with exact lists, for a failing check. */
export function describeLedger(
  m: LedgerMatch,
  service: string,
  buckets = { test: deployment.test.bucket, production: deployment.production.bucket },
): string {
  const lines = [
    `${service}: of ${m.fired} events fired by the mock HA, expected each exactly once in "${buckets.test}" and never in "${buckets.production}"; measured ${m.missing.length} missing, ${m.duplicated.length} duplicated, ${m.misplaced.length} misplaced`,
  ];
  if (m.missing.length)
    lines.push(`  missing: ${listed(m.missing, (f) => `#${f.seq} ${f.entityId} ${f.contextId}`)}`);
  if (m.sameMillisecond)
    lines.push(
      `  ${m.sameMillisecond} of the missing share entity_id and millisecond with another fired event (InfluxDB keeps one point per series and timestamp: a millisecond-precision write overwrites the other)`,
    );
  if (m.duplicated.length)
    lines.push(`  duplicated: ${listed(m.duplicated, (d) => `${d.entityId} ${d.contextId} x${d.count}`)}`);
  if (m.misplaced.length)
    lines.push(
      `  misplaced in "${buckets.production}": ${listed(m.misplaced, (d) => `${d.entityId} ${d.contextId}`)}`,
    );
  if (m.unexpected.length)
    lines.push(`  (not fired by this run, ignored: ${m.unexpected.length} context ids in "${buckets.test}")`);
  return lines.join('\n');
}
