/** Memory section: per service, working set over time with its limit line and phase markers. */
import type { Measurement, MemoryData } from '../model.ts';
import { esc } from '../svg/escape.ts';
import { lineChart } from '../svg/line-chart.ts';
import { iso, mdTable, mib, seconds } from './format.ts';

export function memorySection(measurements: Measurement[]): { html: string; md: string } {
  const reports = measurements.filter((m) => m.name === 'memory');
  if (reports.length === 0) return { html: '', md: '' };
  const html: string[] = ['<h2 id="memory">Memory (working set vs limit)</h2>'];
  const md: string[] = ['## Memory (working set vs limit)'];
  for (const m of reports) {
    const r = m.data as MemoryData;
    const heading = `${r.label ?? m.test ?? 'memory'} ${m.file ? `(${m.file})` : ''}`.trim();
    html.push(
      `<h3>${esc(heading)}</h3><p class="muted">${iso(r.startedAt)} for ${seconds(r.stoppedAt - r.startedAt)}; phases: ${esc(r.marks.map((k) => k.label).join(' → ') || 'none')}</p>`,
    );
    html.push('<div class="grid">');
    const rows: (string | number)[][] = [];
    for (const s of Object.values(r.services)) {
      const limit = s.limitBytes;
      const oomKills = s.oomKills ?? (s.oomKilled ? 1 : 0);
      const over = (limit !== null && s.peakWorkingSetBytes >= 0.9 * limit) || oomKills > 0;
      html.push(
        `<figure>${lineChart({
          // the limit is labelled on its line; keep the title short enough for 3 charts per row
          title: `${s.service}: peak ${mib(s.peakWorkingSetBytes)}${limit ? '' : ' (no limit)'}${oomKills > 0 ? ` · OOM kills ${oomKills}` : ''}`,
          series: [
            {
              name: 'working set',
              color: over ? '#e15759' : '#4e79a7',
              points: s.samples.map((p) => [(p.t - r.startedAt) / 1000, p.workingSetBytes / 1048576]),
            },
          ],
          hLines: limit ? [{ y: limit / 1048576, label: `limit ${mib(limit)}`, color: '#e15759' }] : [],
          vLines: r.marks.map((k) => ({ x: (k.t - r.startedAt) / 1000, label: k.label })),
          width: 380,
          height: 180,
          xFormat: (x) => `${Math.round(x)}s`,
          yFormat: (y) => `${Math.round(y)}`,
          yLabel: 'MiB',
        })}</figure>`,
      );
      rows.push([
        s.service,
        limit ? mib(limit) : 'none',
        mib(s.peakWorkingSetBytes),
        limit ? `${((s.peakWorkingSetBytes / limit) * 100).toFixed(0)}%` : '-',
        s.peakPhase ?? '-',
        s.sampleCount,
        `${s.maxGapMs} ms`,
        `${s.oomKilled || (s.oomKills ?? 0) > 0 ? `YES (${s.oomKills ?? 1})` : 'no'} / ${s.restarts ?? 0}`,
      ]);
    }
    html.push('</div>');
    const header = [
      'service',
      'limit',
      'peak working set',
      '% of limit',
      'peak phase',
      'samples',
      'max gap',
      'OOM kills / restarts',
    ];
    html.push(
      `<table><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows
        .map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
        .join('')}</table>`,
    );
    md.push(`### ${heading}`, '', mdTable(header, rows), '');
  }
  return { html: html.join('\n'), md: md.join('\n') };
}
