/**
 * Loads compose files the way `docker compose -f a.yml -f b.yml` reads them, without Docker:
 * YAML with anchors and merge keys (`<<: *app`), variable interpolation (`${VAR:-default}`, from the
 * shell over the project's `.env`), `extends`, `env_file` + `environment`, profiles, and the later
 * file overriding the earlier one. The result is what the rules need per service, nothing more.
 *
 * Every mapping is read as a Map (yaml's `mapAsMap`), so no key in a user's file can reach an
 * object's prototype.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { EnvFileError, parseEnvFile as parseComposeEnvFile } from '../config/env-file.ts';
import { InterpolationError, interpolate } from '../config/interpolate.ts';

/** The project's variables (shell over .env), by name. */
type VarLookup = ReadonlyMap<string, string>;

/** A problem found while reading the files (compose itself would refuse them). */
export interface LoadFinding {
  file: string;
  service: string;
  rule: 'yaml' | 'interpolation' | 'env-file' | 'extends';
  message: string;
  fix: string;
}

export type HealthcheckState = 'declared' | 'disabled' | 'none';

/** One service after merging every file, interpolating and reading its env files. */
export interface Service {
  name: string;
  /** Display paths of the files that define or override it, in order. */
  files: string[];
  image: string | undefined;
  profiles: string[];
  /** env_file values overlaid by `environment` (what the container gets, before the image's ENV). */
  environment: ReadonlyMap<string, string>;
  /** deploy.resources.limits.memory, else mem_limit: the text and its value in bytes (undefined: not a size). */
  memory: { raw: string; bytes: number | undefined } | undefined;
  /** deploy.resources.limits.cpus, else cpus: the text and its value (undefined: not a number). */
  cpus: { raw: string; value: number | undefined } | undefined;
  replicas: number;
  healthcheck: HealthcheckState;
  restart: string | undefined;
  /** Another service waits for it with `condition: service_completed_successfully` (an init job). */
  oneShot: boolean;
}

export interface ComposeModel {
  files: string[];
  services: Service[];
  findings: LoadFinding[];
}

export interface LoadOptions {
  /** Variables for interpolation. Default: the project's .env (beside the first file) under process.env. */
  vars?: VarLookup;
  /** Base directory for display paths (default: the working directory). */
  cwd?: string;
}

/** A file that cannot be read at all (missing, a directory): a usage error, not a finding. */
export class ComposeFileError extends Error {
  override readonly name = 'ComposeFileError';
}

type YMap = Map<unknown, unknown>;
const isMap = (v: unknown): v is YMap => v instanceof Map;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

interface EnvFileRef {
  path: string;
  display: string;
  required: boolean;
}

