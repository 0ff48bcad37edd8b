/** Shapes of the Home Assistant objects the mock serves (as HA serialises them to JSON). */

export interface HaContext {
  id: string;
  parent_id: string | null;
  user_id: string | null;
}

export type Attributes = Record<string, unknown>;

export interface HaState {
  entity_id: string;
  state: string;
  attributes: Attributes;
  last_changed: string;
  last_reported: string;
  last_updated: string;
  context: HaContext;
}

export interface HaEvent<D = unknown> {
  event_type: string;
  data: D;
  origin: 'LOCAL' | 'REMOTE';
  time_fired: string;
  context: HaContext;
}

export interface StateChangedData {
  entity_id: string;
  old_state: HaState | null;
  new_state: HaState | null;
}

/** Compressed state as sent by `subscribe_entities` (`s`, `a`, `c`, `lc`, `lu`). */
export interface CompressedState {
  s: string;
  a: Attributes;
  c: string | Partial<HaContext>;
  lc: number;
  lu?: number;
}

export interface CompressedDiff {
  '+'?: Partial<Omit<CompressedState, 'c'>> & { c?: string | Partial<HaContext> };
  '-'?: { a: string[] };
}

export interface EntitiesEvent {
  a?: Record<string, CompressedState>;
  c?: Record<string, CompressedDiff>;
  r?: string[];
}
