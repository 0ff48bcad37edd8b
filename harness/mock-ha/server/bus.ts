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
    let entitiesJson: string | undefined;
    for (const conn of this.connections) {
      if (!conn.authenticated) continue;
      for (const [subId, sub] of conn.subscriptions) {
        if (sub.kind === 'events') {
          if (sub.eventType !== null && sub.eventType !== 'state_changed') continue;
          conn.send(msg.eventMessageJson(subId, change.eventJson()));
          conn.eventsSent++;
        } else {
          if (sub.entityIds !== null && !sub.entityIds.has(change.entityId)) continue;
          if (entitiesJson === undefined) {
            const ev = msg.entitiesEvent(change.oldState, change.newState);
            if (ev === null) continue;
            entitiesJson = JSON.stringify(ev);
          }
          conn.send(msg.eventMessageJson(subId, entitiesJson));
          conn.eventsSent++;
        }
      }
    }
  }

  /** Any other event (registry updates): delivered to `all` and matching-type subscriptions. */
  publishEvent(eventType: string, event: unknown): void {
    this.eventsFired++;
    let json: string | undefined;
    for (const conn of this.connections) {
      if (!conn.authenticated) continue;
      for (const [subId, sub] of conn.subscriptions) {
        if (sub.kind !== 'events' || (sub.eventType !== null && sub.eventType !== eventType)) continue;
        json ??= JSON.stringify(event);
        conn.send(msg.eventMessageJson(subId, json));
        conn.eventsSent++;
      }
    }
  }

  flush(): void {
    for (const conn of this.connections) conn.flush();
  }
}
