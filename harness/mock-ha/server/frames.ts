/**
 * Frames for the websocket writer: HA's coalesced JSON-array frames. Queued messages are strings
 * (an event message is its subscription's prefix + the event's cached JSON + `}`, a rope V8 does
 * not copy); a flush joins them and the socket gets one UTF-8 conversion per frame, not one
 * buffer per event.
 */

/** One frame holding the queued messages as a JSON array (HA's coalescing). */
export function coalescedFrame(items: readonly string[]): string {
  return `[${items.join(',')}]`;
}
