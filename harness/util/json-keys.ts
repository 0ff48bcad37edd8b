/**
 * Duplicate keys in hand-written JSON (stack profiles, the planted-fault matrix). JSON.parse keeps
 * the last of two equal keys without a word, so `"ingestion": ...` written twice in a profile
 * silently drops the first mapping. RFC 8259 §4 only says names SHOULD be unique; the harness
 * refuses them in files people edit. The scan is jsonc-parser's (Microsoft's JSON scanner, the one
 * VS Code uses), run on text JSON.parse has already accepted.
 */
import { type JSONPath, visit } from 'jsonc-parser';

export interface DuplicateKey {
  /** Path of the object holding the key, `$` for the top level: `$.roles`, `$[3].expect`. */
  path: string;
  key: string;
  /** The key quoted for a one-line message: JSON escapes, plus DEL and C1 controls as \\uXXXX. */
  quoted: string;
  /** 1-based lines of the first and the repeated occurrence. */
  firstLine: number;
  line: number;
}

/** JSON.stringify, plus DEL and C1 controls escaped: a hostile key cannot drive a terminal. */
export function quoteKey(key: string): string {
  return JSON.stringify(key).replace(
    /[\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `$.a[2].b` from jsonc-parser's path segments (keys quoted when not identifier-like). */
export function jsonPathText(path: JSONPath): string {
  let out = '$';
  for (const seg of path)
    out +=
      typeof seg === 'number'
        ? `[${seg}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)
          ? `.${seg}`
          : `[${quoteKey(seg)}]`;
  return out;
}

/**
 * Every key repeated within one object of `text`, in document order. Text that is not JSON gives
 * what the scanner saw up to the error (callers parse with JSON.parse first). Never throws: a
 * document too deep for the scanner's recursion gives the duplicates found before it.
 */
export function duplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const objects: Map<string, number>[] = [];
  try {
    visit(
      text,
      {
        onObjectBegin: () => {
          objects.push(new Map());
        },
        onObjectEnd: () => {
          objects.pop();
        },
        onObjectProperty: (key, _offset, _length, startLine, _char, pathSupplier) => {
          const seen = objects.at(-1);
          if (!seen) return;
          const first = seen.get(key);
          if (first === undefined) seen.set(key, startLine + 1);
          else
            found.push({
              path: jsonPathText(pathSupplier()),
              key,
              quoted: quoteKey(key),
              firstLine: first,
              line: startLine + 1,
            });
        },
      },
      { disallowComments: true },
    );
  } catch {
    // jsonc-parser recurses per nesting level: a document nested ~10^5 deep overflows the stack.
    // Callers bound the depth themselves (a profile: 32 levels); what was found so far stands.
  }
  return found;
}
