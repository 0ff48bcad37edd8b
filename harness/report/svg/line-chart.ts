/** Inline SVG line chart with optional horizontal reference lines (limits, targets) and vertical markers. */
import { esc } from './escape.ts';
import { downsample, linearScale, niceDomain, niceTicks } from './scale.ts';

export interface LineSeries {
  name: string;
  points: [number, number][];
  color: string;
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  series: LineSeries[];
  hLines?: { y: number; label: string; color: string }[];
  vLines?: { x: number; label: string }[];
  width?: number;
  height?: number;
  xFormat?: (x: number) => string;
  yFormat?: (y: number) => string;
  xLabel?: string;
  yLabel?: string;
  yMin?: number;
}

export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 560;
  const height = o.height ?? 220;
  const m = { top: 26, right: 16, bottom: 36, left: 62 };
  const xf = o.xFormat ?? ((x: number) => String(Math.round(x)));
  const yf = o.yFormat ?? ((y: number) => String(Math.round(y)));
  const all = o.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]).concat((o.vLines ?? []).map((v) => v.x));
  const ys = all.map((p) => p[1]).concat((o.hLines ?? []).map((h) => h.y));
  const title = `<text x="${m.left}" y="16" class="t">${esc(o.title)}</text>`;
  if (all.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img">${title}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="muted">no data</text></svg>`;
  }
  const xDomain: [number, number] = [Math.min(...xs), Math.max(...xs)];
  const yDomain = niceDomain(o.yMin ?? Math.min(0, ...ys), Math.max(...ys) * 1.05);
  const x = linearScale(xDomain, [m.left, width - m.right]);
  const y = linearScale(yDomain, [height - m.bottom, m.top]);
  const parts: string[] = [title];
  for (const t of niceTicks(yDomain[0], yDomain[1], 4)) {
    parts.push(
      `<line x1="${m.left}" x2="${width - m.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/>`,
      `<text x="${m.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" class="tick">${esc(yf(t))}</text>`,
    );
  }
  for (const t of niceTicks(xDomain[0], xDomain[1], 5)) {
    parts.push(
      `<text x="${x(t).toFixed(1)}" y="${height - m.bottom + 14}" text-anchor="middle" class="tick">${esc(xf(t))}</text>`,
    );
  }
  parts.push(
    `<line x1="${m.left}" x2="${width - m.right}" y1="${height - m.bottom}" y2="${height - m.bottom}" class="axis"/>`,
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${height - m.bottom}" class="axis"/>`,
  );
  if (o.xLabel)
    parts.push(
      `<text x="${(m.left + width - m.right) / 2}" y="${height - 4}" text-anchor="middle" class="lbl">${esc(o.xLabel)}</text>`,
    );
  if (o.yLabel)
    parts.push(
      `<text transform="translate(12 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle" class="lbl">${esc(o.yLabel)}</text>`,
    );
  for (const v of o.vLines ?? []) {
    const vx = x(v.x).toFixed(1);
    parts.push(
      `<line x1="${vx}" x2="${vx}" y1="${m.top}" y2="${height - m.bottom}" class="marker"/>`,
      `<text x="${(Number(vx) + 3).toFixed(1)}" y="${m.top + 10}" class="mlabel">${esc(v.label)}</text>`,
    );
  }
  for (const h of o.hLines ?? []) {
    const hy = y(h.y).toFixed(1);
    parts.push(
      `<line x1="${m.left}" x2="${width - m.right}" y1="${hy}" y2="${hy}" stroke="${h.color}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      `<text x="${width - m.right - 4}" y="${(Number(hy) - 4).toFixed(1)}" text-anchor="end" class="hlabel" fill="${h.color}">${esc(h.label)}</text>`,
    );
  }
  for (const s of o.series) {
    const pts = downsample([...s.points].sort((a, b) => a[0] - b[0]));
    const d = pts
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)} ${y(p[1]).toFixed(1)}`)
      .join(' ');
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="4 3"' : ''}><title>${esc(s.name)}</title></path>`,
    );
    if (pts.length === 1 && pts[0]) {
      parts.push(
        `<circle cx="${x(pts[0][0]).toFixed(1)}" cy="${y(pts[0][1]).toFixed(1)}" r="2.5" fill="${s.color}"/>`,
      );
    }
  }
  if (o.series.length > 1) {
    o.series.forEach((s, i) => {
      const lx = m.left + 8 + i * 150;
      parts.push(
        `<line x1="${lx}" x2="${lx + 16}" y1="${m.top + 6}" y2="${m.top + 6}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>`,
        `<text x="${lx + 20}" y="${m.top + 10}" class="tick">${esc(s.name)}</text>`,
      );
    });
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(o.title)}">${parts.join('')}</svg>`;
}
