/**
 * Load a real home could produce: a home sized to the event rate, whose entities keep a plausible
 * minimum gap between two updates (HOMEIQ_MIN_GAP_MS, default 1 s). On the default small home (43
 * entities) 2,000 ev/s means ~46 updates per second per entity, and InfluxDB keeps one point per
 * series and millisecond: same-entity same-millisecond updates overwrite each other, and "loss"
 * would measure the generator, not the stack. With a sized home a missing event is the stack's.
 * The same-millisecond case is checked on its own (suites/mission/throughput.test.ts).
 */
import type { HomeSummary } from '../mock-ha/control-client.ts';
import type { StartedStack } from '../stack/types.ts';
import { ingestionReady, mockHa } from './evidence.ts';

import { entitiesForRate } from './home-size.ts';

export { entitiesForRate, HOME_SLACK } from './home-size.ts';

/**
 * Loads the seeded home sized for `ratePerSec` into the stack's mock HA (unless the loaded one is
 * already that home) and waits until the ingestion is connected and subscribed again (loading a
 * home closes every connection). A loaded home of the same seed and gap with at least that many
 * entities is kept; a new one is sized for `loadForRate` when given (e.g. the next step's rate).
 * Returns the home in use.
 */
export async function useHomeForRate(
  stack: StartedStack,
  opts: { seed: number; ratePerSec: number; minGapMs: number; loadForRate?: number },
): Promise<HomeSummary> {
  const ha = mockHa(stack);
  const entities = entitiesForRate(opts.ratePerSec, opts.minGapMs);
  const current = await ha.home();
  // A larger home of the same seed and gap serves a lower rate as well (fewer updates per entity).
  if (current.seed === opts.seed && current.min_gap_ms === opts.minGapMs && current.entities >= entities)
    return current;
  const load = entitiesForRate(Math.max(opts.ratePerSec, opts.loadForRate ?? 0), opts.minGapMs);
  const home = await ha.loadHome(opts.seed, 'small', { entities: load, minGapMs: opts.minGapMs });
  await ingestionReady(stack);
  return home;
}

/**
 * Puts `original` (a GET /_mock/home answer taken before useHomeForRate) back into the stack's mock
 * HA when another home was loaded since, and waits for the ingestion to be subscribed again: a
 * suite that shares the boot leaves the mock's home as it found it, sized as the original was asked
 * for (`entities_requested`: the mock's own record, not inferred by building the home here).
 */
export async function restoreHome(stack: StartedStack, original: HomeSummary): Promise<void> {
  const ha = mockHa(stack);
  const current = await ha.home();
  if (
    current.seed === original.seed &&
    current.size === original.size &&
    current.entities === original.entities &&
    current.min_gap_ms === original.min_gap_ms
  )
    return;
  await ha.loadHome(original.seed, original.size, {
    ...(original.entities_requested === null ? {} : { entities: original.entities_requested }),
    minGapMs: original.min_gap_ms,
  });
  await ingestionReady(stack);
}
