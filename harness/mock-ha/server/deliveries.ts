/**
 * Per-connection delivery record: every state change queued for one websocket client, by
 * context id, with the time it was queued and the time it was handed to the socket. Events still
 * queued when the connection closed are the mock's drops (slow consumer, disconnect). This is the
 * evidence the harness's chain of custody reads (harness/verify/custody.ts): it needs nothing from
 * the client under test.
 *
 * Fixed-width records like the ledger (engine/record-table.ts: 48 bytes per event, the context id
 * as bytes) with bounded memory: old chunks are spilled to a file and read back when queried.
 * A connection hands its queue to the socket in order, so delivery is a watermark: every record
 * below it was delivered.
 */
import { RecordTable } from '../engine/record-table.ts';

/** One event as one client got it. `delivered_ts` null: not handed to the socket (pending or dropped). */
export interface DeliveryEntry {
  /** Position in this connection's record (0-based). */
  index: number;
  context_id: string;
  /** Epoch ms the mock queued it for this client. */
  queued_ts: number;
  /** Epoch ms the mock handed it to the TCP socket; null when it never was. */
  delivered_ts: number | null;
}

export class DeliveryRecord {
  /** 4096 records (192 KiB) a chunk, 8 in memory: more than the most a client may have pending (16384). */
  readonly #table = new RecordTable({ chunkRecords: 4096, residentChunks: 8 });
  #deliveredCount = 0;

  /** Events queued for this client so far. */
  get queued(): number {
    return this.#table.length;
  }
  /** Events handed to the socket so far. */
  get delivered(): number {
    return this.#deliveredCount;
  }

  /** Records a queued event; returns its index. */
  queue(contextId: string, now: number): number {
    return this.#table.append(now, Number.NaN, 0, contextId);
  }

  /**
   * Every event queued before index `end` has been handed to the socket (now). Events are
   * delivered in the order they were queued.
   */
  markDeliveredUpTo(end: number, now: number): void {
    const to = Math.min(end, this.#table.length);
    if (to <= this.#deliveredCount) return;
    this.#table.fillT1(this.#deliveredCount, to, now);
    this.#deliveredCount = to;
  }

  slice(from: number, limit: number): DeliveryEntry[] {
    const out: DeliveryEntry[] = [];
    const start = Math.max(0, Math.floor(from));
    const end = Math.min(this.#table.length, start + Math.max(0, Math.floor(limit)));
    for (let i = start; i < end; i++) {
      const d = this.#table.t1(i);
      out.push({
        index: i,
        context_id: this.#table.id(i),
        queued_ts: this.#table.t0(i),
        delivered_ts: Number.isNaN(d) ? null : d,
      });
    }
    return out;
  }

  /** Releases the record's memory and spill file. */
  dispose(): void {
    this.#table.dispose();
  }
}
