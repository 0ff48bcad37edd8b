/**
 * Fan-out of events to websocket subscriptions. Each event is serialised once (and its
 * subscribe_entities form computed once) whatever the number of subscribers.
 */
import type { StateChange } from '../home/world.ts';
import * as msg from '../protocol/messages.ts';
import type { ClientConnection } from './connection.ts';

export class EventBus {
  readonly connections = new Set<ClientConnection>();
  eventsFired = 0;

  publishStateChange(change: StateChange): void {
    this.eventsFired++;
    let entitiesBody: string | null | undefined;
    for (const conn of this.connections) {
      if (!conn.authenticated) continue;
      for (const sub of conn.subscriptions.values()) {
        if (sub.kind === 'events') {
          if (sub.eventType !== null && sub.eventType !== 'state_changed') continue;
          conn.sendEvent(sub.prefix, change.eventJson(), change.contextId);
        } else {
          if (sub.entityIds !== null && !sub.entityIds.has(change.entityId)) continue;
          if (entitiesBody === undefined) {
            const ev = msg.entitiesEvent(change.oldState, change.newState);
            entitiesBody = ev === null ? null : JSON.stringify(ev);
          }
          if (entitiesBody !== null) conn.sendEvent(sub.prefix, entitiesBody, change.contextId);
        }
      }
    }
  }

  /** Any other event (registry updates): delivered to `all` and matching-type subscriptions. */
  publishEvent(eventType: string, event: unknown): void {
    this.eventsFired++;
    let body: string | undefined;
    for (const conn of this.connections) {
      if (!conn.authenticated) continue;
      for (const sub of conn.subscriptions.values()) {
        if (sub.kind !== 'events' || (sub.eventType !== null && sub.eventType !== eventType)) continue;
        body ??= JSON.stringify(event);
        conn.sendEvent(sub.prefix, body);
      }
    }
  }

  flush(): void {
    for (const conn of this.connections) conn.flush();
  }
}
