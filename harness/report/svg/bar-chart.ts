/** Inline SVG bar charts: horizontal bars (per-suite wall time) and a histogram (latency). */
import { esc } from './escape.ts';
import { linearScale, niceDomain, niceTicks } from './scale.ts';

export interface Bar {
  label: string;
  value: number;
  color?: string;
}

export function horizontalBarChart(o: {
  title: string;
  bars: Bar[];
  width?: number;
  valueFormat?: (v: number) => string;
}): string {
  const width = o.width ?? 760;
  const rowH = 20;
  const labelW = Math.min(360, Math.max(120, ...o.bars.map((b) => b.label.length * 6.2)));
  const m = { top: 26, right: 70, bottom: 10, left: labelW + 10 };
  const height = m.top + m.bottom + Math.max(1, o.bars.length) * rowH;
  const vf = o.valueFormat ?? ((v: number) => String(Math.round(v)));
  const max = Math.max(1e-9, ...o.bars.map((b) => b.value));
  const x = linearScale([0, max], [m.left, width - m.right]);
  const parts = [`<text x="4" y="16" class="t">${esc(o.title)}</text>`];
  o.bars.forEach((b, i) => {
    const y0 = m.top + i * rowH;
    parts.push(
      `<text x="${m.left - 6}" y="${y0 + 14}" text-anchor="end" class="tick">${esc(b.label)}</text>`,
      `<rect x="${m.left}" y="${y0 + 3}" width="${Math.max(1, x(b.value) - m.left).toFixed(1)}" height="${rowH - 6}" fill="${b.color ?? '#4e79a7'}"><title>${esc(`${b.label}: ${vf(b.value)}`)}</title></rect>`,
      `<text x="${(x(b.value) + 4).toFixed(1)}" y="${y0 + 14}" class="tick">${esc(vf(b.value))}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(o.title)}">${parts.join('')}</svg>`;
}

export function histogramChart(o: {
  title: string;
  bins: { from: number; to: number; count: number }[];
  markers?: { x: number; label: string; color: string }[];
  width?: number;
  height?: number;
  xFormat?: (v: number) => string;
}): string {
  const width = o.width ?? 560;
  const height = o.height ?? 220;
  const m = { top: 26, right: 16, bottom: 36, left: 52 };
  const xf = o.xFormat ?? ((v: number) => v.toFixed(0));
  const n = o.bins.length;
  const maxCount = Math.max(1, ...o.bins.map((b) => b.count));
  const yDomain = niceDomain(0, maxCount);
  const y = linearScale(yDomain, [height - m.bottom, m.top]);
  const bw = (width - m.left - m.right) / Math.max(1, n);
  const parts = [`<text x="${m.left}" y="16" class="t">${esc(o.title)}</text>`];
  for (const t of niceTicks(yDomain[0], yDomain[1], 4)) {
    parts.push(
      `<line x1="${m.left}" x2="${width - m.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/>`,
      `<text x="${m.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" class="tick">${t}</text>`,
    );
  }
  o.bins.forEach((b, i) => {
    const bx = m.left + i * bw;
    parts.push(
      `<rect x="${(bx + 0.5).toFixed(1)}" y="${y(b.count).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${(height - m.bottom - y(b.count)).toFixed(1)}" fill="#59a14f"><title>${esc(`${xf(b.from)}-${xf(b.to)}: ${b.count}`)}</title></rect>`,
    );
    if (i % Math.max(1, Math.ceil(n / 6)) === 0) {
      parts.push(
        `<text x="${bx.toFixed(1)}" y="${height - m.bottom + 14}" text-anchor="middle" class="tick">${esc(xf(b.from))}</text>`,
      );
    }
  });
  // markers sit at their bin position (bins are log-spaced, so interpolate in log space)
  const first = o.bins[0];
  const last = o.bins.at(-1);
  for (const mk of o.markers ?? []) {
    if (!first || !last || mk.x <= 0) continue;
    const frac = Math.log(Math.max(mk.x, first.from) / first.from) / Math.log(last.to / first.from || 2);
    const mx = m.left + Math.min(1, Math.max(0, frac)) * (width - m.left - m.right);
    parts.push(
      `<line x1="${mx.toFixed(1)}" x2="${mx.toFixed(1)}" y1="${m.top}" y2="${height - m.bottom}" stroke="${mk.color}" stroke-width="1.5" stroke-dasharray="5 3"/>`,
      `<text x="${(mx + 3).toFixed(1)}" y="${m.top + 10}" class="mlabel" fill="${mk.color}">${esc(mk.label)}</text>`,
    );
  }
  parts.push(
    `<line x1="${m.left}" x2="${width - m.right}" y1="${height - m.bottom}" y2="${height - m.bottom}" class="axis"/>`,
    `<text x="${(m.left + width - m.right) / 2}" y="${height - 4}" text-anchor="middle" class="lbl">latency (ms, log bins)</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(o.title)}">${parts.join('')}</svg>`;
}
