import { describe, expect, it } from 'vitest';
import { countByQuery, countQuery } from './counts.ts';
import { fluxSource, fluxString } from './flux.ts';

describe('flux builders', () => {
  it('escapes quotes, backslashes and interpolation in string literals', () => {
    const interp = ['$', '{x}'].join('');
    expect(fluxString(`a"b\\c${interp}`)).toBe(`"a\\"b\\\\c\\${interp}"`);
  });

  it('filters by measurement, field and tags inside an explicit range', () => {
    expect(fluxSource({ bucket: 'b', measurement: 'm', field: 'f', tags: { run: 'r1' } })).toBe(
      'from(bucket: "b")\n  |> range(start: 0, stop: 2200-01-01T00:00:00Z)\n' +
        '  |> filter(fn: (r) => r._measurement == "m" and r._field == "f" and r["run"] == "r1")',
    );
  });

  it('counts into one table, or one table per tag value', () => {
    expect(countQuery({ bucket: 'b', field: 'f' })).toMatch(/\|> group\(\)\n {2}\|> count\(\)$/);
    expect(countByQuery({ bucket: 'b', field: 'f' }, 'entity_id')).toMatch(
      /group\(columns: \["entity_id"\]\)/,
    );
  });
});
