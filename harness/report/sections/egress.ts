/** Egress section: new outbound connections per service, with destinations and DNS names. */
import type { EgressData, Measurement } from '../model.ts';
import { esc } from '../svg/escape.ts';
import { mdTable } from './format.ts';

export function egressSection(measurements: Measurement[]): { html: string; md: string } {
  const items = measurements.filter((m) => m.name === 'egress').map((m) => m.data as EgressData);
  if (items.length === 0) return { html: '', md: '' };
  const header = ['check', 'service', 'new connections', 'external', 'destinations', 'DNS asked'];
  const rows: (string | number)[][] = [];
  for (const d of items) {
    for (const [service, e] of Object.entries(d.services)) {
      rows.push([
        d.label,
        service,
        e.newConnections,
        e.externalConnections,
        e.byDestination.map((b) => `${b.destination} (${b.scope}, ${b.count})`).join(', ') || '-',
        e.dnsQueries.join(', ') || '-',
      ]);
    }
  }
  const html = `<h2 id="egress">Network egress (measured from container traffic)</h2><table><tr>${header
    .map((h) => `<th>${esc(h)}</th>`)
    .join('')}</tr>${rows
    .map(
      (r) =>
        `<tr${Number(r[3]) > 0 ? ' class="bad"' : ''}>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`,
    )
    .join('')}</table>`;
  return { html, md: ['## Network egress', '', mdTable(header, rows), ''].join('\n') };
}
