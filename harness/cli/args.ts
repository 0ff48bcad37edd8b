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
  try {
    const parsed = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: opts.allowPositionals ?? false,
    });
    return { values: parsed.values, positionals: parsed.positionals as string[] };
  } catch (err) {
    const flags = Object.keys(options).map((f) => `--${f}`);
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    usageError(program, `${why}: expected ${flags.length ? `${flags.join(', ')} or ` : ''}--help`);
  }
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
