/**
 * reports/junit.xml under the strict published schemas (Ant/windyroad and Jenkins), and the
 * counting rules of issue 10: a check whose shared hook failed is failed (not skipped) with the
 * cause, in JUnit, in summary.json/summary.md and in the closing line; an interrupted run still
 * writes what finished, marked interrupted. The runs are real vitest runs of planted suites
 * (fixtures/report/suites) in a child process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureRun, runFixture } from '../../fixtures/report/run.ts';
import { sampleRun } from '../../fixtures/report/sample-run.ts';
import { renderJunit } from './junit.ts';
import { validateJunit, validateSummary } from './validate.ts';

const tmp = mkdtempSync(join(tmpdir(), 'homeiq-junit-'));
const dirs: string[] = [tmp];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const closingLine = (file: string): string =>
  execFileSync(process.execPath, ['harness/ci/junit-summary.ts', file], { encoding: 'utf8' }).trim();

/** <testcase ...> elements with their bodies. */
function testcases(xml: string): { attrs: string; body: string }[] {
  return [...xml.matchAll(/<testcase ([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)].map((m) => ({
    attrs: m[1] ?? '',
    body: m[2] ?? '',
  }));
}

const attr = (attrs: string, name: string): string => new RegExp(`${name}="([^"]*)"`).exec(attrs)?.[1] ?? '';

describe('junit.xml of a full run (fixture results)', () => {
  const report = sampleRun();
  const xml = renderJunit(report);
  const path = join(tmp, 'sample.xml');
  writeFileSync(path, xml);

  it('is valid under the strict Ant (windyroad) schema and under Jenkins', () => {
    expect(validateJunit(path)).toEqual({ ant: [], jenkins: [] });
  });

  it('names the promise or suite in classname, never a file path', () => {
    const names = testcases(xml).map((t) => attr(t.attrs, 'classname'));
    expect(names).toContain('deployment.throughput');
    expect(names).toContain('deployment.bucket-separation');
    for (const n of names) {
      expect(n).toMatch(/^(deployment|harness)\.[^.]+$/);
      expect(n).not.toMatch(/\.test\.|\.[cm]?[jt]s\b|^\w+\.(suites|harness|fixtures)\//);
    }
  });

  it('gives each check the time of its work: its share of the shared hook that did it', () => {
    const thr = testcases(xml).filter((t) => attr(t.attrs, 'classname') === 'deployment.throughput');
    expect(thr).toHaveLength(4);
    for (const t of thr) expect(Number(attr(t.attrs, 'time'))).toBeGreaterThanOrEqual(17); // 68 s over 4
  });

  it('carries the target and the seed as properties', () => {
    expect(xml).toContain('<property name="target" value="compose"/>');
    expect(xml).toContain('<property name="compose.files" value="docker-compose.test.yml"/>');
    expect(xml).toContain('<property name="image.influxdb" value="homeiq/influxdb:2.8.0"/>');
    expect(xml).toContain('<property name="influxdb.version" value="2.8.0"/>');
    expect(xml).toContain('<property name="seed.HOMEIQ_SEED" value="40"/>');
  });

  it('stays valid with control characters, markup and stray surrogates in messages and logs', () => {
    const nasty = sampleRun();
    const t = nasty.files[0]?.tests[0];
    if (!t || !nasty.files[0]) throw new Error('fixture changed');
    nasty.files[0].state = 'failed';
    Object.assign(t, {
      state: 'failed',
      cause: 'check',
      errors: ['x: expected <0>, measured "1" & \u0000\u0007\u001b[31mred\u001b[0m \ud800 ]]> end'],
      logs: 'line \u001b[2K\u0008 <b>&</b> \udfff',
    });
    const p = join(tmp, 'nasty.xml');
    writeFileSync(p, renderJunit(nasty));
    expect(validateJunit(p)).toEqual({ ant: [], jenkins: [] });
    expect(readFileSync(p, 'utf8')).toContain('expected &lt;0&gt;, measured "1" &amp; red');
  });

  it('fails validation on a planted fault (a testcase without classname), so the check can fail', () => {
    const p = join(tmp, 'broken.xml');
    writeFileSync(p, xml.replace(/ classname="[^"]*"/, ''));
    const r = validateJunit(p);
    expect(r.ant.join('\n')).toMatch(/classname.*required/);
  });
});

describe('a run whose shared beforeAll fails (planted stack boot failure, child vitest)', () => {
  let run: FixtureRun;
  let xml: string;
  beforeAll(async () => {
    run = await runFixture(['planted-hook', 'timed-checks']);
    dirs.push(run.dir);
    xml = readFileSync(join(run.dir, 'junit.xml'), 'utf8');
  }, 90_000);

  it('writes JUnit valid under both schemas', () => {
    expect(validateJunit(join(run.dir, 'junit.xml'))).toEqual({ ant: [], jenkins: [] });
  });

  it('reports every check under the failed hook as an <error> naming the cause, not as skipped', () => {
    const cases = testcases(xml).filter((t) =>
      attr(t.attrs, 'name').startsWith('bucket separation under a failed boot'),
    );
    const byName = Object.fromEntries(
      cases.map((c) => [attr(c.attrs, 'name').split(' &gt; ').pop(), c.body]),
    );
    for (const name of [
      'writes every fired event into the test bucket exactly once',
      'writes none of them into the production bucket',
    ]) {
      expect(byName[name]).toMatch(
        /<error message="could not run: a shared hook of block [^"]*stack boot failed: influxdb: not healthy after 60 s/,
      );
      expect(byName[name]).toContain('type="SetupFailed"');
      expect(byName[name]).not.toContain('<skipped');
    }
    expect(byName['a check skipped on purpose']).toContain('<skipped');
  });

  it('still runs the check that does not depend on the failed hook', () => {
    const c = testcases(xml).find((t) =>
      attr(t.attrs, 'name').includes('still runs when the other block could not boot'),
    );
    expect(c?.body).toBe('');
  });

  it('counts them failed in the closing line, summary.json and summary.md, with the reason', () => {
    expect(closingLine(join(run.dir, 'junit.xml'))).toBe('2 passed, 3 failed, 1 skipped');
    const summary = JSON.parse(readFileSync(join(run.dir, 'summary.json'), 'utf8'));
    expect(validateSummary(summary)).toEqual([]);
    expect(summary.counts).toEqual({ passed: 2, failed: 3, skipped: 1, failedBySetup: 2, interrupted: 0 });
    expect(
      summary.deployment.promises.find((p: { id: string }) => p.id === 'bucket-separation'),
    ).toMatchObject({
      status: 'fail',
      failures: [
        expect.stringMatching(/^2 checks: could not run: .*stack boot failed: influxdb: not healthy/),
      ],
    });
    const md = readFileSync(join(run.dir, 'summary.md'), 'utf8');
    expect(md).toContain('(could not run: its setup failed)');
    expect(md).toContain(
      'stack boot failed: influxdb: not healthy after 60 s (last health: starting) [planted]',
    );
    expect(md).not.toContain('failed outside its tests');
  });

  it("attributes the shared hook's time to the checks that needed it (not ~0.001 s)", () => {
    const timed = testcases(xml).filter((t) => attr(t.attrs, 'classname').startsWith('harness.throughput'));
    expect(timed).toHaveLength(2);
    for (const t of timed) expect(Number(attr(t.attrs, 'time'))).toBeGreaterThanOrEqual(0.55); // 1.2 s / 2
  });

  it("puts the failing services' log lines in <system-out>, not in the failure message", () => {
    const failed = testcases(xml).find((t) => attr(t.attrs, 'name') === 'stores no event twice');
    expect(failed?.body).toMatch(
      /<failure message="websocket-ingestion-test: fired events stored more than once: expected 0, measured 3" type="CheckError">/,
    );
    expect(failed?.body).not.toContain('log lines');
    const out =
      /<testsuite name="throughput with the work in a shared hook"[\s\S]*?<system-out>([\s\S]*?)<\/system-out>/.exec(
        xml,
      )?.[1] ?? '';
    expect(out).toContain('=== stores no event twice (failed) ===');
    expect(out).toContain(
      'websocket-ingestion-test ERROR batch write failed: 503 &lt;influxdb&gt; &amp; retrying',
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes must not reach XML
    expect(xml).not.toMatch(/\u001b/);
  });
});

describe.each(['SIGTERM', 'SIGINT'] as const)('a run interrupted by %s (child vitest)', (signal) => {
  let run: FixtureRun;
  let xml: string;
  beforeAll(async () => {
    run = await runFixture(['interrupted'], { interrupt: signal });
    dirs.push(run.dir);
    xml = readFileSync(join(run.dir, 'junit.xml'), 'utf8');
  }, 90_000);

  it('exits non-zero and writes JUnit valid under both schemas, marked interrupted', () => {
    expect(run.code === null ? run.signal : run.code).not.toBe(0);
    expect(validateJunit(join(run.dir, 'junit.xml'))).toEqual({ ant: [], jenkins: [] });
    expect(xml).toContain(`<property name="interrupted" value="${signal}"/>`);
  });

  it('keeps the check that finished and fails those that did not, as interrupted', () => {
    const cases = testcases(xml);
    expect(cases.find((c) => attr(c.attrs, 'name') === 'finishes before the signal')?.body).toBe('');
    const cut = cases.filter((c) => c.body.includes('type="Interrupted"'));
    expect(cut.map((c) => attr(c.attrs, 'name')).sort()).toEqual([
      'is running when the signal comes',
      'never starts',
    ]);
    expect(closingLine(join(run.dir, 'junit.xml'))).toBe(
      `junit: the run was interrupted (${signal}); counts hold what finished\n1 passed, 2 failed, 0 skipped`,
    );
  });

  it('writes summary.json and summary.md of what finished, marked interrupted', () => {
    const summary = JSON.parse(readFileSync(join(run.dir, 'summary.json'), 'utf8'));
    expect(validateSummary(summary)).toEqual([]);
    expect(summary.run).toMatchObject({ outcome: 'interrupted', interrupted: { signal } });
    expect(summary.counts).toMatchObject({ passed: 1, failed: 2, interrupted: 2 });
    expect(readFileSync(join(run.dir, 'summary.md'), 'utf8')).toContain(`**Interrupted by ${signal}**`);
  });
});
