/** Findings of the pre-upgrade check (harness/upgrade/findings.ts): verdict, what, expected, measured, what to do. */
import type { Measurement } from '../model.ts';
import { esc } from '../svg/escape.ts';
import { mdTable } from './format.ts';

interface FindingData {
  id: string;
  ok: boolean;
  severity: string;
  service: string;
  what: string;
  expected: string;
  measured: string;
  action?: string;
}

export function upgradeSection(measurements: Measurement[]): { html: string; md: string } {
  const findings = measurements.filter((m) => m.name === 'upgrade-finding').map((m) => m.data as FindingData);
  if (findings.length === 0) return { html: '', md: '' };
  const verdict = (f: FindingData) => (f.ok ? 'OK' : f.severity.toUpperCase());
  const header = ['verdict', 'service', 'what', 'expected', 'measured', 'to do'];
  const rows = findings.map((f) => [
    verdict(f),
    f.service,
    f.what,
    f.expected,
    f.measured,
    f.ok ? '' : (f.action ?? ''),
  ]);
  const html = `<h2 id="upgrade">Upgrade findings</h2><table><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows
    .map(
      (r, i) =>
        `<tr${findings[i]?.ok ? '' : ' class="bad"'}>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`,
    )
    .join('')}</table>`;
  return { html, md: ['## Upgrade findings', '', mdTable(header, rows), ''].join('\n') };
}
