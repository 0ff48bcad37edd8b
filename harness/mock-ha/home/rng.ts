/** Seeded randomness for the synthetic home (pure-rand), plus a seeded ULID source. */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { ulid } from 'ulid';

export class Rng {
  readonly #gen: RandomGenerator;
  constructor(seed: number) {
    this.#gen = xoroshiro128plus(seed | 0);
  }
  /** Float in [0, 1). */
  float(): number {
    return uniformFloat64(this.#gen);
  }
  /** Integer in [from, to] (both included). */
  int(from: number, to: number): number {
    return uniformInt(this.#gen, from, to);
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }
  /** Lower-case hex string of `chars` characters (HA device ids are 32 hex chars). */
  hex(chars: number): string {
    let out = '';
    for (let i = 0; i < chars; i++) out += this.int(0, 15).toString(16);
    return out;
  }
  /** ULID whose time part is `epochMs` and whose random part comes from this generator. */
  ulid(epochMs: number): string {
    return ulid(Math.floor(epochMs), () => this.float());
  }
}
