/** Renders a RunReport into a self-contained HTML page (inline SVG, inline CSS) and a Markdown summary. */
import type { RunReport } from './model.ts';
import { egressSection } from './sections/egress.ts';
import { iso, mdTable, seconds } from './sections/format.ts';
import { latencySection } from './sections/latency.ts';
import { memorySection } from './sections/memory.ts';
import { otherSection, seedsSection } from './sections/seeds.ts';
import { testsSection, wallTimeSection } from './sections/tests.ts';
import { throughputSection } from './sections/throughput.ts';
import { esc } from './svg/escape.ts';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 16px}
h1{margin:0 0 4px}h2{margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{margin:18px 0 4px}
.muted{color:#777}.grid{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0;border:1px solid #eee;border-radius:4px;padding:4px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}tr.bad td{background:#fde8e8}.fail{border-left:4px solid #e15759;background:#fdf3f3;padding:6px 10px;margin:6px 0}
pre{white-space:pre-wrap;font-size:12px;margin:4px 0}.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px}
.cards{display:flex;gap:12px;margin:12px 0}.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:22px}.card.bad{border-color:#e15759;color:#b22}.card.good{border-color:#59a14f}
nav a{margin-right:12px}
svg .t{font-weight:600;font-size:12px}svg .tick{font-size:10px;fill:#555}svg .lbl{font-size:10px;fill:#555}
svg .grid{stroke:#eee}svg .axis{stroke:#999}svg .marker{stroke:#999;stroke-dasharray:2 3}svg .mlabel{font-size:10px;fill:#666}
svg .hlabel{font-size:10px}svg .muted{fill:#999;font-size:12px}
`;

function counts(report: RunReport) {
  const tests = report.files.flatMap((f) => f.tests);
  return {
    files: report.files.length,
    passed: tests.filter((t) => t.state === 'passed').length,
    failed: tests.filter((t) => t.state === 'failed').length,
    skipped: tests.filter((t) => t.state === 'skipped').length,
    failedFiles: report.files.filter((f) => f.state === 'failed').length,
  };
}

export function renderHtml(report: RunReport): string {
  const c = counts(report);
  const ok = c.failed === 0 && c.failedFiles === 0 && report.unhandledErrors.length === 0;
  const sections = [
    wallTimeSection(report.files),
    memorySection(report.measurements),
    throughputSection(report.measurements),
    latencySection(report.measurements),
    egressSection(report.measurements),
    seedsSection(report.measurements),
    otherSection(report.measurements),
    testsSection(report.files),
  ];
  const nav = [
    ...sections.map((s) => /<h2 id="([^"]+)">([^<]+)<\/h2>/.exec(s.html)).filter((m) => m !== null),
  ]
    .map((m) => `<a href="#${m[1]}">${m[2]}</a>`)
    .join('');
  const unhandled = report.unhandledErrors.length
    ? `<div class="fail"><b>Unhandled errors</b><pre>${esc(report.unhandledErrors.join('\n\n'))}</pre></div>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HomeIQ harness report</title><style>${CSS}</style></head>
<body>
<h1>HomeIQ harness report ${ok ? '✔' : '✘'}</h1>
<p class="muted">${esc(iso(report.startedAt))} · wall time ${esc(seconds(report.finishedAt - report.startedAt))} · run ${esc(report.reason)}</p>
<div class="cards">
<div class="card ${ok ? 'good' : 'bad'}"><b>${ok ? 'PASS' : 'FAIL'}</b>verdict</div>
<div class="card"><b>${c.files}</b>test files</div>
<div class="card good"><b>${c.passed}</b>passed</div>
<div class="card ${c.failed ? 'bad' : ''}"><b>${c.failed}</b>failed</div>
<div class="card"><b>${c.skipped}</b>skipped</div>
<div class="card"><b>${report.measurements.length}</b>measurements</div>
</div>
<nav>${nav}</nav>
${unhandled}
${sections.map((s) => s.html).join('\n')}
</body></html>
`;
}

export function renderMarkdown(report: RunReport): string {
  const c = counts(report);
  const ok = c.failed === 0 && c.failedFiles === 0 && report.unhandledErrors.length === 0;
  const sections = [
    testsSection(report.files).md,
    wallTimeSection(report.files).md,
    memorySection(report.measurements).md,
    throughputSection(report.measurements).md,
    latencySection(report.measurements).md,
    egressSection(report.measurements).md,
    seedsSection(report.measurements).md,
    otherSection(report.measurements).md,
  ].filter(Boolean);
  return [
    `# HomeIQ harness report: ${ok ? 'PASS' : 'FAIL'}`,
    '',
    `${iso(report.startedAt)}, wall time ${seconds(report.finishedAt - report.startedAt)}, run ${report.reason}.`,
    '',
    mdTable(
      ['files', 'passed', 'failed', 'skipped', 'measurements'],
      [[c.files, c.passed, c.failed, c.skipped, report.measurements.length]],
    ),
    '',
    ...(report.unhandledErrors.length
      ? ['## Unhandled errors', '', ...report.unhandledErrors.map((e) => `- ${e.split('\n')[0]}`), '']
      : []),
    ...sections,
    'Full report with plots: `reports/report.html`.',
    '',
  ].join('\n');
}