/** A service as one file (after its own `extends`) says it; merged across files later. */
interface ServiceDef {
  image?: string | undefined;
  profiles?: string[] | undefined;
  envFiles: EnvFileRef[];
  environment: Map<string, string | null>;
  deployMemory?: string | undefined;
  deployCpus?: string | undefined;
  memLimit?: string | undefined;
  cpus?: string | undefined;
  replicas?: number | undefined;
  healthTest?: boolean | undefined;
  healthDisable?: boolean | undefined;
  healthTestNone?: boolean | undefined;
  restart?: string | undefined;
  dependsOn: Map<string, string>;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i;
const UNIT: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Compose byte sizes: `256M`, `2g`, `1.5GB`, `134217728` (binary units, as Docker uses). */
export function parseBytes(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (!m) return undefined;
  const unit = UNIT[(m[2] ?? '').toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

export function parseCpus(text: string): number | undefined {
  const t = text.trim();
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : undefined;
}

/**
 * `.env` / `env_file` contents with Compose's rules, through the harness's one env-file reader
 * (../config/env-file.ts). `vars` is the environment interpolation looks at.
 * @throws ComposeFileError naming the line of a syntax error.
 */
export function parseEnvFile(text: string, vars: VarLookup): Map<string, string> {
  try {
    return new Map(Object.entries(parseComposeEnvFile(text, Object.fromEntries(vars))));
  } catch (err) {
    if (err instanceof EnvFileError) throw new ComposeFileError(`env file: ${err.message}`);
    throw err;
  }
}

/** The variables `docker compose` interpolates with: the project's .env under the shell's environment. */
export function projectVars(firstFile: string, env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const vars = new Map<string, string>();
  const dotenv = join(dirname(resolve(firstFile)), '.env');
  if (existsSync(dotenv))
    for (const [k, v] of parseEnvFile(readFileSync(dotenv, 'utf8'), vars)) vars.set(k, v);
  for (const [k, v] of Object.entries(env)) if (v !== undefined) vars.set(k, v);
  return vars;
}

class Loader {
  readonly findings: LoadFinding[] = [];
  readonly #vars: VarLookup;
  readonly #cwd: string;
  readonly #parsed = new Map<string, YMap | undefined>();

  constructor(vars: VarLookup, cwd: string) {
    this.#vars = vars;
    this.#cwd = cwd;
  }

  display(path: string): string {
    const rel = relative(this.#cwd, path);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  }

  /** Parse and interpolate one file; undefined (with a finding) when it is not valid YAML. */
  parse(path: string): YMap | undefined {
    if (this.#parsed.has(path)) return this.#parsed.get(path);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ComposeFileError(`cannot read ${this.display(path)}: ${(err as NodeJS.ErrnoException).code}`);
    }
    // A file may hold several YAML documents (`---`): docker compose merges them in order, as if
    // each were one more -f file.
    const docs = [...parseAllDocuments(text, { merge: true, prettyErrors: true })];
    const errors: { message: string; linePos?: { line: number }[] }[] = docs.flatMap((d) => d.errors);
    let root: unknown;
    if (errors.length === 0) {
      try {
        for (const d of docs) {
          const js: unknown = d.toJS({ mapAsMap: true, maxAliasCount: 10_000 });
          root = root === undefined ? js : isMap(root) && isMap(js) ? mergeYaml(root, js) : js;
        }
      } catch (err) {
        errors.push(err as never);
      }
    }
    const firstError = errors[0];
    if (firstError) {
      const line = 'linePos' in firstError ? firstError.linePos?.[0]?.line : undefined;
      this.findings.push({
        file: this.display(path),
        service: '-',
        rule: 'yaml',
        message: `not valid YAML${line ? ` at line ${line}` : ''}: ${String(firstError.message).split('\n')[0]}`,
        fix: 'correct the YAML (`docker compose config` shows the same error)',
      });
      this.#parsed.set(path, undefined);
      return undefined;
    }
    if (root !== null && root !== undefined && !isMap(root)) {
      this.findings.push({
        file: this.display(path),
        service: '-',
        rule: 'yaml',
        message: 'not a compose file: the top level is not a mapping',
        fix: 'a compose file is a mapping with a `services:` key',
      });
      this.#parsed.set(path, undefined);
      return undefined;
    }
    const map = isMap(root) ? root : new Map();
    const out = this.#interpolateTree(map, path, []) as YMap;
    this.#parsed.set(path, out);
    return out;
  }

  #interpolateTree(node: unknown, file: string, at: string[], path: unknown[] = []): unknown {
    if (typeof node === 'string') {
      try {
        return interpolate(node, this.#vars).value;
      } catch (err) {
        if (!(err instanceof InterpolationError)) throw err;
        const service = at[0] === 'services' && at[1] ? at[1] : '-';
        this.findings.push({
          file: this.display(file),
          service,
          rule: 'interpolation',
          message: `${at.join('.')}: ${err.message}`,
          // Compose's own advice for malformed text; a missing required variable needs a value.
          fix:
            err.fault === 'required'
              ? 'set the variable (shell, .env or --env-file) or give it a default: ${VAR:-value}'
              : 'write a variable as ${NAME} or ${NAME:-default} with a closing brace, or escape a literal $ as $$',
        });
        return '';
      }
    }
    if (Array.isArray(node) || isMap(node)) {
      // An alias inside the node it names (`a: &a {x: *a}`) makes the tree a cycle: one finding,
      // never an endless walk (the YAML library builds the cycle; compose refuses such a file).
      if (path.includes(node)) {
        this.findings.push({
          file: this.display(file),
          service: at[0] === 'services' && at[1] ? at[1] : '-',
          rule: 'yaml',
          message: `${at.join('.')}: a YAML alias refers to a node that contains it (a cycle)`,
          fix: 'anchor a separate node (x-defaults: &d {...}) and merge it where needed (<<: *d)',
        });
        return null;
      }
      const inner = [...path, node];
      if (Array.isArray(node))
        return node.map((v, i) => this.#interpolateTree(v, file, [...at, String(i)], inner));
      const out: YMap = new Map();
      for (const [k, v] of node) out.set(k, this.#interpolateTree(v, file, [...at, String(k)], inner));
      return out;
    }
    return node;
  }

  /** The services of one file, each with its `extends` resolved. */
  services(path: string): Map<string, ServiceDef> {
    const root = this.parse(path);
    const out = new Map<string, ServiceDef>();
    const services = root?.get('services');
    if (!isMap(services)) return out;
    for (const [name, node] of services) {
      if (typeof name !== 'string') continue;
      if (node !== null && !isMap(node)) {
        this.findings.push({
          file: this.display(path),
          service: name,
          rule: 'yaml',
          message: `service ${name} is a ${Array.isArray(node) ? 'list' : typeof node}, not a mapping (compose refuses the file)`,
          fix: 'write the service as a mapping: image, environment, deploy, ...',
        });
        continue;
      }
      const def = this.#resolved(path, name, []);
      if (def) out.set(name, def);
    }
    return out;
  }

  #resolved(path: string, name: string, chain: string[]): ServiceDef | undefined {
    const key = `${path}#${name}`;
    const file = this.display(path);
    if (chain.includes(key)) {
      this.findings.push({
        file,
        service: name,
        rule: 'extends',
        message: `extends forms a cycle: ${[...chain, key].join(' -> ')}`,
        fix: 'remove the cycle',
      });
      return undefined;
    }
    const raw = this.parse(path)?.get('services');
    const node = isMap(raw) ? raw.get(name) : undefined;
    if (!isMap(node)) return node === null ? emptyDef() : undefined;
    const own = this.#def(node, path);
    const ext = node.get('extends');
    if (ext === undefined) return own;
    const baseName = typeof ext === 'string' ? ext : isMap(ext) ? str(ext.get('service')) : undefined;
    const baseFileRel = isMap(ext) ? str(ext.get('file')) : undefined;
    const basePath = baseFileRel ? resolve(dirname(path), baseFileRel) : path;
    if (!baseName || (baseFileRel && !existsSync(basePath))) {
      this.findings.push({
        file,
        service: name,
        rule: 'extends',
        message: baseName ? `extends file ${baseFileRel} not found` : 'extends names no service',
        fix: 'point extends at an existing file and service',
      });
      return own;
    }
    const base = this.#resolved(basePath, baseName, [...chain, key]);
    if (!base) {
      this.findings.push({
        file,
        service: name,
        rule: 'extends',
        message: `extends service ${baseName} not found in ${this.display(basePath)}`,
        fix: 'point extends at an existing service',
      });
      return own;
    }
    return mergeDefs(base, own);
  }

  #def(node: YMap, path: string): ServiceDef {
    const def = emptyDef();
    def.image = str(node.get('image'));
    const profiles = node.get('profiles');
    // An empty list overrides nothing, as in compose (an override file's `profiles: []` keeps the base's).
    if (Array.isArray(profiles) && profiles.length)
      def.profiles = profiles.map((p) => str(p) ?? '').filter(Boolean);
    const envFile = node.get('env_file');
    for (const ref of Array.isArray(envFile) ? envFile : envFile === undefined ? [] : [envFile]) {
      const p = isMap(ref) ? str(ref.get('path')) : str(ref);
      if (!p) continue;
      const required = isMap(ref) ? ref.get('required') !== false : true;
      const abs = resolve(dirname(path), p);
      def.envFiles.push({ path: abs, display: this.display(abs), required });
    }
    def.environment = keyValues(node.get('environment'));
    const deploy = node.get('deploy');
    const resources = isMap(deploy) ? deploy.get('resources') : undefined;
    const limits = isMap(resources) ? resources.get('limits') : undefined;
    if (isMap(limits)) {
      def.deployMemory = str(limits.get('memory'));
      def.deployCpus = str(limits.get('cpus'));
    }
    if (isMap(deploy) && deploy.get('replicas') !== undefined) {
      const r = Number(str(deploy.get('replicas')));
      def.replicas = Number.isFinite(r) && r >= 0 ? r : 1;
    }
    def.memLimit = str(node.get('mem_limit'));
    def.cpus = str(node.get('cpus'));
    const hc = node.get('healthcheck');
    if (isMap(hc)) {
      const test = hc.get('test');
      if (test !== undefined) {
        def.healthTest = true;
        const first = Array.isArray(test) ? str(test[0]) : str(test);
        def.healthTestNone = first === 'NONE';
      }
      if (hc.get('disable') !== undefined) def.healthDisable = hc.get('disable') === true;
    }
    def.restart = str(node.get('restart'));
    const dependsOn = node.get('depends_on');
    if (Array.isArray(dependsOn)) {
      for (const d of dependsOn) if (typeof d === 'string') def.dependsOn.set(d, 'service_started');
    } else if (isMap(dependsOn)) {
      for (const [k, v] of dependsOn) {
        if (typeof k !== 'string') continue;
        def.dependsOn.set(k, (isMap(v) ? str(v.get('condition')) : undefined) ?? 'service_started');
      }
    }
    return def;
  }

  /** env_file contents under `environment`, as the container will see them. */
  environment(name: string, def: ServiceDef, files: string[]): Map<string, string> {
    const env = new Map<string, string>();
    for (const ref of def.envFiles) {
      if (!existsSync(ref.path)) {
        if (ref.required)
          this.findings.push({
            file: files.at(-1) ?? '-',
            service: name,
            rule: 'env-file',
            message: `env_file ${ref.display} does not exist (compose refuses to start the service)`,
            fix: 'create the file, fix the path, or mark it `required: false`',
          });
        continue;
      }
      for (const [k, v] of parseEnvFile(readFileSync(ref.path, 'utf8'), this.#vars)) env.set(k, v);
    }
    for (const [k, v] of def.environment) {
      if (v !== null) env.set(k, v);
      else if (this.#vars.has(k)) env.set(k, this.#vars.get(k) ?? '');
    }
    return env;
  }
}

/** Later document over earlier: mappings merge key by key, anything else is replaced. */
function mergeYaml(base: YMap, over: YMap): YMap {
  const out: YMap = new Map(base);
  for (const [k, v] of over) {
    const prev = out.get(k);
    out.set(k, isMap(prev) && isMap(v) ? mergeYaml(prev, v) : v);
  }
  return out;
}

function emptyDef(): ServiceDef {
  return { envFiles: [], environment: new Map(), dependsOn: new Map() };
}

/** `environment` as a mapping or a `KEY=VALUE` list; a bare `KEY` passes the shell's value (null). */
function keyValues(node: unknown): Map<string, string | null> {
  const out = new Map<string, string | null>();
  if (Array.isArray(node)) {
    for (const item of node) {
      const s = str(item);
      if (!s) continue;
      const eq = s.indexOf('=');
      if (eq < 0) out.set(s, null);
      else out.set(s.slice(0, eq), s.slice(eq + 1));
    }
  } else if (isMap(node)) {
    for (const [k, v] of node) if (typeof k === 'string') out.set(k, v === null ? null : (str(v) ?? ''));
  }
  return out;
}

/** A later definition over an earlier one (a later -f file, or a service over its `extends` base). */
function mergeDefs(base: ServiceDef, over: ServiceDef): ServiceDef {
  const pick = <K extends keyof ServiceDef>(k: K): ServiceDef[K] =>
    over[k] !== undefined ? over[k] : base[k];
  return {
    image: pick('image'),
    profiles: pick('profiles'),
    envFiles: [...base.envFiles, ...over.envFiles],
    environment: new Map([...base.environment, ...over.environment]),
    deployMemory: pick('deployMemory'),
    deployCpus: pick('deployCpus'),
    memLimit: pick('memLimit'),
    cpus: pick('cpus'),
    replicas: pick('replicas'),
    healthTest: pick('healthTest'),
    healthDisable: pick('healthDisable'),
    healthTestNone: pick('healthTestNone'),
    restart: pick('restart'),
    dependsOn: new Map([...base.dependsOn, ...over.dependsOn]),
  };
}

/**
 * Load compose files as one project (`docker compose -f files[0] -f files[1] ...`).
 * Throws ComposeFileError when a file cannot be read; everything else is a finding.
 */
export function loadCompose(files: string[], opts: LoadOptions = {}): ComposeModel {
  const cwd = opts.cwd ?? process.cwd();
  const paths = files.map((f) => resolve(cwd, f));
  for (const p of paths) {
    if (!existsSync(p)) throw new ComposeFileError(`${relative(cwd, p) || p}: no such file`);
  }
  const vars = opts.vars ?? projectVars(paths[0] ?? cwd);
  const loader = new Loader(vars, cwd);
  const merged = new Map<string, { def: ServiceDef; files: string[] }>();
  for (const p of paths) {
    for (const [name, def] of loader.services(p)) {
      const prev = merged.get(name);
      merged.set(name, {
        def: prev ? mergeDefs(prev.def, def) : def,
        files: [...(prev?.files ?? []), loader.display(p)],
      });
    }
  }
  const completedDeps = new Set<string>();
  for (const { def } of merged.values())
    for (const [dep, cond] of def.dependsOn)
      if (cond === 'service_completed_successfully') completedDeps.add(dep);
  const services: Service[] = [];
  for (const [name, { def, files: defFiles }] of merged) {
    const memRaw = def.deployMemory ?? def.memLimit;
    const cpuRaw = def.deployCpus ?? def.cpus;
    services.push({
      name,
      files: defFiles,
      image: def.image,
      profiles: def.profiles ?? [],
      environment: loader.environment(name, def, defFiles),
      memory: memRaw === undefined || memRaw === '' ? undefined : { raw: memRaw, bytes: parseBytes(memRaw) },
      cpus: cpuRaw === undefined || cpuRaw === '' ? undefined : { raw: cpuRaw, value: parseCpus(cpuRaw) },
      replicas: def.replicas ?? 1,
      healthcheck:
        def.healthDisable || def.healthTestNone ? 'disabled' : def.healthTest ? 'declared' : 'none',
      restart: def.restart,
      oneShot: completedDeps.has(name),
    });
  }
  if (services.length === 0 && loader.findings.length === 0) {
    // A lint that checked nothing is not a pass.
    loader.findings.push({
      file: paths.map((p) => loader.display(p)).join('+'),
      service: '-',
      rule: 'yaml',
      message: 'no services in these files: nothing was checked',
      fix: 'name the compose file(s) that define the services (an override alone has none)',
    });
  }
  return { files: paths.map((p) => loader.display(p)), services, findings: loader.findings };
}
