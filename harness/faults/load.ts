/**
 * The one loader of the planted-fault matrix data (fixtures/faults/faults.json, schema.ts): parses
 * and validates it, and checks it against the fault files beside it so the two cannot drift:
 * - every fault file (`<name>.compose.yml`, `<name>.env`, `<name>.Dockerfile`) has an entry, and
 *   every entry has a file (a `suites` fault an .env or .compose.yml, a `.Dockerfile` is an
 *   `upgrade` fault);
 * - names are unique (harness/faults/name.ts); every other file of fixtures/faults is an error;
 * - every suite file exists (runner "upgrade": suites/upgrade/ only, runner "suites": none of it);
 *   every expectation names a service of the reference compose file (docker-compose.test.yml);
 * - a compose override is a YAML mapping with a non-empty `services:`; an env file sets something;
 * - faults sharing a `boot` have one runner, break different services (the services their
 *   compose overrides touch and their expectations name) and set different variables.
 * Errors: FaultsDataError with one line per problem (file, JSON path, value, what is allowed).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { readEnvFile } from '../config/env-file.ts';
import { repoRoot } from '../config/load.ts';
import {
  decodeJsonBytes,
  describeDuplicate,
  duplicateKeys,
  nestingDepth,
  pathSegment,
  showJsonValue,
} from '../util/json-file.ts';
import { escapeForLine } from '../util/quote.ts';
import {
  FAULT_NAME_TEXT,
  FAULTS_DIR_OTHER_FILES,
  type FaultFileKind,
  faultFileKinds,
  faultFileName,
  oneLine,
} from './name.ts';
import { entryFields, expectationFields, type FaultEntry, faultsFileSchema } from './schema.ts';

export { type FaultFileKind, faultFileKinds };

export class FaultsDataError extends Error {
  override readonly name = 'FaultsDataError';
  readonly lines: string[];
  constructor(lines: string[]) {
    const one = lines.map(oneLine);
    super(one.join('\n'));
    this.lines = one;
  }
}

export const faultsDir = (root = repoRoot) => join(root, 'fixtures', 'faults');
export const faultsDataPath = (root = repoRoot) => join(faultsDir(root), 'faults.json');
/** The reference stack's compose file: the services an expectation may name. */
export const referenceComposePath = (root = repoRoot) => join(root, 'docker-compose.test.yml');

/** Fault files in `dir`, by fault name. */
export function faultFilesIn(dir: string): Map<string, FaultFileKind[]> {
  const out = new Map<string, FaultFileKind[]>();
  for (const f of readdirSync(dir).sort()) {
    const m = faultFileName(f);
    if (!m) continue;
    const kinds = out.get(m[0]) ?? [];
    kinds.push(m[1]);
    out.set(m[0], kinds);
  }
  return out;
}

/** Files of `dir` that are neither fault files nor README.md / faults.json. */
export const strayFilesIn = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .filter((f) => !FAULTS_DIR_OTHER_FILES.includes(f) && !faultFileName(f));

export interface LoadedFault extends FaultEntry {
  /** Absolute paths of its files, by kind. */
  files: Partial<Record<FaultFileKind, string>>;
  /** Compose services its override touches (top-level `services:` keys). */
  touches: string[];
  /** Variables its env file sets. */
  sets: string[];
}

export interface FaultsData {
  path: string;
  faults: LoadedFault[];
}

/** How deep faults.json may nest: far above an entry's 3 levels, far below what blows a stack. */
const MAX_DEPTH = 32;

function pathOf(p: readonly PropertyKey[]): string {
  return p.map(pathSegment).join('');
}

/** The value at `p`, and whether it is there at all. */
function valueAt(data: unknown, p: readonly PropertyKey[]): { present: boolean; value: unknown } {
  let v: unknown = data;
  for (const k of p) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, k as string))
      return { present: false, value: undefined };
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return { present: true, value: v };
}

/** One line per schema issue: path, value, what is allowed (no zod wording). */
function issueLines(
  rel: string,
  raw: unknown,
  issue: { code: string; path: readonly PropertyKey[]; message: string; keys?: string[] },
): string[] {
  const at = pathOf(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const inExpect = issue.path.at(-2) === 'expect';
    const [what, allowed] = inExpect ? ['an expectation', expectationFields] : ['a fault entry', entryFields];
    return (issue.keys ?? []).map(
      (k) =>
        `${rel}: ${at}${pathSegment(k)} = ${showJsonValue(valueAt(raw, [...issue.path, k]).value)} is invalid: not a field of ${what} (allowed: ${allowed.join(', ')})`,
    );
  }
  const { present, value } = valueAt(raw, issue.path);
  if (!present) return [`${rel}: ${at || '(top level)'} is missing: expected ${issue.message}`];
  return [`${rel}: ${at || '(top level)'} = ${showJsonValue(value)} is invalid: expected ${issue.message}`];
}

