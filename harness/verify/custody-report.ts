/**
 * The chain of custody in the report: a 'custody' measurement (summary + every event that was not
 * stored exactly once, capped) and the full per-event table as JSON next to it
 * (reports/custody/<label>-<pid>.json; columns: seq, context_id, entity_id, fired_ms,
 * delivered_to, delivered_ms, dropped_by, stored_count, elsewhere, fate).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT, recordMeasurement, reportsDir } from '../report/measurements.ts';
import type { Custody } from './custody.ts';

const MAX_ROWS_INLINE = 2_000;

export interface CustodyMeasurement {
  label: string;
  service: string;
  target: Custody['target'];
  summary: Custody['summary'];
  /** Events not stored exactly once (first MAX_ROWS_INLINE). */
  notClean: Custody['rows'];
  /** Path of the full per-event table, relative to the repo. */
  table: string;
}

export function recordCustody(label: string, service: string, custody: Custody): CustodyMeasurement {
  const dir = join(reportsDir(), 'custody');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${label.replace(/[^a-z0-9-]+/gi, '-')}-${process.pid}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      label,
      service,
      target: custody.target,
      summary: custody.summary,
      columns: [
        'seq',
        'context_id',
        'entity_id',
        'fired_ms',
        'delivered_to',
        'delivered_ms',
        'dropped_by',
        'stored_count',
        'elsewhere',
        'fate',
      ],
      rows: custody.rows.map((r) => [
        r.seq,
        r.contextId,
        r.entityId,
        r.firedMs,
        r.deliveredTo,
        r.deliveredMs,
        r.droppedBy,
        r.storedCount,
        r.elsewhere,
        r.fate,
      ]),
    }),
  );
  const m: CustodyMeasurement = {
    label,
    service,
    target: custody.target,
    summary: custody.summary,
    notClean: custody.rows.filter((r) => r.fate !== 'stored').slice(0, MAX_ROWS_INLINE),
    table: relative(REPO_ROOT, file),
  };
  recordMeasurement('custody', m);
  return m;
}
