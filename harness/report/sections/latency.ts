/** Latency section: distribution (log-binned histogram) with percentile markers and a budget line. */
import type { LatencyData, Measurement } from '../model.ts';
import { histogramChart } from '../svg/bar-chart.ts';
import { esc } from '../svg/escape.ts';
import { mdTable, ms } from './format.ts';

export function latencySection(measurements: Measurement[]): { html: string; md: string } {
  const items = measurements.filter((m) => m.name === 'latency').map((m) => m.data as LatencyData);
  if (items.length === 0) return { html: '', md: '' };
  const html = ['<h2 id="latency">Latency</h2><div class="grid">'];
  const rows: (string | number)[][] = [];
  for (const d of items) {
    const p = d.percentiles;
    const markers = [
      { x: p.p50, label: 'p50', color: '#4e79a7' },
      { x: p.p95, label: 'p95', color: '#f28e2b' },
      { x: p.p99, label: 'p99', color: '#b07aa1' },
    ];
    if (d.budget)
      markers.push({ x: d.budget.maxMs, label: `budget ${d.budget.percentile}`, color: '#e15759' });
    html.push(
      `<figure>${histogramChart({ title: `${d.label} (n=${d.count})`, bins: d.bins, markers, xFormat: (v) => (v >= 10 ? v.toFixed(0) : v.toFixed(1)) })}</figure>`,
    );
    const verdict = d.budget ? (p[d.budget.percentile] <= d.budget.maxMs ? 'within' : 'OVER') : '-';
    rows.push([
      d.label,
      d.count,
      ms(p.p50),
      ms(p.p90),
      ms(p.p95),
      ms(p.p99),
      ms(p.max),
      d.budget ? `${d.budget.percentile} <= ${ms(d.budget.maxMs)}: ${verdict}` : '-',
    ]);
  }
  const header = ['measurement', 'n', 'p50', 'p90', 'p95', 'p99', 'max', 'budget'];
  html.push(
    `</div><table><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows
      .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
      .join('')}</table>`,
  );
  return { html: html.join('\n'), md: ['## Latency', '', mdTable(header, rows), ''].join('\n') };
}
