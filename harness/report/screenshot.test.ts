/**
 * The human report as a person sees it: rendered in headless chromium (Debian's package, driven by
 * playwright-core, no browser download), checked from the rendered page, not the HTML text. The
 * report is generated from a fixed results set (fixtures/report/sample-run.ts) into
 * reports/sample/, and the screenshot saved beside it (reports/sample/report.png). A run's own
 * report gets its screenshot from the reporter (reports/report.png).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sampleRun } from '../../fixtures/report/sample-run.ts';
import { reportsDir } from './measurements.ts';
import { writeReport } from './reporter.ts';
import { type RenderedReport, renderReport } from './screenshot.ts';

const dir = join(reportsDir(), 'sample');

function pngSize(path: string): { width: number; height: number } {
  const b = readFileSync(path);
  expect(b.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

describe('report.html rendered in headless chromium', () => {
  let seen: RenderedReport;
  let html: string;
  beforeAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    const out = writeReport(sampleRun(), dir);
    html = readFileSync(out.html, 'utf8');
    seen = await renderReport(out.html, join(dir, 'report.png'));
  }, 120_000);

  it('shows the verdict table first, one visible row per promise that ran', () => {
    expect(seen.title).toBe('HomeIQ deployment verdict: PASS');
    expect(seen.verdict.visible).toBe(true);
    expect(seen.verdict.height).toBeGreaterThan(100);
    expect(seen.verdict.rows).toBe(7);
    expect(seen.verdict.text.map((r) => r[0])).toEqual([
      'Bucket separation',
      'External APIs disabled',
      'AI reachability',
      'Memory ceilings',
      'Throughput without loss',
      'Production safeguards',
      'Graceful shutdown',
    ]);
    for (const row of seen.verdict.text) {
      expect(row[1]).toBe('PASS');
      expect(row[2]?.length).toBeGreaterThan(10); // key figures
    }
  });

  it('draws every plot visible and non-empty', () => {
    expect(seen.plots.length).toBe(html.match(/<figure><svg /g)?.length);
    expect(seen.plots.length).toBeGreaterThanOrEqual(20);
    const bad = seen.plots.filter((p) => !p.visible || p.width < 100 || p.height < 50 || p.marks < 3);
    expect(bad).toEqual([]);
  });

  it('needs nothing from the network and saves a full-page screenshot beside the report', () => {
    expect(seen.blockedRequests).toEqual([]);
    const size = pngSize(join(dir, 'report.png'));
    expect(size.width).toBe(1280);
    expect(size.height).toBe(seen.pageHeight);
  });

  it('sees a hidden verdict table and an empty plot (planted faults), so the checks can fail', async () => {
    const broken = html
      .replace('</style>', '#verdict{display:none}</style>')
      .replace(/(<figure><svg [^>]*>)[\s\S]*?(<\/svg><\/figure>)/, '$1$2');
    mkdirSync(join(dir, 'planted'), { recursive: true });
    const path = join(dir, 'planted', 'report.html');
    writeFileSync(path, broken);
    const r = await renderReport(path, join(dir, 'planted', 'report.png'));
    expect(r.verdict.visible).toBe(false);
    expect(r.plots[0]).toMatchObject({ marks: 0 });
  }, 120_000);
});
