/**
 * Vitest reporter writing the human report: `reports/report.html` (self-contained, inline SVG plots)
 * and `reports/summary.md`, from per-test results and the measurements suites recorded with
 * harness/report/measurements.ts (JSON lines in `reports/measurements/*.jsonl`, cleared when a run
 * starts).
 *
 * @example
 * // vitest.config.ts
 * reporters: ['default', ['junit', { outputFile: 'reports/junit.xml' }], './harness/report/reporter.ts'],
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { SerializedError } from 'vitest';
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';
import { measurementsDir, REPO_ROOT, reportsDir } from './measurements.ts';
import type { Measurement, ReportFile, RunReport, TestState } from './model.ts';
import { renderHtml, renderMarkdown } from './render.ts';

/** Reads every measurement line; a corrupt line is reported as a measurement of its own. */
export function readMeasurements(dir = measurementsDir()): Measurement[] {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  } catch {
    return [];
  }
  const out: Measurement[] = [];
  for (const f of files.sort()) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as Measurement);
      } catch (err) {
        out.push({
          name: 'unreadable-measurement',
          data: { file: f, error: String(err), line: line.slice(0, 200) },
          t: 0,
          pid: 0,
        });
      }
    }
  }
  return out.sort((a, b) => a.t - b.t);
}

function toReportFile(m: TestModule): ReportFile {
  const tests = [...m.children.allTests()].map((t) => {
    const r = t.result();
    return {
      name: t.fullName,
      state: r.state as TestState,
      durationMs: t.diagnostic()?.duration ?? 0,
      errors: (r.errors ?? []).map((e) => [e.message, e.diff].filter(Boolean).join('\n')),
    };
  });
  return {
    file: relative(REPO_ROOT, m.moduleId),
    project: m.project.name,
    state: m.state(),
    durationMs: m.diagnostic().duration,
    tests,
  };
}

export function writeReport(report: RunReport, dir = reportsDir()): { html: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const html = join(dir, 'report.html');
  const md = join(dir, 'summary.md');
  writeFileSync(html, renderHtml(report));
  writeFileSync(md, renderMarkdown(report));
  return { html, md };
}

export default class HumanReportReporter implements Reporter {
  private startedAt = Date.now();

  /** Before global setup runs: measurements recorded there belong to this run too. */
  onInit(): void {
    this.startedAt = Date.now();
    rmSync(measurementsDir(), { recursive: true, force: true });
  }

  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    const report: RunReport = {
      startedAt: this.startedAt,
      finishedAt: Date.now(),
      reason,
      files: testModules.map(toReportFile),
      measurements: readMeasurements(),
      unhandledErrors: unhandledErrors.map((e) => `${e.name ?? 'Error'}: ${e.message}`),
    };
    const { html } = writeReport(report);
    process.stderr.write(
      `human report: ${relative(process.cwd(), html)} (${report.measurements.length} measurements)\n`,
    );
  }
}
