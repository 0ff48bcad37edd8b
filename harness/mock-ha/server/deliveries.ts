/**
 * Per-connection delivery record: every state change queued for one websocket client, by
 * context id, with the time it was queued and the time it was handed to the socket. Events still
 * queued when the connection closed are the mock's drops (slow consumer, disconnect). This is the
 * evidence the harness's chain of custody reads (harness/verify/custody.ts): it needs nothing from
 * the client under test.
 *
 * Columnar like the ledger (one string reference and two doubles per event).
 */

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
  #ids: string[] = [];
  #queued = new Float64Array(1024);
  #delivered = new Float64Array(1024);
  #deliveredCount = 0;

  /** Events queued for this client so far. */
  get queued(): number {
    return this.#ids.length;
  }
  /** Events handed to the socket so far. */
  get delivered(): number {
    return this.#deliveredCount;
  }

  /** Records a queued event; returns its index (give it to markDelivered). */
  queue(contextId: string, now: number): number {
    const i = this.#ids.length;
    if (i === this.#queued.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.#queued = grow(this.#queued);
      this.#delivered = grow(this.#delivered);
    }
    this.#ids.push(contextId);
    this.#queued[i] = now;
    this.#delivered[i] = Number.NaN;
    return i;
  }

  markDelivered(index: number, now: number): void {
    if (index < 0 || index >= this.#ids.length || !Number.isNaN(this.#delivered[index] as number)) return;
    this.#delivered[index] = now;
    this.#deliveredCount++;
  }

  slice(from: number, limit: number): DeliveryEntry[] {
    const out: DeliveryEntry[] = [];
    const start = Math.max(0, Math.floor(from));
    const end = Math.min(this.#ids.length, start + Math.max(0, Math.floor(limit)));
    for (let i = start; i < end; i++) {
      const d = this.#delivered[i] as number;
      out.push({
        index: i,
        context_id: this.#ids[i] as string,
        queued_ts: this.#queued[i] as number,
        delivered_ts: Number.isNaN(d) ? null : d,
      });
    }
    return out;
  }
}
