/**
 * The one env-file reader of the harness, with Docker Compose's rules, so that the harness reads
 * the same values Compose hands the containers (source of the rules: compose-spec/compose-go,
 * `dotenv/parser.go` and `template/template.go`, v2):
 *
 * - blank lines and lines whose first non-blank character is `#` are skipped;
 * - an optional `export ` prefix (followed by whitespace) is dropped;
 * - a key is letters, digits, `_`, `.`, `-`, `[`, `]`, ended by `=` (or YAML-style `:`); a key
 *   alone on its line takes its value from the environment if set there, and is absent otherwise;
 * - unquoted values run to the end of the line; a `#` starts a comment only after a space
 *   (`a#b` is `a#b`, `a #b` is `a`); trailing whitespace is trimmed; variables are interpolated;
 * - single-quoted values are literal (no escapes except `\'`, no interpolation) and may span lines;
 * - double-quoted values may span lines, take `\n \r \t \a \b \f \v \\ \" \$` and `\0NNN` (octal)
 *   escapes, then are interpolated;
 * - interpolation: `$$` is a literal `$`; `$VAR`, `${VAR}`, `${VAR:-default}` (unset or empty),
 *   `${VAR-default}` (unset), `${VAR:+alt}` / `${VAR+alt}`, `${VAR:?msg}` / `${VAR?msg}` (error);
 *   a variable is looked up in the environment first, then among the keys defined above it in the
 *   file; an unresolved variable is the empty string.
 *
 * Errors (`EnvFileError`) name the line: a bad character in a key, a key with a space, an
 * unterminated quote, a `${VAR?msg}` whose variable is unset.
 */
import { readFileSync } from 'node:fs';
import { InterpolationError, interpolate as interpolateCompose } from './interpolate.ts';

export class EnvFileError extends Error {
  override readonly name = 'EnvFileError';
}

export type EnvLookup = Record<string, string | undefined>;

const isBlank = (c: string) =>
  c === ' ' || c === '\t' || c === '\v' || c === '\f' || c === '\r' || c === '\u0085' || c === '\u00a0';
const isKeyChar = (c: string) => /^[\p{L}\p{N}_.\-[\]]$/u.test(c);
const own = (o: object, k: string) => Object.hasOwn(o, k);

/**
 * Parses env-file text. `env` is the environment used for interpolation and for keys without a
 * value (Compose uses the process environment). Returns a null-prototype record in file order.
 * @throws EnvFileError naming the line.
 */
export function parseEnvFile(text: string, env: EnvLookup = {}): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  let i = 0;
  let line = 1;
  const n = text.length;
  const lookup = (name: string): string | undefined => {
    if (own(env, name) && env[name] !== undefined) return env[name];
    return own(out, name) ? out[name] : undefined;
  };
  while (i < n) {
    // skip whitespace (including newlines) and comment lines
    const c = text[i] as string;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    const statementLine = line;
    // `export ` prefix
    if (/^export[ \t]/.test(text.slice(i, i + 7))) {
      i += 6;
      while (i < n && isBlank(text[i] as string)) i++;
    }
    // key
    const keyStart = i;
    let terminator = '';
    while (i < n) {
      const k = text[i] as string;
      if (k === '=' || k === ':' || k === '\n') {
        terminator = k;
        break;
      }
      if (!isBlank(k) && !isKeyChar(k)) {
        throw new EnvFileError(
          `line ${statementLine}: unexpected character ${JSON.stringify(k)} in variable name ${JSON.stringify(text.slice(keyStart).split('\n')[0])}`,
        );
      }
      i++;
    }
    const key = text.slice(keyStart, i).replace(/[\s\u0085\u00a0]+$/u, '');
    if (/[ \t]/.test(key)) throw new EnvFileError(`line ${statementLine}: key cannot contain a space`);
    if (terminator === '\n' || terminator === '') {
      // a key alone: inherited from the environment when set there
      const v = own(env, key) ? env[key] : undefined;
      if (v !== undefined) out[key] = v;
      continue;
    }
    i++; // past = or :
    while (i < n && isBlank(text[i] as string)) i++;
    const q = text[i];
    if (q === '"' || q === "'") {
      let raw = '';
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const ch = text[j] as string;
        if (ch === '\n') line++;
        if (ch === '\\' && j + 1 < n) {
          const next = text[j + 1] as string;
          raw += next === q ? next : `\\${next}`;
          if (next === '\n') line++;
          j += 2;
          continue;
        }
        if (ch === q) {
          closed = true;
          break;
        }
        raw += ch;
        j++;
      }
      if (!closed) {
        throw new EnvFileError(
          `line ${statementLine}: unterminated quoted value ${text.slice(i).split('\n')[0]}`,
        );
      }
      i = j + 1;
      out[key] = q === '"' ? interpolate(expandEscapes(raw), lookup, statementLine) : raw;
      continue;
    }
    let end = text.indexOf('\n', i);
    if (end < 0) end = n;
    let value = text.slice(i, end);
    const comment = value.indexOf(' #');
    if (comment >= 0) value = value.slice(0, comment);
    value = value.replace(/[\s\u0085\u00a0]+$/u, '');
    out[key] = interpolate(value, lookup, statementLine);
    i = end;
  }
  return out;
}

const ESCAPES: ReadonlyMap<string, string> = new Map([
  ['a', '\x07'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
  ['v', '\v'],
  ['"', '"'],
  ['\\', '\\'],
  ['$', '$$'],
]);

function expandEscapes(s: string): string {
  return s.replace(/\\(?:([abfnrtv"\\$])|0([0-7]{0,3}))/g, (m, simple?: string, octal?: string) => {
    if (simple !== undefined) return ESCAPES.get(simple) ?? m;
    return String.fromCharCode(Number.parseInt(octal || '0', 8));
  });
}

/** Compose's variable substitution on one value (the one implementation: ./interpolate.ts). */
function interpolate(s: string, lookup: (name: string) => string | undefined, line: number): string {
  try {
    return interpolateCompose(s, { get: lookup }).value;
  } catch (err) {
    if (err instanceof InterpolationError) throw new EnvFileError(`line ${line}: ${err.message}`);
    throw err;
  }
}

/**
 * Reads and parses an env file with Compose's rules.
 * @throws EnvFileError (syntax, naming the file and line) or the fs error when unreadable.
 */
export function readEnvFile(path: string, env: EnvLookup = process.env): Record<string, string> {
  const text = readFileSync(path, 'utf8');
  try {
    return parseEnvFile(text, env);
  } catch (err) {
    if (err instanceof EnvFileError) throw new EnvFileError(`${path}: ${err.message}`);
    throw err;
  }
}
