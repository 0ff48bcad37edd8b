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
  const html = `<h2 id="wall-time">Test-file wall time</h2>${horizontalBarChart({
    title: 'wall time per test file (red: has failures)',
    bars: sorted.map((f) => ({
      label: f.file,
      value: f.durationMs / 1000,
      color: f.tests.some((t) => t.state === 'failed') || f.state === 'failed' ? '#e15759' : '#4e79a7',
    })),
    valueFormat: (v) => `${v.toFixed(1)} s`,
  })}`;
  const md = [
    '## Test-file wall time',
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

const CAUSE: Record<string, string> = {
  check: 'check failed',
  setup: 'could not run: its setup failed',
  interrupted: 'did not finish: run interrupted',
};

/** Failed checks of `files` with their reasons; failing services' log lines folded under each. */
export function failuresSection(
  files: ReportFile[],
  kind: 'deployment' | 'self',
): { html: string; md: string } {
  const failures = files.flatMap((f) => f.tests.filter((t) => t.state === 'failed').map((t) => ({ f, t })));
  const silent = files.filter(
    (f) => f.state === 'failed' && !f.tests.some((t) => t.state === 'failed') && !(f.errors ?? []).length,
  );
  if (failures.length === 0 && silent.length === 0) return { html: '', md: '' };
  const title = kind === 'deployment' ? 'Deployment failures' : 'Self-test failures';
  const html: string[] = [`<h2 id="${kind}-failures">${title}</h2>`];
  const md: string[] = [`## ${title}`, ''];
  for (const { f, t } of failures) {
    const cause = CAUSE[t.cause ?? 'check'] ?? 'failed';
    html.push(
      `<div class="fail"><b>${esc(f.file)} › ${esc(t.name)}</b> <span class="muted">(${esc(cause)})</span><pre>${esc(t.errors.join('\n\n'))}</pre>${
        t.logs
          ? `<details><summary>failing services' log lines</summary><pre>${esc(t.logs)}</pre></details>`
          : ''
      }</div>`,
    );
    md.push(
      `- **${f.file} › ${t.name}** (${cause}): ${t.errors[0]?.split('\n').find((l) => l.trim()) ?? ''}`,
    );
  }
  for (const f of silent) {
    html.push(
      `<div class="fail"><b>${esc(f.file)}</b>: the file failed and vitest reported no error for it</div>`,
    );
    md.push(`- **${f.file}**: the file failed and vitest reported no error for it`);
  }
  md.push('');
  return { html: html.join('\n'), md: md.join('\n') };
}

/** Every test with its state and the time of its work (own + share of shared hooks). */
export function testsSection(files: ReportFile[]): { html: string; md: string } {
  const html: string[] = [
    '<h2 id="tests">All tests</h2>',
    '<table><tr><th>file</th><th>test</th><th>state</th><th>own time</th><th>+ shared setup</th></tr>',
  ];
  for (const f of files) {
    for (const t of f.tests) {
      html.push(
        `<tr><td>${esc(f.file)}</td><td>${esc(t.name)}</td><td><span class="dot" style="background:${COLORS[t.state] ?? '#999'}"></span>${esc(t.state)}${t.cause && t.cause !== 'check' ? ` (${esc(t.cause)})` : ''}</td><td>${esc(seconds(t.durationMs))}</td><td>${esc(seconds(t.setupMs ?? 0))}</td></tr>`,
      );
    }
  }
  html.push('</table>');
  return { html: html.join('\n'), md: '' };
}
