/**
 * Validators for what a run writes, used by the report tests and usable on any run's output:
 * - `validateSummary(json)`: reports/summary.json against harness/report/summary.schema.json
 *   (JSON Schema 2020-12, with ajv and ajv-formats, strict mode);
 * - `validateJunit(path)`: reports/junit.xml against the strict Ant (windyroad) and the Jenkins
 *   JUnit schemas in harness/report/junit-schemas/, with xmllint (Debian's libxml2-utils, installed
 *   by `npm run setup`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const HERE = import.meta.dirname;
export const SUMMARY_SCHEMA_PATH = join(HERE, 'summary.schema.json');
export const JUNIT_SCHEMAS = {
  ant: join(HERE, 'junit-schemas', 'ant-junit.xsd'),
  jenkins: join(HERE, 'junit-schemas', 'jenkins-junit-10.xsd'),
} as const;

let compiled: (((data: unknown) => boolean) & { errors?: unknown }) | undefined;

/** Errors of `summary` against the schema, one line each (instance path and message); [] when valid. */
export function validateSummary(summary: unknown): string[] {
  if (!compiled) {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    compiled = ajv.compile(JSON.parse(readFileSync(SUMMARY_SCHEMA_PATH, 'utf8')));
  }
  if (compiled(summary)) return [];
  const errors = (compiled.errors ?? []) as { instancePath: string; message?: string; params?: unknown }[];
  return errors.map(
    (e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'} ${JSON.stringify(e.params ?? {})}`,
  );
}

/**
 * Errors of the JUnit file at `path` under each schema ({ ant: [...], jenkins: [...] }); empty
 * lists when valid. Throws when xmllint is missing.
 */
export function validateJunit(path: string): Record<keyof typeof JUNIT_SCHEMAS, string[]> {
  const out = { ant: [] as string[], jenkins: [] as string[] };
  for (const [name, xsd] of Object.entries(JUNIT_SCHEMAS) as [keyof typeof JUNIT_SCHEMAS, string][]) {
    const r = spawnSync('xmllint', ['--noout', '--schema', xsd, path], { encoding: 'utf8', timeout: 30_000 });
    if (r.error)
      throw new Error(
        `xmllint could not run (${r.error.message}): 'npm run setup' installs it (Debian package libxml2-utils)`,
      );
    if (r.status !== 0)
      out[name] = (r.stderr || r.stdout)
        .split('\n')
        .filter((l) => l.trim() && !/ validates$/.test(l) && !/fails to validate$/.test(l));
    if (r.status !== 0 && out[name].length === 0) out[name] = [`xmllint exit ${r.status}`];
  }
  return out;
}
