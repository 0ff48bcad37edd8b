/**
 * Load and validate a stack profile file once, before anything starts. Every bad entry gets ONE
 * line naming the file, the JSON path, the value and what is allowed; all lines are reported
 * together (ProfileError.lines), not only the first.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import {
  decodeJsonBytes,
  describeDuplicate,
  duplicateKeys,
  jsonPathText,
  nestingDepth,
  showJsonValue,
} from '../util/json-file.ts';
import { escapeForLine } from '../util/quote.ts';
import { type ParsedProfileFile, profileFileSchema } from './schema.ts';
import type { StackProfile } from './types.ts';

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  readonly code = 'PROFILE_INVALID';
  /** One line per bad entry: `<file>: <json path>: <value> ...: expected <what is allowed>`. */
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines.join('\n'));
    this.lines = lines;
  }
}

/** `['roles','aiServices',0,'port']` -> `$.roles.aiServices[0].port`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return jsonPathText(path);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return { found: false };
    if (!Object.hasOwn(cur, p as string)) return { found: false };
    cur = (cur as Record<PropertyKey, unknown>)[p as string];
  }
  return { found: true, value: cur };
}

/** The object shape the schema expects at `path` (for "unknown field; allowed: ..."). */
function shapeAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  // biome-ignore lint/suspicious/noExplicitAny: walking zod's internal definition tree
  let cur: any = schema;
  const unwrap = () => {
    for (let i = 0; i < 10 && cur; i++) {
      const def = cur._zod?.def;
      if (!def) return;
      if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') cur = def.innerType;
      else if (def.type === 'pipe') cur = def.in;
      else return;
    }
  };
  for (const p of path) {
    unwrap();
    const def = cur?._zod?.def;
    if (def?.type === 'object') cur = def.shape[p as string];
    else if (def?.type === 'array') cur = def.element;
    else return undefined;
  }
  unwrap();
  const def = cur?._zod?.def;
  return def?.type === 'object' ? Object.keys(def.shape).filter((k) => k !== '$schema') : undefined;
}

/** What is allowed, in words (zod's own wording for the generic issue kinds). */
function allowed(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `a ${issue.expected}`;
    case 'too_big':
      return issue.origin === 'number'
        ? `a number <= ${issue.maximum}`
        : `at most ${issue.maximum} ${issue.origin === 'array' ? 'entries' : 'characters'}`;
    case 'too_small':
      return issue.origin === 'number'
        ? `a number >= ${issue.minimum}`
        : `at least ${issue.minimum} ${issue.origin === 'array' ? 'entries' : 'characters'}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

/** Lines for the zod issues of one file. */
export function issueLines(file: string, raw: unknown, issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = shapeAt(profileFileSchema, issue.path);
      for (const key of issue.keys) {
        const at = [...issue.path, key];
        lines.push(
          `${file}: ${jsonPath(at)}: unknown field${allowed ? `; expected one of ${allowed.join(', ')}` : ''}`,
        );
      }
      continue;
    }
    const at = valueAt(raw, issue.path);
    const shown = at.found ? `${showJsonValue(at.value)} is invalid` : 'is missing';
    lines.push(`${file}: ${jsonPath(issue.path)}: ${shown}: expected ${allowed(issue)}`);
  }
  return lines;
}

/** Semantic checks zod cannot express: one line each. */
function crossChecks(file: string, p: ParsedProfileFile, dir: string): string[] {
  const lines: string[] = [];
  p.compose.files.forEach((f, i) => {
    const abs = isAbsolute(f) ? f : resolve(dir, f);
    if (!existsSync(abs))
      lines.push(
        `${file}: $.compose.files[${i}]: ${showJsonValue(f)} is invalid: expected an existing compose file (${abs} does not exist)`,
      );
  });
  if (p.envFile !== undefined) {
    const abs = isAbsolute(p.envFile) ? p.envFile : resolve(dir, p.envFile);
    if (!existsSync(abs))
      lines.push(
        `${file}: $.envFile: ${showJsonValue(p.envFile)} is invalid: expected an existing env file (${abs} does not exist)`,
      );
  }
  const r = p.roles;
  if (r.mockHa.service === r.ingestion.service)
    lines.push(
      `${file}: $.roles.mockHa.service: ${showJsonValue(r.mockHa.service)} is invalid: expected a service other than the ingestion (the harness runs the mock HA under this name)`,
    );
  if (r.mockHa.service === r.influxdb.service)
    lines.push(
      `${file}: $.roles.mockHa.service: ${showJsonValue(r.mockHa.service)} is invalid: expected a service other than InfluxDB`,
    );
  const seen = new Map<string, string>();
  const unique = (service: string, at: string): void => {
    const first = seen.get(service);
    if (first !== undefined)
      lines.push(
        `${file}: ${at}: ${showJsonValue(service)} is invalid: expected each collector and AI service once (already at ${first})`,
      );
    else seen.set(service, at);
  };
  for (const [i, c] of r.collectors.entries()) unique(c.service, `$.roles.collectors[${i}].service`);
  for (const [i, a] of r.aiServices.entries()) unique(a.service, `$.roles.aiServices[${i}].service`);
  if (r.aiPath !== undefined) {
    const served = [
      ...r.aiServices.map((a) => a.service),
      ...(r.ingestion.port !== undefined ? [r.ingestion.service] : []),
      ...(r.metadataStore?.port !== undefined ? [r.metadataStore.service] : []),
    ];
    if (!served.includes(r.aiPath.service))
      lines.push(
        `${file}: $.roles.aiPath.service: ${showJsonValue(r.aiPath.service)} is invalid: expected one of the profile's AI services (${r.aiServices.map((a) => a.service).join(', ') || 'none mapped'})`,
      );
    if (r.aiPath.expect.upstreamRequests !== undefined && !p.harnessAdds.includes('fake-upstreams'))
      lines.push(
        `${file}: $.roles.aiPath.expect.upstreamRequests: is invalid: expected "fake-upstreams" in $.harnessAdds (the request count comes from the harness's fake upstreams)`,
      );
  }
  return lines;
}

