import { describe, expect, it } from 'vitest';
import { InterpolationError, interpolate } from './interpolate.ts';

const vars = new Map([
  ['SET', 'v'],
  ['EMPTY', ''],
]);
const run = (s: string) => interpolate(s, vars).value;

describe('compose interpolation', () => {
  it('substitutes $VAR and ${VAR}, keeps $$ as $', () => {
    expect(run('a-$SET-${SET}-$$SET')).toBe('a-v-v-$SET');
  });
  it('applies :- and - defaults by unset-or-empty vs unset', () => {
    expect(run('${EMPTY:-d}|${EMPTY-d}|${NOPE-d}|${SET:-d}')).toBe('d||d|v');
  });
  it('nests defaults', () => {
    expect(run('${NOPE:-${ALSO:-${SET}}}')).toBe('v');
    expect(run('${APP_IMAGE:-homeiq/app:local}')).toBe('homeiq/app:local');
  });
  it('applies :+ and + alternatives', () => {
    expect(run('${SET:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${NOPE+alt}')).toBe('alt||alt|');
  });
  it('reports unset variables without a default and substitutes ""', () => {
    expect(interpolate('x${NOPE}y$ALSO', vars)).toEqual({ value: 'xy', unset: ['NOPE', 'ALSO'] });
  });
  it('throws for required variables, unterminated and invalid expressions', () => {
    expect(() => run('${NOPE:?set NOPE please}')).toThrow(
      /required variable NOPE is missing a value: set NOPE please/,
    );
    expect(() => run('${EMPTY?x}')).not.toThrow();
    expect(() => run('${SET')).toThrow(InterpolationError);
    expect(() => run('${1BAD}')).toThrow(/invalid variable/);
    expect(() => run('${SET%x}')).toThrow(/invalid variable/);
  });
});
