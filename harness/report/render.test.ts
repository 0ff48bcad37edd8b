import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleRun } from '../../fixtures/report/sample-run.ts';
import {
  ratePerSecond,
  recordLatency,
  recordMeasurement,
  recordSeed,
  recordThroughput,
  summariseLatency,
} from './measurements.ts';
import type { RunReport } from './model.ts';
import { renderHtml, renderMarkdown } from './render.ts';
import { readMeasurements, writeReport } from './reporter.ts';

const dir = mkdtempSync(join(tmpdir(), 'homeiq-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 0, 1, 12);
const MiB = 1048576;

function sampleReport(): RunReport {
  const samples = Array.from({ length: 60 }, (_, i) => ({
    t: T0 + i * 1000,
    usageBytes: 0,
    inactiveFileBytes: 0,
    workingSetBytes: (40 + (i > 30 ? 150 : 0) + (i % 5)) * MiB,
    engineLimitBytes: 256 * MiB,
    source: 'engine' as const,
  }));
  return {
    startedAt: T0,
    finishedAt: T0 + 95_000,
    reason: 'failed',
    unhandledErrors: [],
    files: [
      {
        file: 'suites/mission/ingest.test.ts',
        project: 'suites',
        state: 'failed',
        durationMs: 80_000,
        tests: [
          { name: 'ingests 150 events/s', state: 'passed', durationMs: 60_000, errors: [] },
          {
            name: 'stays under limits',
            state: 'failed',
            durationMs: 20_000,
            errors: ['ingestion: working set peaked at 201.0 MiB'],
          },
        ],
      },
      { file: 'harness/util/wait.test.ts', project: 'unit', state: 'passed', durationMs: 30, tests: [] },
    ],
    measurements: [
      {
        name: 'seed',
        data: { name: 'mock-ha scenario', seed: 4242 },
        t: T0,
        pid: 1,
        file: 'suites/mission/ingest.test.ts',
      },
      {
        name: 'memory',
        t: T0,
        pid: 1,
        data: {
          startedAt: T0,
          stoppedAt: T0 + 60_000,
          intervalMs: 1000,
          marks: [
            { label: 'idle', t: T0 },
            { label: 'load', t: T0 + 30_000 },
          ],
          services: {
            'websocket-ingestion-test': {
              service: 'websocket-ingestion-test',
              containerId: 'abc',
              limitBytes: 256 * MiB,
              engineLimitBytes: 256 * MiB,
              peakWorkingSetBytes: 194 * MiB,
              peakAt: T0 + 34_000,
              peakPhase: 'load',
              sampleCount: 60,
              engineSampleCount: 60,
              maxGapMs: 1000,
              meanIntervalMs: 1000,
              kernelMaxUsageBytes: null,
              oomKilled: false,
              samples,
            },
          },
        },
      },
      {
        name: 'throughput',
        t: T0,
        pid: 1,
        data: {
          label: 'mock HA -> InfluxDB',
          targetPerSec: 150,
          points: Array.from({ length: 60 }, (_, i) => ({ tSec: i, perSec: 140 + (i % 7) })),
        },
      },
      {
        name: 'latency',
        t: T0,
        pid: 1,
        data: summariseLatency(
          'event -> InfluxDB',
          Array.from({ length: 500 }, (_, i) => 20 + (i % 50) * 3 + (i === 499 ? 2000 : 0)),
          { percentile: 'p95', maxMs: 1000 },
        ),
      },
      { name: 'stack-versions', t: T0, pid: 1, data: { influxdb: '2.8.0' } },
    ],
  };
}

describe('ratePerSecond', () => {
  it('counts events per whole second since the start, including empty seconds', () => {
    expect(ratePerSecond([T0 + 10, T0 + 900, T0 + 2500], T0)).toEqual([
      { tSec: 1, perSec: 2 },
      { tSec: 2, perSec: 0 },
      { tSec: 3, perSec: 1 },
    ]);
    expect(ratePerSecond([], T0, T0 + 2000)).toEqual([
      { tSec: 1, perSec: 0 },
      { tSec: 2, perSec: 0 },
    ]);
  });
});

describe('summariseLatency', () => {
  it('computes nearest-rank percentiles and a histogram holding every sample', () => {
    const d = summariseLatency('x', [5, 1, 4, 2, 3, 100]);
    expect(d.percentiles).toMatchObject({ min: 1, p50: 3, p90: 100, max: 100 });
    expect(d.bins.reduce((n, b) => n + b.count, 0)).toBe(6);
  });
});

describe('renderHtml / renderMarkdown', () => {
  const report = sampleReport();
  const html = renderHtml(report);
  const md = renderMarkdown(report);

  it('is self-contained: no external scripts, styles or images', () => {
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(4);
  });

  it('plots memory with the limit line and phase markers, throughput with its target, latency percentiles', () => {
    expect(html).toContain('websocket-ingestion-test: peak 194.0 MiB');
    expect(html).toContain('limit 256.0 MiB');
    expect(html).toMatch(/class="mlabel">load</);
    expect(html).toContain('target 150/s');
    expect(html).toContain('budget p95');
    expect(html).toContain('wall time per test file');
  });

  it('opens on the deployment verdict, and counts a file that proves no promise as a self-test', () => {
    // ingest.test.ts proves no promise: its failure is the harness's, not the deployment's
    expect(html.indexOf('Deployment verdict')).toBeLessThan(html.indexOf('wall time per test file'));
    expect(html).toContain('<h1>HomeIQ deployment verdict: NOT RUN</h1>');
    expect(html).toContain('Self-test failures');
    expect(html).toContain('ingestion: working set peaked at 201.0 MiB');
    expect(md).toContain('# HomeIQ deployment verdict: NOT RUN');
    expect(md).toContain('| mock-ha scenario | 4242 | suites/mission/ingest.test.ts | - |');
    expect(md).toMatch(/harness self-tests: 1 passed, 1 failed/);
    expect(html).toContain('stack-versions');
  });

  it('writes junit.xml, summary.json, summary.md and report.html', () => {
    const out = writeReport(report, dir);
    expect(readFileSync(out.html, 'utf8')).toBe(html);
    expect(readFileSync(out.md, 'utf8')).toBe(md);
    expect(JSON.parse(readFileSync(out.json, 'utf8'))).toMatchObject({ schemaVersion: 1 });
    expect(readFileSync(out.junit, 'utf8')).toContain('<testsuites>');
  });
});

describe('the report of a full run (fixtures/report/sample-run.ts)', () => {
  const run = sampleRun();
  const html = renderHtml(run);
  const md = renderMarkdown(run);

  it('has one verdict row per promise with its key figures, the target, the seed and the memory budget', () => {
    const table = md.slice(md.indexOf('| promise |'), md.indexOf('- target:'));
    for (const title of [
      'Bucket separation',
      'External APIs disabled',
      'AI reachability',
      'Memory ceilings',
      'Throughput without loss',
      'Production safeguards',
      'Graceful shutdown',
    ])
      expect(table).toMatch(new RegExp(`\\| ${title} \\| PASS \\|`));
    expect(table).toContain('11000 fired, 11000 stored, 0 missing, 0 duplicated');
    expect(table).toMatch(/p50 \d+ ms \/ p95 \d+ ms \/ p99 \d+ ms \(limit p99 <= 5000 ms\)/);
    expect(table).toMatch(/peak of limit: data-generator \d+%/);
    expect(table).toContain('0 outbound connection(s), 0 external, over 7 service(s)');
    expect(md).toContain('- compose files: docker-compose.test.yml (profiles test)');
    expect(md).toContain('- InfluxDB version: 2.8.0');
    expect(md).toContain('- seed: 40 (HOMEIQ_SEED)');
    expect(md).toMatch(/memory limits: 2\.91 GiB over 17 services = 48% of the 6\.00 GiB budget/);
  });

  it('says how many promises a PASS covers when some were not checked (a one-suite run is no clean bill)', () => {
    const only = sampleRun();
    only.files = only.files.filter((f) => f.file === 'suites/mission/bucket-separation.smoke.test.ts');
    const partial = renderMarkdown(only);
    expect(partial).toMatch(
      /^# HomeIQ deployment verdict: PASS for 1 of \d+ promises \(not checked: External APIs disabled, .*Graceful shutdown.*\)$/m,
    );
    expect(renderHtml(only)).toMatch(/<div class="banner warn">Deployment: PASS/);
  });

  it("keeps the self-test's deliberate OOM kill out of the deployment's verdict", () => {
    expect(html).toContain('<h1>HomeIQ deployment verdict: PASS</h1>');
    const self = html.indexOf('id="self-tests"');
    const oom = html.indexOf('OOM kills 1');
    expect(oom).toBeGreaterThan(self);
    expect(html.slice(0, self)).not.toContain('memory-hog');
  });

  it('fills the throughput and seed sections and puts test-file timings last', () => {
    expect(html).toContain('burst scenario, 11000 events: mean');
    expect(html).toContain('target 500/s');
    expect(md).toContain('| mock-ha scenario | 40 | suites/mission/bucket-separation.smoke.test.ts | - |');
    expect(html.lastIndexOf('<h2')).toBe(html.indexOf('<h2 id="tests">'));
    expect(html.indexOf('<h2 id="wall-time">')).toBeGreaterThan(html.indexOf('<h2 id="seeds">'));
  });

  it('marks a failing promise FAIL with the reason, and a check whose boot failed as could-not-run', () => {
    const failing = sampleRun();
    const thr = failing.files.find((f) => f.file === 'suites/mission/throughput.test.ts');
    if (!thr?.tests[1] || !thr.tests[2]) throw new Error('fixture changed');
    thr.state = 'failed';
    thr.tests[1] = {
      ...thr.tests[1],
      state: 'failed',
      cause: 'check',
      errors: ['websocket-ingestion-test: fired events missing: expected 0, measured 12 of 11000'],
    };
    thr.tests[2] = {
      ...thr.tests[2],
      state: 'failed',
      cause: 'setup',
      errors: ['could not run: a shared hook of the file failed: stack boot failed'],
    };
    const out = renderMarkdown(failing);
    expect(out).toContain('# HomeIQ deployment verdict: FAIL');
    expect(out).toMatch(
      /\| Throughput without loss \| FAIL \|.*✘ loses no event: websocket-ingestion-test: fired events missing/,
    );
    expect(out).toContain('2 failed (1 could not run: setup failed)');
    expect(out).toContain(
      '(could not run: its setup failed): could not run: a shared hook of the file failed: stack boot failed',
    );
  });
});

describe('recordMeasurement', () => {
  it('appends JSON lines per pid that the reporter reads back with the test that recorded them', () => {
    const previous = process.env.HOMEIQ_REPORTS_DIR;
    process.env.HOMEIQ_REPORTS_DIR = dir;
    try {
      recordSeed('unit', 7);
      recordThroughput({ label: 'r', targetPerSec: 1, points: [] });
      recordLatency('l', [1, 2, 3]);
      recordMeasurement('custom', { a: 1 });
      writeFileSync(join(dir, 'measurements', 'broken.jsonl'), '{not json\n');
      const read = readMeasurements(join(dir, 'measurements'));
      expect(read.map((m) => m.name).sort()).toEqual([
        'custom',
        'latency',
        'seed',
        'throughput',
        'unreadable-measurement',
      ]);
      const seed = read.find((m) => m.name === 'seed');
      expect(seed).toMatchObject({
        data: { name: 'unit', seed: 7 },
        pid: process.pid,
        file: 'harness/report/render.test.ts',
      });
      expect(seed?.test).toContain('appends JSON lines');
    } finally {
      if (previous === undefined) delete process.env.HOMEIQ_REPORTS_DIR;
      else process.env.HOMEIQ_REPORTS_DIR = previous;
    }
  });
});