function toProfile(p: ParsedProfileFile, file: string): StackProfile {
  const dir = dirname(file);
  const abs = (f: string) => (isAbsolute(f) ? f : resolve(dir, f));
  const { $schema: _schema, ...rest } = p;
  return {
    ...rest,
    source: file,
    compose: { files: p.compose.files.map(abs), profiles: p.compose.profiles },
    envFile: p.envFile === undefined ? undefined : abs(p.envFile),
  } as StackProfile;
}

/** How deep a profile may nest: far above any real one, far below what blows the call stack. */
const MAX_DEPTH = 32;

/**
 * Parse and validate profile text. `file` is used in messages and to resolve relative paths.
 * Throws ProfileError (every bad entry, one line each).
 */
export function parseProfile(text: string, file: string): StackProfile {
  if (text.startsWith('\uFEFF'))
    throw new ProfileError([
      `${file}: starts with a byte order mark (BOM): expected UTF-8 JSON without a BOM`,
    ]);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    // JSON.parse quotes the offending text: escape control characters so that a hostile file can
    // neither break the one-line message nor drive the terminal.
    throw new ProfileError([
      `${file}: $: is invalid: expected a JSON document (${escapeForLine(err instanceof Error ? err.message : String(err))})`,
    ]);
  }
  const depth = nestingDepth(raw, MAX_DEPTH);
  if (depth > MAX_DEPTH)
    throw new ProfileError([
      `${file}: $: is invalid: nested deeper than ${MAX_DEPTH} levels (a stack profile needs about 6)`,
    ]);
  const dups = duplicateKeys(text);
  if (dups.length)
    throw new ProfileError(dups.map((d) => `${file}: ${d.path}: is invalid: ${describeDuplicate(d)}`));
  const parsed = profileFileSchema.safeParse(raw);
  if (!parsed.success) throw new ProfileError(issueLines(file, raw, parsed.error.issues));
  const lines = crossChecks(file, parsed.data, dirname(file));
  if (lines.length > 0) throw new ProfileError(lines);
  return toProfile(parsed.data, file);
}

/** Read, parse and validate a profile file (absolute or relative to `cwd`). Throws ProfileError. */
export function loadProfile(path: string, cwd = process.cwd()): StackProfile {
  const file = isAbsolute(path) ? path : resolve(cwd, path);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ProfileError([
      `${file}: cannot be read (${err instanceof Error ? err.message : String(err)}): expected a stack profile file (HOMEIQ_PROFILE)`,
    ]);
  }
  const decoded = decodeJsonBytes(bytes);
  if ('problem' in decoded) throw new ProfileError([`${file}: ${decoded.problem}`]);
  return parseProfile(decoded.text, file);
}

/** Every mapped service with its JSON path (what must exist in the compose config). */
export function mappedServices(p: StackProfile): Array<{ at: string; service: string }> {
  const r = p.roles;
  return [
    { at: '$.roles.ingestion.service', service: r.ingestion.service },
    { at: '$.roles.influxdb.service', service: r.influxdb.service },
    ...(r.metadataStore ? [{ at: '$.roles.metadataStore.service', service: r.metadataStore.service }] : []),
    ...r.collectors.map((c, i) => ({ at: `$.roles.collectors[${i}].service`, service: c.service })),
    ...r.aiServices.map((a, i) => ({ at: `$.roles.aiServices[${i}].service`, service: a.service })),
    ...(r.dataGenerator ? [{ at: '$.roles.dataGenerator.service', service: r.dataGenerator.service }] : []),
  ];
}

/**
 * The profile against the compose config it names: every mapped service must be a service of
 * that config (the mock HA is added by the harness when the config lacks it). One line per
 * missing service; empty = consistent.
 */
export function checkAgainstCompose(p: StackProfile, composeServices: readonly string[]): string[] {
  const have = new Set(composeServices);
  const files = p.compose.files.join(', ');
  const profiles = p.compose.profiles.length ? `, profiles ${p.compose.profiles.join(',')}` : '';
  return mappedServices(p)
    .filter((m) => !have.has(m.service))
    .map(
      (m) =>
        `${p.source}: ${m.at}: ${showJsonValue(m.service)} is invalid: expected a service of the compose config (${files}${profiles}; it has ${[...have].sort().join(', ') || 'none'})`,
    );
}
