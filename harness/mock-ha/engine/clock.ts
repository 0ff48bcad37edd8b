/** Injected time source: epoch milliseconds with sub-millisecond resolution, monotonic. */
export interface MockClock {
  now(): number;
}

export const systemClock: MockClock = {
  now: () => performance.timeOrigin + performance.now(),
};
