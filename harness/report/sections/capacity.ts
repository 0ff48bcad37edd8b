/**
 * Capacity section (measurement 'capacity', harness/capacity/run.ts): the search's one-line
 * answer, the cost curve plots (rate on x; latency percentiles, loss, CPU and memory per service
 * on y), the fitted cost per 100 ev/s per service, and every step. Harness-cost section
 * (measurement 'harness-cost'): RSS and CPU of the harness's own processes and of the mock HA
 * during a burst, against the targets.
 */
import type { CapacityResult } from '../../capacity/run.ts';
import type { ProcessCost } from '../../sampling/process-cost.ts';
import type { Measurement } from '../model.ts';
import { esc } from '../svg/escape.ts';
import { lineChart } from '../svg/line-chart.ts';
import { mdTable, mib, PALETTE } from './format.ts';

const table = (header: string[], rows: (string | number)[][]) =>
  `<table><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</table>`;

const num = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

export function capacitySection(measurements: Measurement[]): { html: string; md: string } {
  const items = measurements.filter((m) => m.name === 'capacity').map((m) => m.data as CapacityResult);
  if (items.length === 0) return { html: '', md: '' };
  const html = ['<h2 id="capacity">Capacity (maximum sustainable event rate and cost curve)</h2>'];
  const md = ['## Capacity (maximum sustainable event rate and cost curve)', ''];
  for (const r of items) {
    const steps = [...r.steps].sort((a, b) => a.rate - b.rate);
    // Steps with figures of the stack: not the harness's, not one where a service went down.
    const judged = steps.filter((s) => s.outcome !== 'harness' && s.outcome !== 'down');
    html.push(
      `<p class="banner ${r.harnessLimitedAt !== null ? 'warn' : r.headroomFactor >= 1 ? 'good' : 'bad'}">${esc(r.summary)}</p>`,
      `<p class="muted">seed ${esc(r.seed)} · ${esc(r.stack.profile)} (${esc(r.stack.target)}) · steps of ${esc(r.options.stepS)} s, ${esc(r.options.startRate)}..${esc(r.options.maxRate)} ev/s, budget ${esc(r.options.budgetS)} s, ended: ${esc(r.end)} · home sized to each rate with a ${esc(r.options.minGapMs)} ms minimum gap per entity · SLO p99 <= ${esc(r.options.sloMs)} ms · ${esc(r.resourceEvidence)}</p>`,
    );
    md.push(`**${r.summary}**`, '', `seed ${r.seed}; steps of ${r.options.stepS} s; ended: ${r.end}.`, '');
    const x = (s: { rate: number }) => s.rate;
    const services = [...new Set(judged.flatMap((s) => s.services.map((w) => w.service)))];
    const busiest = services
      .map((svc) => ({
        svc,
        cpu: Math.max(0, ...judged.map((s) => s.services.find((w) => w.service === svc)?.meanCores ?? 0)),
      }))
      .sort((a, b) => b.cpu - a.cpu)
      .slice(0, 4)
      .map((b) => b.svc);
    const perService = (pick: (w: CapacityResult['steps'][number]['services'][number]) => number) =>
      busiest.map((svc, i) => ({
        name: svc,
        color: PALETTE[i % PALETTE.length] as string,
        points: judged.flatMap((s) => {
          const w = s.services.find((v) => v.service === svc);
          return w ? [[x(s), pick(w)] as [number, number]] : [];
        }),
      }));
    const charts = [
      lineChart({
        title: 'end-to-end latency vs event rate',
        series: [
          { name: 'p50', color: PALETTE[0] as string, points: judged.map((s) => [x(s), s.latencyMs.p50]) },
          { name: 'p95', color: PALETTE[1] as string, points: judged.map((s) => [x(s), s.latencyMs.p95]) },
          { name: 'p99', color: PALETTE[3] as string, points: judged.map((s) => [x(s), s.latencyMs.p99]) },
        ],
        hLines: [{ y: r.options.sloMs, label: `SLO ${r.options.sloMs} ms`, color: '#e15759' }],
        xLabel: 'ev/s',
        yLabel: 'ms',
        width: 560,
      }),
      lineChart({
        title: 'events missing per step (loss) vs event rate',
        series: [
          { name: 'missing', color: '#e15759', points: judged.map((s) => [x(s), s.missing]) },
          {
            name: 'overwritten (same ms)',
            color: '#bab0ac',
            dashed: true,
            points: judged.map((s) => [x(s), s.overwritten]),
          },
        ],
        xLabel: 'ev/s',
        yLabel: 'events',
        width: 560,
      }),
      lineChart({
        title: 'CPU (cores, mean over the step), busiest services',
        series: perService((w) => w.meanCores),
        xLabel: 'ev/s',
        yLabel: 'cores',
        yFormat: (y) => y.toFixed(2),
        width: 560,
      }),
      lineChart({
        title: 'working set (peak in the step), busiest services',
        series: perService((w) => w.peakWorkingSetBytes / 1048576),
        xLabel: 'ev/s',
        yLabel: 'MiB',
        width: 560,
      }),
    ];
    html.push(`<div class="grid">${charts.map((c) => `<figure>${c}</figure>`).join('')}</div>`);
    const costHeader = [
      'service',
      'CPU cores per 100 ev/s',
      'CPU at 0 ev/s',
      'r²',
      'working set MiB per 100 ev/s',
      'MiB at 0 ev/s',
      'r²',
      'points',
    ];
    const costRows = [...r.costCurve]
      .sort((a, b) => (b.cpuCoresPer100 || 0) - (a.cpuCoresPer100 || 0))
      .map((c) => [
        c.service,
        num(c.cpuCoresPer100, 4),
        num(c.cpuCoresBase, 3),
        num(c.cpuR2),
        num(c.memMiBPer100, 2),
        num(c.memMiBBase, 1),
        num(c.memR2),
        c.points,
      ]);
    html.push(
      '<h3>Cost curve: fitted per 100 ev/s (least squares over the steps)</h3>',
      table(costHeader, costRows),
    );
    md.push('### Cost curve (per 100 ev/s)', '', mdTable(costHeader, costRows), '');
    const stepHeader = [
      'rate ev/s',
      'outcome',
      'fired',
      'missing (by cause)',
      'p50 / p99 ms (stack only: p99 from the mock send)',
      'mock lateness p99 / behind at the end',
      'busiest CPU',
      'highest memory',
      'harness CPU / RSS',
      'limits',
    ];
    const stepRows = steps.map((s) => {
      const cpu = [...s.services].sort(
        (a, b) => b.meanCores / b.cpuLimitCores - a.meanCores / a.cpuLimitCores,
      )[0];
      const mem = [...s.services].sort((a, b) => (b.peakMemFraction ?? 0) - (a.peakMemFraction ?? 0))[0];
      const self = s.harness[0];
      const causes = Object.entries(s.missingByFate)
        .filter(([, n]) => n > 0)
        .map(([f, n]) => `${f} ${n}`)
        .join(', ');
      return [
        s.rate,
        s.outcome,
        s.fired,
        `${s.missing}${causes ? ` (${causes})` : ''}`,
        `${Math.round(s.latencyMs.p50)} / ${Math.round(s.latencyMs.p99)}${s.sentLatencyMs ? ` (${Math.round(s.sentLatencyMs.p99)})` : ''}`,
        `${s.mock.latenessP99Ms === null ? '-' : `${s.mock.latenessP99Ms.toFixed(1)} ms`} / ${s.mockBehindAtEndMs === null ? '-' : `${s.mockBehindAtEndMs.toFixed(1)} ms`}`,
        cpu
          ? `${cpu.service} ${Math.round((cpu.meanCores / cpu.cpuLimitCores) * 100)}% of ${cpu.cpuLimitCores}`
          : '-',
        mem?.peakMemFraction != null
          ? `${mem.service} ${mib(mem.peakWorkingSetBytes)} (${Math.round(mem.peakMemFraction * 100)}%)`
          : '-',
        self ? `${self.coreFraction.toFixed(2)} cores / ${mib(self.peakRssBytes)}` : '-',
        s.limits.map((l) => `${l.service} ${l.constraint}: ${l.detail}`).join('; ') || 'none',
      ];
    });
    html.push('<h3>Steps</h3>', table(stepHeader, stepRows));
    md.push('### Steps', '', mdTable(stepHeader, stepRows), '');
  }
  return { html: html.join('\n'), md: md.join('\n') };
}

