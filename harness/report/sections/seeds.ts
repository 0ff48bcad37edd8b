/** Seeds used in the run (for reproduction), and measurements without a dedicated section. */
import type { Measurement, SeedData } from '../model.ts';
import { esc } from '../svg/escape.ts';
import { mdTable } from './format.ts';

export const PLOTTED = new Set([
  'memory',
  'throughput',
  'latency',
  'egress',
  'seed',
  'target',
  'verdict',
  'events',
  'upgrade-finding',
  'capacity',
  'harness-cost',
]);

/** Seeds of the run: the configured one (every generator derives from it), then those recorded. */
export function seedsSection(
  measurements: Measurement[],
  runSeeds: { name: string; seed: number | string }[] = [],
): { html: string; md: string } {
  const recorded = measurements.filter((m) => m.name === 'seed');
  const rows = [
    ...runSeeds
      .filter((s) => !recorded.some((m) => (m.data as SeedData).name === s.name))
      .map((s) => [s.name, String(s.seed), '(configuration)', '-']),
    ...recorded.map((m) => {
      const d = m.data as SeedData;
      return [d.name, String(d.seed), m.file ?? '-', m.test ?? '-'];
    }),
  ];
  const header = ['generator', 'seed', 'file', 'test'];
  const body = rows.length
    ? `<table><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows
        .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
        .join('')}</table>`
    : '<p class="muted">No seeds were recorded (the configuration could not be read, and no suite called recordSeed).</p>';
  return {
    html: `<h2 id="seeds">Seeds</h2>${body}`,
    md: ['## Seeds', '', rows.length ? mdTable(header, rows) : 'No seeds were recorded.', ''].join('\n'),
  };
}

export function otherSection(measurements: Measurement[]): { html: string; md: string } {
  const other = measurements.filter((m) => !PLOTTED.has(m.name));
  if (other.length === 0) return { html: '', md: '' };
  const html = ['<h2 id="other">Other measurements</h2>'];
  for (const m of other) {
    const json = JSON.stringify(m.data, null, 2);
    html.push(
      `<details><summary>${esc(m.name)} <span class="muted">${esc(m.file ?? '')} ${esc(m.test ?? '')}</span></summary><pre>${esc(json.length > 20_000 ? `${json.slice(0, 20_000)}\n…` : json)}</pre></details>`,
    );
  }
  const md = [
    '## Other measurements',
    '',
    ...other.map((m) => `- ${m.name}: \`${JSON.stringify(m.data).slice(0, 200)}\``),
    '',
  ];
  return { html: html.join('\n'), md: md.join('\n') };
}
