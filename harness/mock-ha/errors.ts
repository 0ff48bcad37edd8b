/** The one error type of the mock Home Assistant; `code` says which rule was broken. */
export type MockHaErrorCode =
  | 'invalid_config'
  | 'invalid_token'
  | 'scenario_running'
  | 'invalid_scenario'
  | 'invalid_trace'
  | 'unknown_entity'
  | 'unknown_run'
  | 'listen_failed'
  | 'control_request_failed';

export class MockHaError extends Error {
  override readonly name = 'MockHaError';
  readonly code: MockHaErrorCode;
  constructor(code: MockHaErrorCode, message: string) {
    super(`mock-ha: ${message}`);
    this.code = code;
  }
}

/** How many characters of an echoed value a message keeps (quote()). */
export const QUOTE_MAX_CHARS = 80;

/** Escaped as \uXXXX besides JSON's own escapes: DEL, C1, U+2028/U+2029, bidi controls. */
const UNSAFE_IN_MESSAGE = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * A client's value as a message echoes it, on one line and short: its JSON text (C0 controls and
 * lone surrogates escaped by JSON.stringify), DEL, C1 controls, U+2028/U+2029 and bidi controls
 * escaped as \uXXXX too (a message must not break a log line or reorder the text around it), cut
 * after QUOTE_MAX_CHARS characters as `<start>... (N chars)`, N the length of the whole JSON text.
 * A value not given is `absent` (never JavaScript's `undefined`). Never throws.
 */
export function quote(v: unknown): string {
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
  while (i < text.length && kept < QUOTE_MAX_CHARS) {
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