/** The services a compose file defines (top-level `services:` keys); throws a one-line Error. */
function composeServices(path: string, rel: string): string[] {
  const doc = parseDocument(readFileSync(path, 'utf8'));
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    throw new Error(
      `${rel}: cannot be read as YAML${pos ? ` (line ${pos.line}, column ${pos.col})` : ''}: ${(err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  const top: unknown = doc.toJS();
  if (top === null || typeof top !== 'object' || Array.isArray(top))
    throw new Error(
      `${rel}: ${showJsonValue(top)} is not a YAML mapping: expected a compose override with a "services:" mapping`,
    );
  const services = (top as { services?: unknown }).services;
  if (
    services === null ||
    typeof services !== 'object' ||
    Array.isArray(services) ||
    !Object.keys(services).length
  )
    throw new Error(
      `${rel}: services ${services === undefined ? 'is missing' : `= ${showJsonValue(services)}`}: the override plants nothing: expected a "services:" mapping with at least one service to override`,
    );
  return Object.keys(services);
}

/** Services of the reference compose file (undefined when the repository has none). */
function referenceServices(root: string): string[] | undefined {
  const path = referenceComposePath(root);
  if (!existsSync(path)) return undefined;
  const doc = parseDocument(readFileSync(path, 'utf8')).toJS() as {
    services?: Record<string, unknown>;
  } | null;
  return doc?.services ? Object.keys(doc.services) : undefined;
}

/**
 * Load and check the matrix data. `path` defaults to fixtures/faults/faults.json; fault files are
 * always looked up in fixtures/faults of `root`.
 * @throws FaultsDataError one line per problem.
 */
export function loadFaults(path = faultsDataPath(), root = repoRoot): FaultsData {
  const r = relative(root, path);
  const rel = r && !r.startsWith('..') ? r : path;
  let raw: unknown;
  let text: string;
  try {
    const decoded = decodeJsonBytes(readFileSync(path));
    if ('problem' in decoded) throw new FaultsDataError([`${rel}: ${decoded.problem}`]);
    text = decoded.text;
    raw = JSON.parse(text);
  } catch (err) {
    if (err instanceof FaultsDataError) throw err;
    throw new FaultsDataError([
      `${rel}: cannot be read as JSON: ${escapeForLine(err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err))}`,
    ]);
  }
  // Bounded before anything recursive reads it (the duplicate scan, the messages' JSON.stringify):
  // a fault entry nests 3 levels.
  if (nestingDepth(raw, MAX_DEPTH) > MAX_DEPTH)
    throw new FaultsDataError([
      `${rel}: nested deeper than ${MAX_DEPTH} levels: expected a list of fault entries (about 3 levels)`,
    ]);
  const dups = duplicateKeys(text);
  if (dups.length)
    throw new FaultsDataError(
      dups.map((d) => `${rel}: ${d.path.replace(/^\$\.?/, '') || '(top level)'}: ${describeDuplicate(d)}`),
    );
  const parsed = faultsFileSchema.safeParse(raw);
  if (!parsed.success) throw new FaultsDataError(parsed.error.issues.flatMap((i) => issueLines(rel, raw, i)));
  const dir = faultsDir(root);
  const dirRel = relative(root, dir);
  const onDisk = faultFilesIn(dir);
  const lines: string[] = [];
  for (const f of strayFilesIn(dir))
    lines.push(
      `${dirRel}/${f}: not a fault file: expected <name>.env, <name>.compose.yml or <name>.Dockerfile with <name> of ${FAULT_NAME_TEXT} (or ${FAULTS_DIR_OTHER_FILES.join(', ')})`,
    );
  const services = referenceServices(root);
  const seen = new Set<string>();
  const faults: LoadedFault[] = [];
  parsed.data.forEach((f, i) => {
    if (seen.has(f.name))
      lines.push(`${rel}: [${i}].name = "${f.name}" is invalid: expected a name no other entry has`);
    seen.add(f.name);
    const kinds = onDisk.get(f.name) ?? [];
    const files: LoadedFault['files'] = {};
    for (const k of kinds) files[k] = join(dir, `${f.name}.${k}`);
    if (kinds.length === 0)
      lines.push(
        `${rel}: [${i}].name = "${f.name}" has no fault file: expected ${dirRel}/${f.name}.compose.yml, .env or .Dockerfile`,
      );
    else if (f.runner === 'suites' && !files.env && !files['compose.yml'])
      lines.push(
        `${rel}: [${i}].runner = "suites" is invalid for ${f.name} (only a .Dockerfile): expected "upgrade" (the Dockerfile replaces the upgrade's \`to\` image)`,
      );
    f.suites.forEach((s, j) => {
      if (!existsSync(join(root, s)))
        lines.push(
          `${rel}: [${i}].suites[${j}] = "${s}" does not exist: expected a suite file of this repository`,
        );
    });
    if (services)
      f.expect.forEach((e, j) => {
        if (!services.includes(e.service))
          lines.push(
            `${rel}: [${i}].expect[${j}].service = "${e.service}" is invalid: expected a service of ${relative(root, referenceComposePath(root))} (${services.join(', ')})`,
          );
      });
    let touches: string[] = [];
    let sets: string[] = [];
    if (files['compose.yml'])
      try {
        touches = composeServices(files['compose.yml'], `${dirRel}/${f.name}.compose.yml`);
      } catch (err) {
        lines.push(err instanceof Error ? err.message : String(err));
      }
    if (files.env)
      try {
        sets = Object.keys(readEnvFile(files.env, {}));
        if (!sets.length)
          lines.push(`${dirRel}/${f.name}.env sets no variable (plants nothing): expected KEY=value lines`);
      } catch (err) {
        const m = err instanceof Error ? err.message : String(err);
        lines.push(
          `${m.startsWith(files.env) ? `${dirRel}/${f.name}.env${m.slice(files.env.length)}` : `${dirRel}/${f.name}.env: ${m}`}`.split(
            '\n',
          )[0] as string,
        );
      }
    faults.push({ ...f, files, touches, sets });
  });
  for (const name of onDisk.keys())
    if (!seen.has(name))
      lines.push(
        `${dirRel}/${name}.${(onDisk.get(name) ?? []).join(', .')}: a fault file without an entry in ${rel}: expected an entry {"name": "${name}", ...} (every planted fault is in the matrix)`,
      );
  lines.push(...groupProblems(faults, rel));
  if (lines.length) throw new FaultsDataError(lines);
  return { path, faults };
}

