/**
 * Values echoed into one-line messages (mock HA refusals, configuration and file errors): whatever
 * a client or a file sent must neither break the line, drive a terminal, reorder the text around it
 * (bidi controls), nor make the message as long as the input.
 */

/** How many characters of an echoed value a message keeps (quote()). */
export const QUOTE_MAX_CHARS = 80;

/** Escaped as \uXXXX besides JSON's own escapes: DEL, C1, U+2028/U+2029, bidi controls. */
const UNSAFE_IN_MESSAGE = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * `s` safe inside a one-line message, unquoted (a parser's message that quotes the input): C0
 * controls as well as what quote() escapes beyond JSON, as \uXXXX.
 */
export function escapeForLine(s: string): string {
  let out = '';
  for (const c of s) {
    const code = c.codePointAt(0) as number;
    out += code < 0x20 || UNSAFE_IN_MESSAGE.test(c) ? `\\u${code.toString(16).padStart(4, '0')}` : c;
  }
  return out;
}

/**
 * A client's value as a message echoes it, on one line and short: its JSON text (C0 controls and
 * lone surrogates escaped by JSON.stringify), DEL, C1 controls, U+2028/U+2029 and bidi controls
 * escaped as \uXXXX too (a message must not break a log line or reorder the text around it), cut
 * after `max` characters (QUOTE_MAX_CHARS) as `<start>... (N chars)`, N the length of the whole JSON text.
 * A value not given is `absent` (never JavaScript's `undefined`). Never throws.
 */
export function quote(v: unknown, opts: { max?: number } = {}): string {
  // An options object, not a positional number: `values.map(quote)` would pass the index second.
  const max = opts.max ?? QUOTE_MAX_CHARS;
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch {
    text = undefined;
  }
  if (text === undefined) return v === undefined ? 'absent' : `a ${typeof v}`;
  let out = '';
  let kept = 0;
  let i = 0;
  // One step is a JSON escape sequence or one code point: a cut never splits either.
  while (i < text.length && kept < max) {
    let step: string;
    if (text[i] === '\\') step = text.slice(i, text[i + 1] === 'u' ? i + 6 : i + 2);
    else step = String.fromCodePoint(text.codePointAt(i) as number);
    i += step.length;
    out += UNSAFE_IN_MESSAGE.test(step)
      ? `\\u${(step.codePointAt(0) as number).toString(16).padStart(4, '0')}`
      : step;
    kept++;
  }
  return i < text.length ? `${out}... (${text.length} chars)` : out;
}

/** At most `max` values, each quote()d, comma-separated, the rest counted: `"a", "b" and 3 more`. */
export function quoteList(values: readonly unknown[], max = 10): string {
  const shown = values
    .slice(0, max)
    .map((v) => quote(v))
    .join(', ');
  return values.length > max ? `${shown} and ${values.length - max} more` : shown;
}
