/**
 * Renders a RunReport into a self-contained HTML page (inline SVG, inline CSS, no script) and a
 * Markdown summary. Both open on the deployment's verdict (one row per promise, the target, the
 * seed, the memory budget); then the deployment's failures with their reasons and the plots of
 * the deployment's measurements; then the harness's own self-tests, kept apart (their planted
 * faults never show inside the deployment's verdict); test-file timings come last.
 */
import type { Measurement, ReportFile, RunReport } from './model.ts';
import { capacitySection, harnessCostSection } from './sections/capacity.ts';
import { egressSection } from './sections/egress.ts';
import { faultsSection } from './sections/faults.ts';
import { iso, seconds } from './sections/format.ts';
import { latencySection } from './sections/latency.ts';
import { memorySection } from './sections/memory.ts';
import { otherSection, seedsSection } from './sections/seeds.ts';
import { failuresSection, testsSection, wallTimeSection } from './sections/tests.ts';
import { throughputSection } from './sections/throughput.ts';
import { upgradeSection } from './sections/upgrade.ts';
import { checksText, verdictSection } from './sections/verdict.ts';
import { buildSummary, type Summary } from './summary.ts';
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
nav a{margin-right:12px}.banner{padding:8px 12px;border-radius:4px;margin:8px 0;font-weight:600}
.banner.bad{background:#fde8e8;color:#900}.banner.good{background:#e8f5e3;color:#255}.banner.warn{background:#fff4d6;color:#7a5b00}
table.verdict{width:100%;font-size:14px}table.verdict td.st{font-weight:700;white-space:nowrap}table.verdict td:last-child{white-space:nowrap}
table.verdict tr.good td.st{color:#2d7a22}table.verdict tr.bad td.st{color:#b22}table.verdict tr.none td{color:#888}
table.verdict .why{color:#b22;font-size:12px}table.target th{width:160px}
svg .t{font-weight:600;font-size:12px}svg .tick{font-size:10px;fill:#555}svg .lbl{font-size:10px;fill:#555}
svg .grid{stroke:#eee}svg .axis{stroke:#999}svg .marker{stroke:#999;stroke-dasharray:2 3}svg .mlabel{font-size:10px;fill:#666}
svg .hlabel{font-size:10px}svg .muted{fill:#999;font-size:12px}
section.self{border-top:3px double #ccc;margin-top:40px}
`;

const VERDICT_TEXT = {
  pass: 'PASS',
  fail: 'FAIL',
  interrupted: 'INTERRUPTED',
  'not run': 'NOT RUN',
} as const;

/**
 * The headline: the verdict, and when it is PASS while promises went unchecked, how many. A run of
 * one suite must not read like a clean bill of health for the whole deployment. Promises checked
 * only when their run is asked for (`whenRun`, e.g. the upgrade) do not count as missing.
 */
export function headline(s: Summary): string {
  const v = s.deployment.verdict;
  const expected = s.deployment.promises.filter((p) => !p.whenRun || p.status !== 'not run');
  const unchecked = expected.filter((p) => p.status === 'not run');
  if (v !== 'pass' || unchecked.length === 0) return VERDICT_TEXT[v];
  return `PASS for ${expected.length - unchecked.length} of ${expected.length} promises (not checked: ${unchecked.map((p) => p.title).join(', ')})`;
}

/** Measurements of the deployment's files (and those recorded outside any test) vs the self-tests'. */
function split(report: RunReport, s: Summary): { deployment: Measurement[]; self: Measurement[] } {
  const deploymentFiles = new Set(s.files.filter((f) => f.kind === 'deployment').map((f) => f.file));
  const deployment: Measurement[] = [];
  const self: Measurement[] = [];
  for (const m of report.measurements) {
    if (m.name === 'target' || m.name === 'verdict' || m.name === 'events') continue; // shown in the verdict
    // The capacity search and the harness's own cost describe this deployment's run, whatever file.
    if (!m.file || deploymentFiles.has(m.file) || m.name === 'capacity' || m.name === 'harness-cost')
      deployment.push(m);
    else self.push(m);
  }
  return { deployment, self };
}

/** Sections rendered again under the self-tests: h2 -> h3, ids prefixed. */
const demote = (html: string): string =>
  html.replace(/<h2 id="([^"]+)">([\s\S]*?)<\/h2>/g, '<h3 id="self-$1">$2</h3>');

function filesOf(report: RunReport, s: Summary, kind: 'deployment' | 'self-test'): ReportFile[] {
  const names = new Set(s.files.filter((f) => f.kind === kind).map((f) => f.file));
  return report.files.filter((f) => names.has(f.file));
}

function plotSections(ms: Measurement[]) {
  return [
    capacitySection(ms),
    memorySection(ms),
    throughputSection(ms),
    latencySection(ms),
    harnessCostSection(ms),
    egressSection(ms),
  ];
}

export function renderHtml(report: RunReport, summary: Summary = buildSummary(report)): string {
  const s = summary;
  const v = s.deployment.verdict;
  const { deployment, self } = split(report, s);
  const depFiles = filesOf(report, s, 'deployment');
  const selfFiles = filesOf(report, s, 'self-test');
  const banner = report.interrupted
    ? `<div class="banner warn">Run interrupted by ${esc(report.interrupted.signal)} at ${esc(iso(report.interrupted.at))}: these results hold only what finished; checks that did not finish are counted failed.</div>`
    : '';
  const depSections = [
    failuresSection(depFiles, 'deployment'),
    upgradeSection(deployment),
    faultsSection(report.faults),
    ...plotSections(deployment),
  ];
  const selfSections = [failuresSection(selfFiles, 'self'), ...plotSections(self)];
  const closing = [seedsSection(report.measurements, s.seeds), otherSection([...deployment, ...self])];
  const timings = [wallTimeSection(report.files), testsSection(report.files)];
  const nav = [...depSections, ...closing, ...timings]
    .map((x) => /<h2 id="([^"]+)">([^<]+)<\/h2>/.exec(x.html))
    .filter((m) => m !== null)
    .map((m) => `<a href="#${m[1]}">${m[2]}</a>`)
    .concat(['<a href="#self-tests">Harness self-tests</a>'])
    .join('');
  const unhandled = report.unhandledErrors.length
    ? `<div class="fail"><b>Unhandled errors</b><pre>${esc(report.unhandledErrors.join('\n\n'))}</pre></div>`
    : '';
  const sc = s.selfTests.counts;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HomeIQ deployment verdict: ${esc(headline(s))}</title><style>${CSS}</style></head>
<body>
<h1>HomeIQ deployment verdict: ${esc(headline(s))}</h1>
<p class="muted">${esc(iso(report.startedAt))} · wall time ${esc(seconds(report.finishedAt - report.startedAt))} · run ${esc(s.run.outcome)}${report.hostname ? ` · host ${esc(report.hostname)}` : ''}</p>
${banner}
<div class="banner ${v === 'fail' ? 'bad' : headline(s) === 'PASS' ? 'good' : 'warn'}">Deployment: ${VERDICT_TEXT[v]} · ${esc(checksText(s.deployment.counts))} · harness self-tests: ${esc(checksText(sc))}</div>
${verdictSection(s).html}
<nav>${nav}</nav>
${unhandled}
${depSections.map((x) => x.html).join('\n')}
<section class="self" id="self-tests"><h2>Harness self-tests (not part of the deployment's verdict)</h2>
<p class="muted">The harness's own unit tests and the suites that prove no promise of the deployment (planted faults, samplers, monitors): ${esc(checksText(sc))}.</p>
${selfSections.map((x) => demote(x.html)).join('\n')}
</section>
${closing.map((x) => x.html).join('\n')}
${timings.map((x) => x.html).join('\n')}
</body></html>
`;
}

export function renderMarkdown(report: RunReport, summary: Summary = buildSummary(report)): string {
  const s = summary;
  const { deployment } = split(report, s);
  const depFiles = filesOf(report, s, 'deployment');
  const selfFiles = filesOf(report, s, 'self-test');
  const sections = [
    failuresSection(depFiles, 'deployment').md,
    failuresSection(selfFiles, 'self').md,
    upgradeSection(deployment).md,
    faultsSection(report.faults).md,
    capacitySection(deployment).md,
    memorySection(deployment).md,
    throughputSection(deployment).md,
    latencySection(deployment).md,
    harnessCostSection(deployment).md,
    egressSection(deployment).md,
    seedsSection(report.measurements, s.seeds).md,
    wallTimeSection(report.files).md,
  ].filter(Boolean);
  const c = s.counts;
  return [
    `# HomeIQ deployment verdict: ${headline(s)}`,
    '',
    `${iso(report.startedAt)}, wall time ${seconds(report.finishedAt - report.startedAt)}, run ${s.run.outcome}.`,
    ...(report.interrupted
      ? [
          '',
          `**Interrupted by ${report.interrupted.signal}**: these results hold only what finished; ${c.interrupted} check(s) that did not finish are counted failed.`,
        ]
      : []),
    '',
    verdictSection(s).md,
    `Tests: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped (deployment: ${checksText(s.deployment.counts)}; harness self-tests: ${checksText(s.selfTests.counts)}).`,
    '',
    ...(report.unhandledErrors.length
      ? ['## Unhandled errors', '', ...report.unhandledErrors.map((e) => `- ${e.split('\n')[0]}`), '']
      : []),
    ...sections,
    'Full report with plots: `reports/report.html` (screenshot `reports/report.png`); machine-readable: `reports/summary.json`, `reports/junit.xml`.',
    '',
  ].join('\n');
}