/** What the throughput suite records during its 500 ev/s burst (measurement 'harness-cost'). */
export interface HarnessCostData {
  label: string;
  ratePerSec: number;
  durationS: number;
  processes: ProcessCost[];
  /** The mock HA's container over the same window (Docker stats), when the target has containers. */
  mock: {
    service: string;
    meanCores: number;
    cpuLimitCores: number;
    peakWorkingSetBytes: number;
    memLimitBytes: number | null;
  } | null;
  /** Target for the test process (issue 15): RSS bytes and cores. */
  target: { rssBytes: number; cores: number };
  events: number;
}

export function harnessCostSection(measurements: Measurement[]): { html: string; md: string } {
  const items = measurements.filter((m) => m.name === 'harness-cost').map((m) => m.data as HarnessCostData);
  if (items.length === 0) return { html: '', md: '' };
  const header = [
    'run',
    'process',
    'peak RSS',
    'CPU (cores, mean)',
    'peak CPU (cores)',
    'CPU s per 10,000 events',
    'target',
  ];
  const rows: (string | number)[][] = [];
  for (const d of items) {
    const label = `${d.label} (${d.ratePerSec} ev/s, ${d.durationS} s)`;
    for (const p of d.processes) {
      const isSelf = p.label === 'test process';
      const within = p.peakRssBytes <= d.target.rssBytes && p.coreFraction <= d.target.cores;
      rows.push([
        label,
        `${p.label} (pid ${p.pid})`,
        `${mib(p.peakRssBytes)} (${(p.peakRssBytes / 1e6).toFixed(1)} MB; +${mib(Math.max(0, p.peakRssBytes - p.startRssBytes))} over the window)`,
        p.coreFraction.toFixed(3),
        p.peakCoreFraction.toFixed(2),
        d.events ? ((p.cpuSeconds / d.events) * 10_000).toFixed(2) : '-',
        isSelf
          ? `${within ? 'within' : 'OVER'} <= ${(d.target.rssBytes / 1e6).toFixed(0)} MB RSS and <= ${d.target.cores} core`
          : '-',
      ]);
    }
    if (d.mock)
      rows.push([
        label,
        `${d.mock.service} (mock HA container)`,
        `${mib(d.mock.peakWorkingSetBytes)} working set${d.mock.memLimitBytes ? ` of ${mib(d.mock.memLimitBytes)}` : ''}`,
        `${d.mock.meanCores.toFixed(3)} of ${d.mock.cpuLimitCores}`,
        '-',
        d.events ? ((d.mock.meanCores * d.durationS * 10_000) / d.events).toFixed(2) : '-',
        '-',
      ]);
  }
  return {
    html: `<h2 id="harness-cost">Harness's own cost during the burst</h2><p class="muted">Measured, not estimated: this process from process.cpuUsage()/memoryUsage.rss(), vitest's main process from /proc, the mock HA from Docker stats, over the firing window.</p>${table(header, rows)}`,
    md: ["## Harness's own cost during the burst", '', mdTable(header, rows), ''].join('\n'),
  };
}
