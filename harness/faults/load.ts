/**
 * The one loader of the planted-fault matrix data (fixtures/faults/faults.json, schema.ts): parses
 * and validates it, and checks it against the fault files beside it so the two cannot drift:
 * - every fault file (`<name>.compose.yml`, `<name>.env`, `<name>.Dockerfile`) has an entry, and
 *   every entry has a file (a `suites` fault an .env or .compose.yml, a `.Dockerfile` is an
 *   `upgrade` fault);
 * - names are unique; every suite file exists;
 * - faults sharing a `boot` have one runner, break different services (the services their
 *   compose overrides touch and their expectations name) and set different variables.
 * Errors: FaultsDataError with one line per problem (file, JSON path, value, what is allowed).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readEnvFile } from '../config/env-file.ts';
import { repoRoot } from '../config/load.ts';
import { type FaultEntry, faultsFileSchema } from './schema.ts';

export class FaultsDataError extends Error {
  override readonly name = 'FaultsDataError';
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines.join('\n'));
    this.lines = lines;
  }
}

export const faultsDir = (root = repoRoot) => join(root, 'fixtures', 'faults');
export const faultsDataPath = (root = repoRoot) => join(faultsDir(root), 'faults.json');

/** The extensions of a fault's files, in the order they are applied. */
export const faultFileKinds = ['env', 'compose.yml', 'Dockerfile'] as const;
export type FaultFileKind = (typeof faultFileKinds)[number];
const FAULT_FILE = /^([a-z0-9]+(?:-[a-z0-9]+)*)\.(env|compose\.yml|Dockerfile)$/;

/** Fault files in `dir`, by fault name. */
export function faultFilesIn(dir: string): Map<string, FaultFileKind[]> {
  const out = new Map<string, FaultFileKind[]>();
  for (const f of readdirSync(dir).sort()) {
    const m = FAULT_FILE.exec(f);
    if (!m?.[1] || !m[2]) continue;
    const kinds = out.get(m[1]) ?? [];
    kinds.push(m[2] as FaultFileKind);
    out.set(m[1], kinds);
  }
  return out;
}

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

const show = (v: unknown) => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v));

function pathOf(p: readonly PropertyKey[]): string {
  return p.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('');
}

function valueAt(data: unknown, p: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const k of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Object.hasOwn(v, k as string) ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  }
  return v;
}

function composeServices(path: string): string[] {
  const doc = parseYaml(readFileSync(path, 'utf8')) as { services?: Record<string, unknown> } | null;
  return doc?.services && typeof doc.services === 'object' ? Object.keys(doc.services) : [];
}

/**
 * Load and check the matrix data. `path` defaults to fixtures/faults/faults.json; fault files are
 * always looked up in fixtures/faults of `root`.
 * @throws FaultsDataError one line per problem.
 */
export function loadFaults(path = faultsDataPath(), root = repoRoot): FaultsData {
  const rel = relative(root, path) || path;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FaultsDataError([
      `${rel}: cannot be read as JSON: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    ]);
  }
  const parsed = faultsFileSchema.safeParse(raw);
  if (!parsed.success)
    throw new FaultsDataError(
      parsed.error.issues.map(
        (i) =>
          `${rel}: ${pathOf(i.path) || '(top level)'} = ${show(valueAt(raw, i.path))} is invalid: expected ${i.message}`,
      ),
    );
  const dir = faultsDir(root);
  const onDisk = faultFilesIn(dir);
  const lines: string[] = [];
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
        `${rel}: [${i}].name = "${f.name}" has no fault file: expected fixtures/faults/${f.name}.compose.yml, .env or .Dockerfile`,
      );
    else if (f.runner === 'suites' && !files.env && !files['compose.yml'])
      lines.push(
        `${rel}: [${i}].runner = "suites" is invalid for ${f.name} (only a .Dockerfile): expected "upgrade" (the Dockerfile replaces the upgrade's \`to\` image)`,
      );
    for (const s of f.suites)
      if (!existsSync(join(root, s)))
        lines.push(`${rel}: [${i}].suites: "${s}" does not exist: expected a suite file of this repository`);
    let touches: string[] = [];
    let sets: string[] = [];
    try {
      if (files['compose.yml']) touches = composeServices(files['compose.yml']);
      if (files.env) sets = Object.keys(readEnvFile(files.env, {}));
    } catch (err) {
      lines.push(
        `fixtures/faults/${f.name}: cannot be read: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    faults.push({ ...f, files, touches, sets });
  });
  for (const name of onDisk.keys())
    if (!seen.has(name))
      lines.push(
        `fixtures/faults/${name}.${(onDisk.get(name) ?? []).join(', .')}: a fault file without an entry in ${rel}: expected an entry {"name": "${name}", ...} (every planted fault is in the matrix)`,
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
  for (const [boot, members] of groups) {
    const runners = new Set(members.map((m) => m.runner));
    if (runners.size > 1 || runners.has('upgrade'))
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