/** The services a fault breaks: those its override touches and those its checks must name. */
export const brokenServices = (f: LoadedFault): string[] => [
  ...new Set([...f.touches, ...f.expect.map((e) => e.service)]),
];

function groupProblems(faults: LoadedFault[], rel: string): string[] {
  const lines: string[] = [];
  const groups = new Map<string, LoadedFault[]>();
  for (const f of faults) if (f.boot) groups.set(f.boot, [...(groups.get(f.boot) ?? []), f]);
  const names = new Set(faults.map((f) => f.name));
  for (const [boot, members] of groups) {
    // A grouped boot's reports go to reports/faults/<boot>/, a single fault's to reports/faults/<fault>/.
    if (names.has(boot))
      lines.push(
        `${rel}: boot "${boot}" is invalid: expected a group name no fault has (reports/faults/<fault or group>/ would collide)`,
      );
    const runners = new Set(members.map((m) => m.runner));
    if (runners.size > 1 || runners.has('upgrade') || runners.has('capacity'))
      lines.push(
        `${rel}: boot "${boot}" (${members.map((m) => m.name).join(', ')}): expected faults of the "suites" runner only`,
      );
    // Tokens flow through the whole stack (init job, token volume, every writer, the harness): a
    // fault that sets one cannot be told apart from its neighbours by service. Learned when
    // test-token-too-broad shared a boot with ingestion-prod-token and hid it.
    for (const m of members)
      if (members.length > 1 && m.sets.some((v) => /TOKEN/.test(v)))
        lines.push(
          `${rel}: boot "${boot}": ${m.name} sets ${m.sets.filter((v) => /TOKEN/.test(v)).join(', ')}: expected a fault that sets a token to boot alone (tokens reach every service)`,
        );
    for (let a = 0; a < members.length; a++)
      for (let b = a + 1; b < members.length; b++) {
        const x = members[a] as LoadedFault;
        const y = members[b] as LoadedFault;
        if (x.name === y.name) continue; // a duplicate name, reported once as such
        const services = brokenServices(x).filter((s) => brokenServices(y).includes(s));
        const vars = x.sets.filter((v) => y.sets.includes(v));
        if (services.length)
          lines.push(
            `${rel}: boot "${boot}": ${x.name} and ${y.name} both break ${services.join(', ')}: expected faults sharing a boot to break different services (their failures are told apart by service)`,
          );
        if (vars.length)
          lines.push(
            `${rel}: boot "${boot}": ${x.name} and ${y.name} both set ${vars.join(', ')}: expected faults sharing a boot to set different variables`,
          );
      }
  }
  return lines;
}

/**
 * The boots of a run: faults sharing a `boot` run together (in data order), every other fault
 * alone. `alone` ignores the groups.
 */
export function bootsOf(faults: LoadedFault[], alone = false): LoadedFault[][] {
  const out: LoadedFault[][] = [];
  const byBoot = new Map<string, LoadedFault[]>();
  for (const f of faults) {
    if (alone || !f.boot) {
      out.push([f]);
      continue;
    }
    const g = byBoot.get(f.boot);
    if (g) g.push(f);
    else {
      const n = [f];
      byBoot.set(f.boot, n);
      out.push(n);
    }
  }
  return out;
}
