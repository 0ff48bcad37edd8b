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
    html.push(
      `<figure>${lineChart({
        title: `${d.label}: mean ${mean.toFixed(1)}/s${d.fired ? ' stored (grey: fired)' : ''}`,
        series: [
          ...(d.fired
            ? [
                {
                  name: 'fired',
                  color: '#bab0ac',
                  dashed: true,
                  points: d.fired.map((p): [number, number] => [p.tSec, p.perSec]),
                },
              ]
            : []),
          {
            name: 'stored',
            color: '#4e79a7',
            points: d.points.map((p): [number, number] => [p.tSec, p.perSec]),
          },
        ],
        hLines: [{ y: d.targetPerSec, label: `target ${d.targetPerSec}/s`, color: '#f28e2b' }],
        xFormat: (x) => `${Math.round(x)}s`,
        yLabel: 'events/s',
      })}</figure>`,
    );
    const peak = rates.length ? Math.max(...rates) : 0;
    rows.push([
      d.label,
      d.targetPerSec,
      peak.toFixed(0),
      mean.toFixed(1),
      d.fired ? d.fired.reduce((n, p) => n + p.perSec, 0) : '-',
      rates.reduce((n, r) => n + r, 0),
    ]);
  }
  const header = ['run', 'peak asked/s', 'peak stored/s', 'mean stored/s', 'fired', 'stored (first seen)'];
  html.push(
    `</div><table><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows
      .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
      .join('')}</table>`,
  );
  return { html: html.join('\n'), md: ['## Throughput', '', mdTable(header, rows), ''].join('\n') };
}
