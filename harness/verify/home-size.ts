/** How big a home must be for an event rate (no I/O: shared by the config validation and the load). */
/** Entities per (rate x gap): 1.5 so that the gap-honouring picker always has free entities. */
export const HOME_SLACK = 1.5;
/** The small home's entity count: never size a home below what the mock starts with. */
const SMALLEST = 43;

/**
 * Entities a home needs to fire `ratePerSec` with at least `minGapMs` between two updates of one
 * entity: each entity can take at most 1000 / minGapMs updates per second.
 */
export function entitiesForRate(ratePerSec: number, minGapMs: number): number {
  return Math.max(SMALLEST, Math.ceil(HOME_SLACK * ratePerSec * (minGapMs / 1000)));
}
