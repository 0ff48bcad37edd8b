/**
 * The planted-fault matrix (reports/faults.json, written by `npm run test:faults`,
 * harness/faults/cli.ts) as a section of the human report: the verdict, fault x check with
 * expected, actual and the failure message, and what each fault cost. The reporter includes it
 * when reports/faults.json exists; test:faults also inserts it into a report.html and summary.md
 * already written (between markers, so a new matrix replaces the old one).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  COST_HEADER,
  costTable,
  type FaultsReport,
  isRed,
  MATRIX_HEADER,
  matrixTable,
  summaryLine,
} from '../../faults/matrix.ts';
import { esc } from '../svg/escape.ts';
import { iso, mdTable } from './format.ts';

const START = '<!-- planted-fault matrix -->';
const END = '<!-- /planted-fault matrix -->';

/** reports/faults.json of `dir`, when there is a readable one. */
export function readFaultsReport(dir: string): FaultsReport | undefined {
  const path = join(dir, 'faults.json');
  if (!existsSync(path)) return undefined;
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as FaultsReport;
    return r?.schemaVersion === 1 && Array.isArray(r.boots) && Array.isArray(r.faults) ? r : undefined;
  } catch {
    return undefined;
  }
}

function htmlTable(header: string[], rows: string[][], bad: (i: number) => boolean): string {
  return `<table><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows
    .map((r, i) => `<tr${bad(i) ? ' class="bad"' : ''}>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</table>`;
}

export function faultsSection(report: FaultsReport | undefined): { html: string; md: string } {
  if (!report) return { html: '', md: '' };
  const rows = matrixTable(report);
  const redRows = report.boots.flatMap((b) => b.rows.filter((r) => r.expected === 'fail' || isRed(r)));
  const costs = costTable(report);
  const line = `${summaryLine(report)} (${iso(report.startedAt)}; \`${report.command}\`)`;
  const problems = report.problems.length
    ? `<div class="fail"><b>Problems</b><pre>${esc(report.problems.join('\n'))}</pre></div>`
    : '';
  const html = `${START}<h2 id="faults">Planted-fault matrix</h2>
<div class="banner ${report.ok ? 'good' : 'bad'}">${esc(line)}</div>${problems}
${htmlTable(MATRIX_HEADER, rows, (i) => (redRows[i] ? isRed(redRows[i]) : false))}
<h3>Cost per fault</h3>${htmlTable(COST_HEADER, costs, (i) => costs[i]?.[2] !== 'yes')}${END}`;
  const md = [
    START,
    '## Planted-fault matrix',
    '',
    line,
    '',
    mdTable(MATRIX_HEADER, rows),
    '',
    ...(report.problems.length ? ['Problems:', '', ...report.problems.map((p) => `- ${p}`), ''] : []),
    mdTable(COST_HEADER, costs),
    END,
    '',
  ].join('\n');
  return { html, md };
}

function replaceOrInsert(doc: string, block: string, before: RegExp | undefined): string {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a >= 0 && b > a) return `${doc.slice(0, a)}${block}${doc.slice(b + END.length)}`;
  const m = before ? before.exec(doc) : null;
  if (m) return `${doc.slice(0, m.index)}${block}\n${doc.slice(m.index)}`;
  return `${doc.trimEnd()}\n\n${block}\n`;
}

/**
 * Put the matrix into the report.html and summary.md already in `dir` (replacing an earlier
 * matrix); returns the files it updated.
 */
export function insertFaultsSection(dir: string, report: FaultsReport): string[] {
  const s = faultsSection(report);
  const updated: string[] = [];
  const html = join(dir, 'report.html');
  if (existsSync(html)) {
    writeFileSync(html, replaceOrInsert(readFileSync(html, 'utf8'), s.html, /<section class="self"/));
    updated.push('reports/report.html');
  }
  const md = join(dir, 'summary.md');
  if (existsSync(md)) {
    writeFileSync(md, replaceOrInsert(readFileSync(md, 'utf8'), s.md, undefined));
    updated.push('reports/summary.md');
  }
  return updated;
}
