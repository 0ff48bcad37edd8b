import { describe, expect, it } from 'vitest';
import { Rng } from '../home/rng.ts';
import { Ledger } from './ledger.ts';

describe('ledger statistics', () => {
  const fill = () => {
    const ledger = new Ledger();
    const rng = new Rng(5);
    for (let i = 0; i < 20_000; i++) {
      const intended = 1_000_000 + i * 0.2;
      const late = rng.chance(0.02) ? 5 + rng.float() * 200 : rng.float() * 2; // a slow tail
      ledger.append(`c${i}`, 'sensor.x', intended, intended + late);
    }
    return ledger;
  };

  it('reports percentiles from a streaming histogram while running (<= 1 % above exact), exact once sealed', () => {
    const ledger = fill();
    const running = ledger.stats().lateness_ms;
    ledger.seal();
    const exact = ledger.stats().lateness_ms;
    expect(exact).not.toBeNull();
    for (const q of ['p50', 'p95', 'p99'] as const) {
      const e = exact?.[q] ?? 0;
      expect(running?.[q]).toBeGreaterThanOrEqual(e - 0.001);
      expect(running?.[q]).toBeLessThanOrEqual(e * 1.01 + 0.001);
    }
    expect(running?.max).toBe(exact?.max);
    expect(running?.mean).toBeCloseTo(exact?.mean ?? 0, 2);
  });

  it('computes achieved rate from the sent span and the error against the intended rate', () => {
    const ledger = new Ledger();
    for (let i = 0; i < 1001; i++) ledger.append(`c${i}`, 'sensor.x', i * 2, i * 2 * 1.01); // 1 % slower
    const s = ledger.stats();
    expect(s.intended_rate).toBeCloseTo(500, 6);
    expect(s.achieved_rate).toBeCloseTo(500 / 1.01, 6);
    expect(s.rate_error).toBeCloseTo(1 / 1.01 - 1, 9);
  });
});
