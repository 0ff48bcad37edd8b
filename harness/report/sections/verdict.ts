/**
 * The first screen: the deployment's verdict, one row per promise (result, key figures, checks),
 * what was tested (target, images, InfluxDB version, seed) and the memory limits against the budget.
 */
import type { Summary } from '../summary.ts';
import { esc } from '../svg/escape.ts';
import { mdTable } from './format.ts';

const GiB = 1024 ** 3;
const gib = (b: number) => `${(b / GiB).toFixed(2)} GiB`;

const STATUS_TEXT = { pass: 'PASS', fail: 'FAIL', 'not run': 'not run' } as const;

function checksText(c: Summary['counts']): string {
  const parts = [`${c.passed} passed`];
  if (c.failed)
    parts.push(
      `${c.failed} failed${c.failedBySetup ? ` (${c.failedBySetup} could not run: setup failed)` : ''}`,
    );
  if (c.interrupted) parts.push(`${c.interrupted} interrupted`);
  if (c.skipped) parts.push(`${c.skipped} skipped`);
  return parts.join(', ');
}

export function targetLines(s: Summary): [string, string][] {
  const t = s.target;
  const rows: [string, string][] = [['target', t.kind]];
  if (t.error) rows.push(['configuration', t.error]);
  if (t.composeFiles?.length)
    rows.push([
      'compose files',
      `${t.composeFiles.join(', ')}${t.profiles?.length ? ` (profiles ${t.profiles.join(', ')})` : ''}`,
    ]);
  if (t.influxdbVersion) rows.push(['InfluxDB version', t.influxdbVersion]);
  if (t.images) {
    const distinct = [...new Set(Object.values(t.images))];
    rows.push(['images', distinct.join(', ')]);
  }
  if (t.urls && Object.keys(t.urls).length)
    rows.push([
      'URLs',
      Object.entries(t.urls)
        .map(([k, v]) => `${k}=${v}`)
        .join(', '),
    ]);
  if (t.fault) rows.push(['planted fault', t.fault]);
  rows.push(['seed', s.seeds.map((x) => `${x.seed} (${x.name})`).join('; ') || 'none recorded']);
  return rows;
}

export function budgetLine(s: Summary): string {
  const b = s.memoryBudget;
  if (!b) return 'memory limits: not measured in this run (no stack booted, or no limits readable)';
  const pct = (b.limitsTotalBytes / b.budgetBytes) * 100;
  const unlimited = b.services.filter((x) => x.limitBytes === null).map((x) => x.service);
  return `memory limits: ${gib(b.limitsTotalBytes)} over ${b.services.length} services = ${pct.toFixed(0)}% of the ${gib(b.budgetBytes)} budget${
    unlimited.length ? `; no limit: ${unlimited.join(', ')}` : ''
  } (${b.source})`;
}

export function verdictSection(s: Summary): { html: string; md: string } {
  const d = s.deployment;
  const rows = d.promises
    .filter((p) => !(p.whenRun && p.status === 'not run'))
    .map((p) => {
      const figures = p.keyFigures.length
        ? p.keyFigures
        : [p.status === 'not run' ? 'not in this run' : '(no figures recorded)'];
      const failures = p.failures.slice(0, 3);
      return { p, figures, failures };
    });
  const notRunUpgrade = d.promises.some((p) => p.whenRun && p.status === 'not run');
  const html = [
    '<section id="verdict"><h2 id="verdict-table">Deployment verdict</h2>',
    '<table class="verdict"><thead><tr><th>promise</th><th>result</th><th>key figures</th><th>checks</th></tr></thead><tbody>',
    ...rows.map(
      ({ p, figures, failures }) =>
        `<tr class="${p.status === 'fail' ? 'bad' : p.status === 'pass' ? 'good' : 'none'}"><td><b>${esc(p.title)}</b></td><td class="st">${esc(STATUS_TEXT[p.status])}</td><td>${figures
          .map((f) => `<div>${esc(f)}</div>`)
          .join('')}${failures.map((f) => `<div class="why">✘ ${esc(f)}</div>`).join('')}</td><td>${esc(
          p.status === 'not run' ? '-' : checksText(p.checks),
        )}</td></tr>`,
    ),
    '</tbody></table>',
    notRunUpgrade
      ? '<p class="muted">InfluxDB upgrade: not part of this run (run the upgrade check to include it).</p>'
      : '',
    `<table class="target"><tbody>${targetLines(s)
      .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
      .join('')}<tr><th>memory budget</th><td>${esc(budgetLine(s))}</td></tr></tbody></table>`,
    '</section>',
  ].join('\n');
  const md = [
    mdTable(
      ['promise', 'result', 'key figures', 'checks'],
      rows.map(({ p, figures, failures }) => [
        p.title,
        STATUS_TEXT[p.status],
        [...figures, ...failures.map((f) => `✘ ${f}`)].join('; '),
        p.status === 'not run' ? '-' : checksText(p.checks),
      ]),
    ),
    '',
    ...targetLines(s).map(([k, v]) => `- ${k}: ${v}`),
    `- ${budgetLine(s)}`,
    '',
  ].join('\n');
  return { html, md };
}

export { checksText };
