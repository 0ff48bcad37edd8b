/**
 * Compose variable interpolation, as `docker compose` applies it to every string value of a compose
 * file (compose specification, "Interpolation"): `$$` is a literal `$`; `$VAR` and `${VAR}` take the
 * variable; `${VAR:-default}` / `${VAR-default}` fall back when unset-or-empty / unset;
 * `${VAR:?message}` / `${VAR?message}` are errors when unset-or-empty / unset; `${VAR:+alt}` /
 * `${VAR+alt}` replace a set-and-non-empty / set value. Defaults may nest (`${A:-${B:-x}}`).
 * An unset variable without a default becomes "" (compose warns and does the same).
 */

/** Why interpolation failed: `syntax` (the text is malformed) or `required` (`${VAR:?msg}` unset). */
export type InterpolationFault = 'syntax' | 'required';

export class InterpolationError extends Error {
  override readonly name = 'InterpolationError';
  readonly fault: InterpolationFault;
  constructor(message: string, fault: InterpolationFault = 'syntax') {
    super(message);
    this.fault = fault;
  }
}

/** Variables by name: a Map (or a function behind `get`), so that no name can reach an object's prototype. */
export type VarLookup = { get(name: string): string | undefined };

export interface InterpolationResult {
  value: string;
  /** Variables read that were unset and had no default (compose substitutes ""). */
  unset: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Index of the `}` closing a `${` whose body starts at `from`, honouring nested `${...}`. */
function closingBrace(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '$') {
      i++;
    } else if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * Interpolate one string. Throws InterpolationError for an unterminated `${`, an invalid name, or a
 * `${VAR?message}` whose variable is missing (the error carries the message, as compose's does).
 */
export function interpolate(input: string, vars: VarLookup): InterpolationResult {
  const unset: string[] = [];
  const run = (s: string): string => {
    let out = '';
    let i = 0;
    while (i < s.length) {
      const c = s[i];
      if (c !== '$') {
        out += c;
        i++;
        continue;
      }
      const next = s[i + 1];
      if (next === '$') {
        out += '$';
        i += 2;
        continue;
      }
      if (next === '{') {
        const end = closingBrace(s, i + 2);
        if (end < 0) throw new InterpolationError(`unterminated "\${" in "${input}"`);
        const body = s.slice(i + 2, end);
        const name = NAME.exec(body)?.[0];
        if (!name) throw new InterpolationError(`invalid variable "\${${body}}" in "${input}"`);
        const rest = body.slice(name.length);
        const value = vars.get(name);
        const isSet = value !== undefined;
        const nonEmpty = isSet && value !== '';
        const op = /^(:-|-|:\?|\?|:\+|\+)?/.exec(rest)?.[0] ?? '';
        const arg = rest.slice(op.length);
        if (!op && rest) throw new InterpolationError(`invalid variable "\${${body}}" in "${input}"`);
        switch (op) {
          case '':
            if (!isSet) unset.push(name);
            out += value ?? '';
            break;
          case ':-':
            out += nonEmpty ? value : run(arg);
            break;
          case '-':
            out += isSet ? value : run(arg);
            break;
          case ':?':
            if (!nonEmpty)
              throw new InterpolationError(
                `required variable ${name} is missing a value: ${run(arg)}`,
                'required',
              );
            out += value;
            break;
          case '?':
            if (!isSet)
              throw new InterpolationError(
                `required variable ${name} is missing a value: ${run(arg)}`,
                'required',
              );
            out += value;
            break;
          case ':+':
            out += nonEmpty ? run(arg) : '';
            break;
          case '+':
            out += isSet ? run(arg) : '';
            break;
        }
        i = end + 1;
        continue;
      }
      const name = NAME.exec(s.slice(i + 1))?.[0];
      if (name) {
        const value = vars.get(name);
        if (value === undefined) unset.push(name);
        out += value ?? '';
        i += 1 + name.length;
        continue;
      }
      out += '$';
      i++;
    }
    return out;
  };
  return { value: run(input), unset };
}
