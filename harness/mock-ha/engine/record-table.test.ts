import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../home/rng.ts';
import { Ledger } from './ledger.ts';
import { RECORD_BYTES, RecordTable } from './record-table.ts';

const dir = mkdtempSync(join(tmpdir(), 'record-table-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const idOf = (i: number) =>
  i % 97 === 0
    ? `ctx-${'é'.repeat(3)}-${i}`
    : i % 101 === 0
      ? `x${'y'.repeat(40)}${i}`
      : `01J${String(i).padStart(23, '0')}`;

describe('record table (bounded memory, spilled to a file)', () => {
  it('keeps only the newest chunks in memory and reads every record back, spilled or not', () => {
    const t = new RecordTable({ chunkRecords: 64, residentChunks: 2, spillDir: dir });
    for (let i = 0; i < 1000; i++) t.append(i * 1.5, Number.NaN, i % 7, idOf(i));
    expect(t.length).toBe(1000);
    expect(t.spilledChunks).toBe(Math.ceil(1000 / 64) - 2);
    // Memory: the resident chunks and one read cache, whatever the length.
    expect(t.residentBytes).toBeLessThanOrEqual(3 * 64 * RECORD_BYTES);
    // The spill file is unlinked at once: nothing left behind, even after a SIGKILL.
    expect(readdirSync(dir)).toEqual([]);
    t.fillT1(10, 990, 42.25); // across spilled and resident chunks
    for (let i = 0; i < 1000; i++) {
      expect(t.t0(i)).toBe(i * 1.5);
      expect(t.ref(i)).toBe(i % 7);
      expect(t.id(i)).toBe(idOf(i)); // ASCII ids inline, others (non-ASCII, > 27 chars) beside
      if (i >= 10 && i < 990) expect(t.t1(i)).toBe(42.25);
      else expect(t.t1(i)).toBeNaN();
    }
    const seen: number[] = [];
    t.scan((t0) => seen.push(t0));
    expect(seen).toEqual([...Array(1000).keys()].map((i) => i * 1.5));
    t.dispose();
    expect(t.length).toBe(0);
    t.dispose(); // idempotent
  });

  it('a ledger that spilled answers exactly as one that did not (entries, pages, statistics)', () => {
    const small = new Ledger({ chunkRecords: 256, residentChunks: 2, spillDir: dir });
    const big = new Ledger();
    const rng = new Rng(9);
    for (let i = 0; i < 5000; i++) {
      const intended = 1_700_000_000_000 + i * 0.2;
      const entity = `sensor.s${rng.int(0, 40)}`;
      for (const l of [small, big]) l.append(idOf(i), entity, intended, Number.NaN);
      if (i % 50 === 49) {
        const late = rng.float() * 3;
        for (const l of [small, big]) l.markSent(i - 49, i + 1, intended + late);
      }
    }
    expect(small.residentBytes).toBeLessThanOrEqual(3 * 256 * RECORD_BYTES);
    expect(small.slice(0, 5000)).toEqual(big.slice(0, 5000));
    expect(small.entry(1234)).toEqual(big.entry(1234));
    expect(small.stats()).toEqual(big.stats());
    small.seal();
    big.seal();
    expect(small.stats()).toEqual(big.stats());
    expect(small.stats().count).toBe(5000);
    small.dispose();
  });
});
