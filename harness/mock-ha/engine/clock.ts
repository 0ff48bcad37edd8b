/** Injected time source: epoch milliseconds with sub-millisecond resolution, monotonic. */
export interface MockClock {
  now(): number;
}

// performance.timeOrigin is a getter that is not free; it never changes within a process.
const origin = performance.timeOrigin;
export const systemClock: MockClock = {
  now: () => origin + performance.now(),
};
