import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { duplicateKeys } from './json-keys.ts';

describe('duplicate keys in hand-written JSON', () => {
  it('names each repeated key with the path of its object and both lines, in any object of the document', () => {
    const text =
      '{"a":1,\n"b":{"x":1,"x":2},\n"c":[{"n":1},{"n":2,\n"n":3}],\n"a":4,\n"we ird":{"k":1,"k":1}}';
    expect(duplicateKeys(text)).toEqual([
      { path: '$.b', key: 'x', quoted: '"x"', firstLine: 2, line: 2 },
      { path: '$.c[1]', key: 'n', quoted: '"n"', firstLine: 3, line: 4 },
      { path: '$', key: 'a', quoted: '"a"', firstLine: 1, line: 5 },
      { path: '$["we ird"]', key: 'k', quoted: '"k"', firstLine: 6, line: 6 },
    ]);
  });

  it('finds keys JSON.parse treats specially and keys that differ only by escaping, and quotes controls', () => {
    expect(duplicateKeys('{"__proto__":1,"__proto__":2}').map((d) => d.key)).toEqual(['__proto__']);
    // "\u0061" is "a": JSON.parse keeps one key, so this is a duplicate too.
    expect(duplicateKeys('{"a":1,"\\u0061":2}').map((d) => d.key)).toEqual(['a']);
    const [d] = duplicateKeys('{"\\u001b\\u009b":1,"\\u001b\\u009b":2}');
    expect(d?.quoted).toBe('"\\u001b\\u009b"');
    expect(
      Array.from(d?.quoted ?? '').filter(
        (c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f),
      ),
    ).toEqual([]);
  });

  it('never throws: broken text, and a document nested deeper than the scanner recurses', () => {
    expect(duplicateKeys('{"a":')).toEqual([]);
    expect(duplicateKeys(`${'['.repeat(200_000)}${']'.repeat(200_000)}`)).toEqual([]);
  });

  it('finds none in anything JSON.stringify wrote, and exactly the one planted into an object', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(duplicateKeys(JSON.stringify(v, null, 1))).toEqual([]);
      }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }),
        fc.jsonValue(),
        (obj, extra) => {
          const text = JSON.stringify(obj);
          const key = Object.keys(obj)[0] as string;
          const planted = `${text.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(extra)}}`;
          expect(
            duplicateKeys(planted)
              .filter((d) => d.path === '$')
              .map((d) => d.key),
          ).toEqual([key]);
        },
      ),
    );
  });
});
