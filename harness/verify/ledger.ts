/** A fired event as the mock HA's ledger records it (the first link of the chain of custody). */
export interface FiredEvent {
  seq: number;
  contextId: string;
  entityId: string;
  /** Intended fire time = the event's time_fired, epoch ms. */
  intendedMs: number;
  /** When the mock handed it to the subscribers' send queues, epoch ms. */
  sentMs?: number;
}
