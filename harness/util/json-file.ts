/**
 * Hand-written JSON files (stack profiles, the planted-fault matrix), read as strictly as a person
 * needs to trust them, and quoted safely in one-line messages.
 *
 * - Text: UTF-8 only (a byte sequence that is not UTF-8 is refused at its offset, not replaced by
 *   U+FFFD, which made two different keys look like one), no byte order mark.
 * - Depth: bounded before anything recursive runs (a document nested 10^4 deep overflowed the call
 *   stack of JSON.stringify and of the duplicate scan).
 * - Duplicate keys: JSON.parse keeps the last of two equal keys without a word, so a role written
 *   twice in a profile silently drops the first. RFC 8259 §4 says names SHOULD be unique; the
 *   harness refuses repeats in files people edit. The scan is jsonc-parser's (Microsoft's JSON
 *   scanner, the one VS Code uses), run on text JSON.parse has already accepted.
 */
import { type JSONPath, visit } from 'jsonc-parser';
import { quote } from './quote.ts';

/** One path segment: `.name` when identifier-like and short, else `["quoted"]` (cut), `[3]` for an index. */
export function pathSegment(seg: string | number | symbol): string {
  if (typeof seg === 'number') return `[${seg}]`;
  const s = String(seg);
  return s.length <= 60 && /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(s) ? `.${s}` : `[${quote(s, { max: 60 })}]`;
}

/**
 * A value JSON.parse read from a file, as a message shows it (quote()); a number that overflowed to
 * ±Infinity says so (JSON would write it as null).
 */
export function showJsonValue(v: unknown): string {
  return typeof v === 'number' && !Number.isFinite(v)
    ? 'a number too large for a double (it overflows)'
    : quote(v);
}

/** `$.a[2]["we ird"]` from path segments. */
export function jsonPathText(path: readonly (string | number | symbol)[]): string {
  return `$${path.map(pathSegment).join('')}`;
}

/**
 * The text of a JSON file's bytes, or the one problem that stops reading it: a byte order mark,
 * or bytes that are not UTF-8 (with the offset of the first).
 */
export function decodeJsonBytes(bytes: Uint8Array): { text: string } | { problem: string } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return { problem: 'starts with a byte order mark (BOM): expected UTF-8 JSON without a BOM' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return {
      problem: `is not UTF-8 (first invalid byte at offset ${firstInvalidUtf8(bytes)}): expected UTF-8 JSON`,
    };
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  // Bisect on the longest prefix that decodes (streaming: a prefix may end inside a sequence).
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  // The prefix may end inside a sequence that the next byte broke: report where that sequence began.
  const complete = (n: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, n));
      return true;
    } catch {
      return false;
    }
  };
  for (let back = 0; back < 3 && lo > 0 && !complete(lo); back++) lo--;
  return lo;
}

/** Depth of nested arrays/objects, without recursion; stops counting past `limit`. */
export function nestingDepth(root: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

export interface DuplicateKey {
  /** Path of the object holding the key, `$` for the top level: `$.roles`, `$[3].expect`. */
  path: string;
  key: string;
  /** The key quoted for a one-line message (harness/util/quote.ts). */
  quoted: string;
  /** Every occurrence, 1-based line and column, in document order (two or more). */
  at: { line: number; column: number }[];
}

/** `key "x" appears 3 times (line 2 col 5, line 9 col 5, line 12 col 3)`. */
export function describeDuplicate(d: DuplicateKey): string {
  const where = d.at.map((a) => `line ${a.line} col ${a.column}`).join(', ');
  return `key ${d.quoted} appears ${d.at.length === 2 ? 'twice' : `${d.at.length} times`} (${where}): expected each key once (JSON keeps only the last)`;
}

/**
 * Every key repeated within one object of `text`, in the order of their first occurrence. Call it
 * on text JSON.parse accepted and whose depth is bounded (nestingDepth): jsonc-parser recurses per
 * level. Never throws; on a document too deep for the scanner it returns what it found before.
 */
export function duplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const objects: Map<string, DuplicateKey>[] = [];
  try {
    visit(
      text,
      {
        onObjectBegin: () => {
          objects.push(new Map());
        },
        onObjectEnd: () => {
          const seen = objects.pop();
          if (seen) for (const d of seen.values()) if (d.at.length > 1) found.push(d);
        },
        onObjectProperty: (key, _offset, _length, startLine, startCharacter, pathSupplier) => {
          const seen = objects.at(-1);
          if (!seen) return;
          const at = { line: startLine + 1, column: startCharacter + 1 };
          const d = seen.get(key);
          if (d) d.at.push(at);
          else
            seen.set(key, {
              path: jsonPathText(pathSupplier() as JSONPath),
              key,
              quoted: quote(key),
              at: [at],
            });
        },
      },
      { disallowComments: true },
    );
  } catch {
    // Too deep for the scanner's recursion: callers bound the depth first.
  }
  const first = (d: DuplicateKey) => d.at[0] ?? { line: 0, column: 0 };
  return found.sort((a, b) => first(a).line - first(b).line || first(a).column - first(b).column);
}
