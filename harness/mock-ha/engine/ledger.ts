/**
 * Per-run ledger of fired events: seq -> {context_id, entity_id, intended time, sent time}.
 * Fixed-width records (record-table.ts: 48 bytes per event, entity ids interned, context ids as
 * bytes) with bounded memory: the newest chunks stay in memory, older ones are spilled to a file
 * and read back when queried, so the ledger answers every query whatever the run's length while
 * its memory stays flat. Times are epoch milliseconds with sub-millisecond precision.
 */
import { RecordTable, type RecordTableOptions } from './record-table.ts';

export interface LedgerEntry {
  seq: number;
  context_id: string;
  entity_id: string;
  /** When the open-model schedule says the event is due (epoch ms). */
  intended_ts: number;
  /** When the mock handed the event to the subscribers' send queues (epoch ms). */
  sent_ts: number;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LedgerStats {
  count: number;
  /** Rate the schedule asked for over the events fired so far ((n-1) / intended span), ev/s. */
  intended_rate: number | null;
  /** Rate actually delivered ((n-1) / sent span), ev/s. */
  achieved_rate: number | null;
  /** achieved_rate / intended_rate - 1. */
  rate_error: number | null;
  /** Scheduler lateness: sent_ts - intended_ts per event, ms. */
  lateness_ms: Percentiles | null;
}

export function percentiles(values: Float64Array, inPlace = false): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = inPlace ? values.sort() : Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
  let sum = 0;
  for (const v of sorted) sum += v;
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return {
    p50: r(at(0.5)),
    p95: r(at(0.95)),
    p99: r(at(0.99)),
    max: r(sorted[sorted.length - 1] as number),
    mean: r(sum / sorted.length),
  };
}

/**
 * Streaming lateness histogram: log buckets 1 % wide from 1 µs to ~10 min, so a running run's
 * percentiles cost O(buckets) instead of a sort of every event (reports are polled during runs).
 */
const H_MIN = 0.001;
const H_STEP = Math.log(1.01);
const H_BUCKETS = 2100;
const bucketOf = (ms: number) =>
  ms <= H_MIN ? 0 : Math.min(H_BUCKETS - 1, 1 + Math.floor(Math.log(ms / H_MIN) / H_STEP));
const bucketTop = (i: number) => (i === 0 ? H_MIN : H_MIN * Math.exp(i * H_STEP));

export class Ledger {
  #hist = new Uint32Array(H_BUCKETS);
  #latCount = 0;
  #latSum = 0;
  #latMax = 0;
  #sealed: LedgerStats | null = null;
  readonly #table: RecordTable;
  /** Interned entity ids: index -> id, id -> index. */
  readonly #entityIds: string[] = [];
  readonly #entityIndex = new Map<string, number>();
  #first = { intended: Number.NaN, sent: Number.NaN };
  #last = { intended: Number.NaN, sent: Number.NaN };

  constructor(opts: RecordTableOptions = {}) {
    this.#table = new RecordTable(opts);
  }

  get length(): number {
    return this.#table.length;
  }

  /** Bytes of entries held in memory now (the rest is in the spill file). */
  get residentBytes(): number {
    return this.#table.residentBytes;
  }

  append(contextId: string, entityId: string, intendedTs: number, sentTs: number): number {
    let ref = this.#entityIndex.get(entityId);
    if (ref === undefined) {
      ref = this.#entityIds.length;
      this.#entityIds.push(entityId);
      this.#entityIndex.set(entityId, ref);
    }
    const seq = this.#table.append(intendedTs, sentTs, ref, contextId);
    if (seq === 0) this.#first = { intended: intendedTs, sent: sentTs };
    this.#last.intended = intendedTs;
    this.#last.sent = sentTs;
    if (!Number.isNaN(sentTs)) this.#record(sentTs - intendedTs);
    return seq;
  }

  /** Stamps the sent time of entries [from, to) (the batch just handed to the writers). */
  markSent(from: number, to: number, sentTs: number): void {
    if (to <= from) return;
    this.#table.fillT1(from, to, sentTs);
    for (let i = from; i < to; i++) this.#record(sentTs - this.#table.t0(i));
    if (from === 0) this.#first.sent = sentTs;
    if (to === this.#table.length) this.#last.sent = sentTs;
  }

  /** Releases the ledger's memory and spill file; it answers nothing afterwards. */
  dispose(): void {
    this.#table.dispose();
  }

  #record(lateMs: number) {
    const v = Math.max(0, lateMs);
    const b = bucketOf(v);
    this.#hist[b] = (this.#hist[b] as number) + 1;
    this.#latCount++;
    this.#latSum += v;
    if (v > this.#latMax) this.#latMax = v;
  }

  /** Percentiles from the histogram (each within 1 % above the exact value); max and mean exact. */
  #approxLateness(): Percentiles | null {
    if (this.#latCount === 0) return null;
    const at = (q: number) => {
      const rank = Math.ceil(q * this.#latCount);
      let seen = 0;
      for (let i = 0; i < H_BUCKETS; i++) {
        seen += this.#hist[i] as number;
        if (seen >= rank) return Math.min(bucketTop(i), this.#latMax);
      }
      return this.#latMax;
    };
    const r = (v: number) => Math.round(v * 1000) / 1000;
    return {
      p50: r(at(0.5)),
      p95: r(at(0.95)),
      p99: r(at(0.99)),
      max: r(this.#latMax),
      mean: r(this.#latSum / this.#latCount),
    };
  }

  /** The run is over: the next stats() computes exact percentiles once and keeps them. */
  seal(): void {
    this.#sealed = null;
    this.#sealed = this.#compute(true);
  }

  entry(seq: number): LedgerEntry | undefined {
    if (!Number.isInteger(seq) || seq < 0 || seq >= this.#table.length) return undefined;
    const t = this.#table;
    return {
      seq,
      context_id: t.id(seq),
      entity_id: this.#entityIds[t.ref(seq)] as string,
      intended_ts: t.t0(seq),
      sent_ts: t.t1(seq),
    };
  }

  slice(from: number, limit: number): LedgerEntry[] {
    const out: LedgerEntry[] = [];
    for (let i = Math.max(0, from); i < Math.min(this.#table.length, from + limit); i++)
      out.push(this.entry(i) as LedgerEntry);
    return out;
  }

  stats(): LedgerStats {
    return this.#sealed ?? this.#compute(false);
  }

  #compute(exact: boolean): LedgerStats {
    const n = this.#table.length;
    let lateness: Percentiles | null;
    if (exact) {
      const t = this.#table;
      const all = new Float64Array(n);
      let k = 0;
      t.scan((intended, sent) => {
        all[k++] = Math.max(0, sent - intended);
      });
      lateness = percentiles(all, true);
    } else lateness = this.#approxLateness();
    if (n < 2)
      return { count: n, intended_rate: null, achieved_rate: null, rate_error: null, lateness_ms: lateness };
    const intendedSpan = this.#last.intended - this.#first.intended;
    const sentSpan = this.#last.sent - this.#first.sent;
    const intended = intendedSpan > 0 ? ((n - 1) * 1000) / intendedSpan : null;
    const achieved = sentSpan > 0 ? ((n - 1) * 1000) / sentSpan : null;
    return {
      count: n,
      intended_rate: intended,
      achieved_rate: achieved,
      rate_error: intended && achieved ? achieved / intended - 1 : null,
      lateness_ms: lateness,
    };
  }
}
