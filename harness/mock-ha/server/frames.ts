/** Frames for the websocket writer: queued messages and HA's coalesced JSON-array frames. */

/** An event message waiting in the queue: prefix + event + `}`, never copied until framed. */
export interface QueuedEvent {
  prefix: Buffer;
  body: Buffer;
  /** Index in the connection's delivery record, for state changes (see deliveries.ts). */
  ctx?: number;
}
export type Queued = string | QueuedEvent;
export const RBRACE = Buffer.from('}');

/** One frame holding the queued messages as a JSON array (HA's coalescing). */
export function coalescedFrame(items: readonly Queued[]): Buffer {
  let total = 1 + items.length; // '[' plus a ',' or ']' after each item
  for (const it of items)
    total += typeof it === 'string' ? Buffer.byteLength(it) : it.prefix.length + it.body.length + 1;
  const out = Buffer.allocUnsafe(total);
  let o = 0;
  out[o++] = 0x5b;
  items.forEach((it, i) => {
    if (i > 0) out[o++] = 0x2c;
    if (typeof it === 'string') o += out.write(it, o);
    else {
      o += it.prefix.copy(out, o);
      o += it.body.copy(out, o);
      out[o++] = 0x7d;
    }
  });
  out[o++] = 0x5d;
  return out;
}
