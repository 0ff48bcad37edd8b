/** Throughput section: events/s achieved vs the target rate. */
import type { Measurement, ThroughputData } from '../model.ts';
import { esc } from '../svg/escape.ts';
import { lineChart } from '../svg/line-chart.ts';
import { mdTable } from './format.ts';

export function throughputSection(measurements: Measurement[]): { html: string; md: string } {
  const items = measurements.filter((m) => m.name === 'throughput').map((m) => m.data as ThroughputData);
  if (items.length === 0) return { html: '', md: '' };
  const html = ['<h2 id="throughput">Throughput (events/s achieved vs target)</h2><div class="grid">'];
  const rows: (string | number)[][] = [];
  for (const d of items) {
    const rates = d.points.map((p) => p.perSec);
    const mean = rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : 0;
    const min = rates.length ? Math.min(...rates) : 0;
    html.push(
      `<figure>${lineChart({
        title: `${d.label}: mean ${mean.toFixed(1)}/s (target ${d.targetPerSec}/s)`,
        series: [{ name: 'achieved', color: '#4e79a7', points: d.points.map((p) => [p.tSec, p.perSec]) }],
        hLines: [{ y: d.targetPerSec, label: `target ${d.targetPerSec}/s`, color: '#f28e2b' }],
        xFormat: (x) => `${Math.round(x)}s`,
        yLabel: 'events/s',
      })}</figure>`,
    );
    rows.push([
      d.label,
      d.targetPerSec,
      mean.toFixed(1),
      min.toFixed(1),
      `${((mean / (d.targetPerSec || 1)) * 100).toFixed(0)}%`,
    ]);
  }
  const header = ['run', 'target/s', 'mean/s', 'min/s', 'mean vs target'];
  html.push(
    `</div><table><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows
      .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
      .join('')}</table>`,
  );
  return { html: html.join('\n'), md: ['## Throughput', '', mdTable(header, rows), ''].join('\n') };
}
