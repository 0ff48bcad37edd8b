import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJsonBytes, describeDuplicate, duplicateKeys } from './json-file.ts';

describe('duplicate keys in hand-written JSON', () => {
  it('names each repeated key with the path of its object and every occurrence, in any object of the document', () => {
    const text =
      '{"a":1,\n"b":{"x":1,"x":2},\n"c":[{"n":1},{"n":2,\n"n":3}],\n"a":4,\n"we ird":{"k":1,"k":1,"k":2}}';
    expect(duplicateKeys(text).map((d) => [d.path, d.key, d.at.map((a) => `${a.line}:${a.column}`)])).toEqual(
      [
        ['$', 'a', ['1:2', '5:1']],
        ['$.b', 'x', ['2:6', '2:12']],
        ['$.c[1]', 'n', ['3:15', '4:1']],
        ['$["we ird"]', 'k', ['6:11', '6:17', '6:23']],
      ],
    );
    const [, , , thrice] = duplicateKeys(text);
    expect(thrice && describeDuplicate(thrice)).toBe(
      'key "k" appears 3 times (line 6 col 11, line 6 col 17, line 6 col 23): expected each key once (JSON keeps only the last)',
    );
  });

  it('finds keys JSON.parse treats specially and keys that differ only by escaping', () => {
    expect(duplicateKeys('{"__proto__":1,"__proto__":2}').map((d) => d.key)).toEqual(['__proto__']);
    // "\u0061" is "a": JSON.parse keeps one key, so this is a duplicate too.
    expect(duplicateKeys('{"a":1,"\\u0061":2}').map((d) => d.key)).toEqual(['a']);
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

describe('reading a JSON file', () => {
  it('refuses a byte order mark and bytes that are not UTF-8 (at the first bad byte), instead of U+FFFD', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(decodeJsonBytes(enc('{"a":1}'))).toEqual({ text: '{"a":1}' });
    expect(decodeJsonBytes(Uint8Array.of(0xef, 0xbb, 0xbf, 0x7b, 0x7d))).toEqual({
      problem: 'starts with a byte order mark (BOM): expected UTF-8 JSON without a BOM',
    });
    // {"a\xff":1,"a\xfe":2}: replaced, both keys read "a\ufffd" and looked like one key written twice.
    const bad = Uint8Array.of(0x7b, 0x22, 0x61, 0xff, 0x22, 0x3a, 0x31, 0x7d);
    expect(decodeJsonBytes(bad)).toEqual({
      problem: 'is not UTF-8 (first invalid byte at offset 3): expected UTF-8 JSON',
    });
    // UTF-16 (a Windows editor's "Unicode"): refused as not UTF-8, not as a JSON token error.
    const utf16 = Uint8Array.of(0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00);
    expect(decodeJsonBytes(utf16)).toEqual({
      problem: 'is not UTF-8 (first invalid byte at offset 0): expected UTF-8 JSON',
    });
  });
});
