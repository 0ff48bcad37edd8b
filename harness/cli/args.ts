/**
 * Command-line entry points: one way to answer --help and to refuse bad input. Every refusal is
 * ONE line on stderr naming the flag or variable, the value and what is allowed, exit 2, before
 * anything starts; never a stack trace.
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

/** Print `<program>: <line>` and exit 2 (bad input). */
export function usageError(program: string, line: string): never {
  process.stderr.write(`${program}: ${line}\n`);
  process.exit(2);
}

/**
 * Parse flags strictly. `--help`/`-h` prints `usage` on stdout and exits 0; an unknown flag or a
 * flag without its value exits 2 with one line listing the flags there are.
 */
export function parseCli<O extends ParseArgsOptionsConfig>(
  program: string,
  usage: string,
  options: O,
  opts: { args?: string[]; allowPositionals?: boolean } = {},
) {
  const args = opts.args ?? process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage.trim()}\n`);
    process.exit(0);
  }
  const flags = Object.keys(options).map((f) => `--${f}`);
  let parsed: ReturnType<
    typeof parseArgs<{ options: O; tokens: true; strict: true; allowPositionals: boolean }>
  >;
  try {
    parsed = parseArgs({
      args,
      options,
      strict: true,
      tokens: true,
      allowPositionals: opts.allowPositionals ?? false,
    });
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    // node's "argument is ambiguous" is a value that starts with "-" (e.g. --budget -5).
    const ambiguous = /^Option '(--[a-z-]+)(?:, -\w)?' argument is ambiguous/.exec(why);
    if (ambiguous?.[1]) {
      const at = args.indexOf(ambiguous[1]);
      const value = at >= 0 ? args[at + 1] : undefined;
      usageError(
        program,
        `${ambiguous[1]}="${value ?? ''}" is invalid: a value starting with "-" is not allowed here (see --help for the allowed values)`,
      );
    }
    usageError(
      program,
      `${why.replace(/\.$/, '')}: expected ${flags.length ? `${flags.join(', ')} or ` : ''}--help`,
    );
  }
  // A flag given twice would silently keep the last value: refuse it (list-valued flags aside).
  const seen = new Map<string, number>();
  for (const t of parsed.tokens ?? [])
    if (t.kind === 'option' && options[t.name]?.multiple !== true)
      seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  for (const [name, n] of seen)
    if (n > 1) usageError(program, `--${name} is given ${n} times: expected each flag once`);
  return { values: parsed.values, positionals: parsed.positionals as string[] };
}

/**
 * An integer from a flag or variable: `name` is how the user wrote it (`--rate`, `RATE`).
 * Exits 2 with one line when it is not an integer within [min, max].
 */
export function intInput(
  program: string,
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const t = raw.trim();
  if (!/^-?\d+$/.test(t) || Number(t) < min || Number(t) > max)
    usageError(program, `${name}="${raw}" is invalid: expected an integer between ${min} and ${max}`);
  return Number(t);
}

/** A decimal number within [min, max] (e.g. MEM_GB=0.25). */
export function numberInput(
  program: string,
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw.trim());
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || n < min || n > max)
    usageError(program, `${name}="${raw}" is invalid: expected a number between ${min} and ${max}`);
  return n;
}

/** A required value (e.g. a URL the tool talks to): exits 2 naming it when missing. */
export function requiredInput(program: string, name: string, raw: string | undefined, what: string): string {
  if (raw === undefined || raw.trim() === '') usageError(program, `${name} is missing: expected ${what}`);
  return raw.trim();
}

/** An absolute http(s) URL. */
export function urlInput(program: string, name: string, raw: string | undefined): string {
  const v = requiredInput(program, name, raw, 'an absolute http(s) URL');
  if (!/^https?:\/\/[^/\s]+/.test(v))
    usageError(program, `${name}="${raw}" is invalid: expected an absolute http(s) URL`);
  return v.replace(/\/$/, '');
}
