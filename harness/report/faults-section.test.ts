import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleRun } from '../../fixtures/report/sample-run.ts';
import type { FaultsReport } from '../faults/matrix.ts';
import { renderHtml, renderMarkdown } from './render.ts';
import { insertFaultsSection, readFaultsReport } from './sections/faults.ts';

const matrix: FaultsReport = {
  schemaVersion: 1,
  startedAt: Date.UTC(2026, 0, 15, 3, 0, 0),
  finishedAt: Date.UTC(2026, 0, 15, 3, 5, 0),
  command: 'npm run test:faults',
  ok: false,
  faults: [
    {
      name: 'dropped-batch',
      kind: 'loss under bursts',
      breaks: 'drops',
      boot: 0,
      caught: true,
      costMs: 150_000,
      problems: [],
    },
  ],
  boots: [
    {
      faults: ['dropped-batch'],
      runner: 'suites',
      scenario: 'burst',
      command: 'HOMEIQ_FAULT=dropped-batch npx vitest run --project suites suites/mission/throughput.test.ts',
      dir: 'reports/faults/dropped-batch',
      exitCode: 1,
      wallMs: 150_000,
      rows: [
        {
          suite: 'suites/mission/throughput.test.ts',
          test: 'loses no event: every fired event is stored in the test bucket',
          expectedBy: [{ fault: 'dropped-batch', service: 'websocket-ingestion-test' }],
          expected: 'fail',
          actual: 'failed',
          verdict: 'caught',
          why: '',
          head: 'websocket-ingestion-test: fired events missing: expected 0, measured 412 of 11000',
          message: '',
        },
        {
          suite: 'suites/mission/throughput.test.ts',
          test: 'stores no event twice',
          expectedBy: [],
          expected: 'pass',
          actual: 'failed',
          verdict: 'collateral',
          why: 'collateral',
          head: 'websocket-ingestion-test: stored twice: expected 0, measured 3',
          message: '',
        },
      ],
    },
  ],
  problems: [
    'suites/mission/throughput.test.ts > stores no event twice: collateral: failed though no fault of this boot expects it',
  ],
};

describe('the planted-fault matrix in the human report', () => {
  it('is a section of report.html and summary.md when the run has a matrix', () => {
    const run = { ...sampleRun(), faults: matrix };
    const html = renderHtml(run);
    expect(html).toContain('<h2 id="faults">Planted-fault matrix</h2>');
    expect(html).toContain('<a href="#faults">Planted-fault matrix</a>');
    expect(html).toContain(
      'FAIL: 1 of 1 faults caught; 0 undetected, 0 vague messages, 1 collateral, 0 not run',
    );
    const md = renderMarkdown(run);
    expect(md).toContain('## Planted-fault matrix');
    expect(md).toContain(
      '| dropped-batch | mission/throughput > loses no event: every fired event is stored in the test bucket | fail | FAIL | caught |',
    );
    expect(renderHtml(sampleRun())).not.toContain('Planted-fault matrix');
  });

  it('is inserted into a report already written (once: a new matrix replaces the old one)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faults-report-'));
    writeFileSync(join(dir, 'report.html'), renderHtml(sampleRun()));
    writeFileSync(join(dir, 'summary.md'), renderMarkdown(sampleRun()));
    writeFileSync(join(dir, 'faults.json'), JSON.stringify(matrix));
    expect(readFaultsReport(dir)).toEqual(matrix);
    expect(insertFaultsSection(dir, matrix)).toEqual(['reports/report.html', 'reports/summary.md']);
    insertFaultsSection(dir, { ...matrix, ok: true, problems: [] });
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html.split('id="faults"').length).toBe(2);
    expect(html.indexOf('id="faults"')).toBeLessThan(html.indexOf('<section class="self"'));
    expect(html).toContain('PASS: 1 of 1 faults caught');
    expect(readFileSync(join(dir, 'summary.md'), 'utf8').split('## Planted-fault matrix').length).toBe(2);
  });
});
