/**
 * The GitHub workflows: actionlint (pinned, built by setup) passes them and fails planted faults;
 * the nightly workflow does what issue 14 asks of it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../provision/paths.ts';
import { runActionlint, workflowFiles } from './actionlint.ts';

const dir = mkdtempSync(join(tmpdir(), 'actionlint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const workflow = (name: string) => readFileSync(join(repoRoot, '.github/workflows', name), 'utf8');

/** Write a copy of a workflow with one planted fault; the replaced text must exist. */
function planted(name: string, from: string, to: string): string {
  const text = workflow(name);
  expect(text).toContain(from);
  const p = join(dir, `${name.replace('.yml', '')}-${to.replace(/\W+/g, '_')}.yml`);
  writeFileSync(p, text.replace(from, to));
  return p;
}

describe('actionlint on .github/workflows', () => {
  it('the repository workflows are clean', async () => {
    const files = workflowFiles();
    expect(files.map((f) => f.split('/').at(-1))).toEqual(['ci.yml', 'nightly.yml']);
    const r = await runActionlint(files);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('fails a planted fault: an undefined matrix property', async () => {
    const r = await runActionlint([
      planted(
        'nightly.yml',
        'INFLUXDB_VERSION: ${{ matrix.influxdb }}',
        'INFLUXDB_VERSION: ${{ matrix.influx }}',
      ),
    ]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /property "influx" is not defined in object type \{influxdb: .*\} \[expression\]/,
    );
  });

  it('fails a planted fault: a job needing a job that does not exist', async () => {
    const r = await runActionlint([planted('ci.yml', 'needs: [lint, unit]', 'needs: [lint, units]')]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /job "suites" needs job "units" which does not exist in this workflow \[job-needs\]/,
    );
  });

  it('fails a planted fault: a step output read from a step id that does not exist', async () => {
    const r = await runActionlint([
      planted(
        'nightly.yml',
        'steps.base-image.outputs.cache-primary-key',
        'steps.base-img.outputs.cache-primary-key',
      ),
    ]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/property "base-img" is not defined/);
  });

  it('fails a planted fault in a run: script (shellcheck)', async () => {
    const r = await runActionlint([
      planted(
        'nightly.yml',
        'docker load -i ~/.cache/homeiq-harness/images/debian-base.tar',
        'docker load -i $TAR_DIR/debian-base.tar',
      ),
    ]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /shellcheck reported issue in this script: SC2086:info:1:\d+: Double quote to prevent globbing and word splitting \[shellcheck\]/,
    );
  });

  it('says to run setup when the binary is missing', async () => {
    const r = await runActionlint(workflowFiles(), join(dir, 'no-such', 'actionlint'));
    expect(r.code).toBe(1);
    expect(r.output).toMatch(
      /^actionlint v\d+\.\d+\.\d+ is not installed \(.*no-such\/actionlint: missing\): run npm run setup$/,
    );
  });
});

describe('nightly workflow', () => {
  const wf = parse(workflow('nightly.yml')) as {
    on: Record<string, unknown>;
    jobs: Record<
      string,
      { steps: { run?: string; uses?: string; with?: Record<string, string> }[]; if?: string }
    >;
  };
  const pins = JSON.parse(readFileSync(join(repoRoot, 'harness/config/pins.json'), 'utf8'));
  const runs = (job: string) => (wf.jobs[job]?.steps ?? []).map((s) => s.run ?? '').join('\n');

  it('is scheduled and runs the smoke set against the embedded default and an attached deployment', () => {
    expect(wf.on).toHaveProperty('schedule');
    expect(runs('smoke-embedded')).toMatch(/npm run test:smoke/);
    expect(runs('smoke-attached')).toMatch(/npm run test:smoke/);
    expect(wf.jobs['smoke-attached']?.if).toBe("vars.HOMEIQ_ATTACH_HOST != ''");
  });

  it('takes its InfluxDB matrix from the pins (baseline and candidate)', () => {
    expect(runs('pins')).toContain('[.influxdb.baseline, .influxdb.candidate]');
    expect(pins.influxdb.versions).toHaveProperty(pins.influxdb.baseline);
    expect(pins.influxdb.versions).toHaveProperty(pins.influxdb.candidate);
  });

  it('caches InfluxDB binaries and the base image keyed by the pins, uploads reports/, writes the job summary', () => {
    const steps = wf.jobs['smoke-embedded']?.steps ?? [];
    const cacheKeys = steps.filter((s) => s.uses?.startsWith('actions/cache')).map((s) => s.with?.key ?? '');
    expect(cacheKeys.some((k) => k.startsWith('influxd-') && k.includes("'harness/config/pins.json'"))).toBe(
      true,
    );
    expect(
      cacheKeys.some((k) => k.startsWith('base-image-') && k.includes("'harness/config/pins.json'")),
    ).toBe(true);
    expect(steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))?.with?.path).toBe('reports/');
    expect(runs('smoke-embedded')).toMatch(/cat reports\/summary\.md >> "\$GITHUB_STEP_SUMMARY"/);
  });
});
