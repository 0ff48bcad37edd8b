/** Test results: per-suite wall time chart, failures with messages, every test with its duration. */
import type { ReportFile } from '../model.ts';
import { horizontalBarChart } from '../svg/bar-chart.ts';
import { esc } from '../svg/escape.ts';
import { mdTable, seconds } from './format.ts';

const COLORS: Record<string, string> = {
  passed: '#59a14f',
  failed: '#e15759',
  skipped: '#bab0ac',
  pending: '#edc948',
};

export function wallTimeSection(files: ReportFile[]): { html: string; md: string } {
  if (files.length === 0) return { html: '', md: '' };
  const sorted = [...files].sort((a, b) => b.durationMs - a.durationMs);
  const html = `<h2 id="wall-time">Per-suite wall time</h2>${horizontalBarChart({
    title: 'wall time per test file (red: has failures)',
    bars: sorted.map((f) => ({
      label: f.file,
      value: f.durationMs / 1000,
      color: f.tests.some((t) => t.state === 'failed') || f.state === 'failed' ? '#e15759' : '#4e79a7',
    })),
    valueFormat: (v) => `${v.toFixed(1)} s`,
  })}`;
  const md = [
    '## Per-suite wall time',
    '',
    mdTable(
      ['file', 'project', 'wall time', 'passed', 'failed'],
      sorted.map((f) => [
        f.file,
        f.project,
        seconds(f.durationMs),
        f.tests.filter((t) => t.state === 'passed').length,
        f.tests.filter((t) => t.state === 'failed').length,
      ]),
    ),
    '',
  ].join('\n');
  return { html, md };
}

export function testsSection(files: ReportFile[]): { html: string; md: string } {
  const failures = files.flatMap((f) => f.tests.filter((t) => t.state === 'failed').map((t) => ({ f, t })));
  const fileErrors = files.filter((f) => f.state === 'failed' && !f.tests.some((t) => t.state === 'failed'));
  const html: string[] = ['<h2 id="tests">Tests</h2>'];
  const md: string[] = [];
  if (failures.length > 0 || fileErrors.length > 0) {
    html.push('<h3>Failures</h3>');
    md.push('## Failures', '');
    for (const { f, t } of failures) {
      html.push(
        `<div class="fail"><b>${esc(f.file)} › ${esc(t.name)}</b><pre>${esc(t.errors.join('\n\n'))}</pre></div>`,
      );
      md.push(`- **${f.file} › ${t.name}**: ${t.errors[0]?.split('\n')[0] ?? ''}`);
    }
    for (const f of fileErrors) {
      html.push(
        `<div class="fail"><b>${esc(f.file)}</b>: the file failed outside its tests (hook or import)</div>`,
      );
      md.push(`- **${f.file}**: failed outside its tests (hook or import)`);
    }
    md.push('');
  }
  html.push('<table><tr><th>file</th><th>test</th><th>state</th><th>duration</th></tr>');
  for (const f of files) {
    for (const t of f.tests) {
      html.push(
        `<tr><td>${esc(f.file)}</td><td>${esc(t.name)}</td><td><span class="dot" style="background:${COLORS[t.state] ?? '#999'}"></span>${esc(t.state)}</td><td>${esc(seconds(t.durationMs))}</td></tr>`,
      );
    }
  }
  html.push('</table>');
  return { html: html.join('\n'), md: md.join('\n') };
}
