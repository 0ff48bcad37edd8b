import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeForLine, quote } from './quote.ts';

const unsafe = (code: number) =>
  code < 0x20 ||
  (code >= 0x7f && code <= 0x9f) ||
  code === 0x2028 ||
  code === 0x2029 ||
  code === 0x200e ||
  code === 0x200f ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2066 && code <= 0x2069);

describe('values echoed into one-line messages', () => {
  it('escapes every control, line separator and bidi control, quoted or not', () => {
    const hostile = '\u001b[31mX\u2028Y\u202eZ\u0085\u007f\u2066';
    expect(escapeForLine(hostile)).toBe('\\u001b[31mX\\u2028Y\\u202eZ\\u0085\\u007f\\u2066');
    expect(quote(hostile)).toBe('"\\u001b[31mX\\u2028Y\\u202eZ\\u0085\\u007f\\u2066"');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        for (const text of [quote(s, { max: 1_000_000 }), escapeForLine(s)])
          for (const c of text) expect(unsafe(c.codePointAt(0) as number)).toBe(false);
      }),
    );
  });

  it('cuts long values saying how long they were, never inside an escape', () => {
    expect(quote('k'.repeat(5_000))).toBe(`"${'k'.repeat(79)}... (5002 chars)`);
    expect(quote('k'.repeat(5_000), { max: 60 })).toBe(`"${'k'.repeat(59)}... (5002 chars)`);
    expect(quote(`${'a'.repeat(78)}\u001b`)).toBe(`"${'a'.repeat(78)}\\u001b... (86 chars)`);
    expect(quote(undefined)).toBe('absent');
  });
});
