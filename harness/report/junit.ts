/**
 * reports/junit.xml: valid under the strict Apache Ant JUnit schema (windyroad JUnit.xsd) and under
 * Jenkins' (xunit-plugin junit-10.xsd); both are kept in harness/report/junit-schemas/ and a test
 * validates against them.
 *
 * - One <testsuite> per test file. Its `package` is `deployment` for a file proving a promise,
 *   `harness` for the harness's own self-tests; `name` is the promise's title or the file's subject.
 * - `classname` is `deployment.<promise-id>` or `harness.<suite>` (the top-level describe block),
 *   never a file path; the file is a <property>.
 * - A test's `time` is its own duration plus its share of the shared hooks it needed (the stack
 *   boot and the beforeAll that did the measuring), so the times of a file add up to its wall time.
 * - A failed check is <failure type="CheckError">; a test that could not run because a shared
 *   hook failed is <error type="SetupFailed">; one cut short by Ctrl-C/SIGTERM is
 *   <error type="Interrupted">. The `message` attribute is the first line; the element's text is
 *   the whole message and the stack. Failing services' log lines go to <system-out>.
 * - <properties> carry the target (kind, compose files, images, InfluxDB version, URLs), the seed
 *   and, for an interrupted run, `interrupted`.
 */
import type { ReportFile, ReportTest, RunReport } from './model.ts';
import { promiseTitle } from './promises.ts';
import { buildSummary, type Summary } from './summary.ts';

/** XML 1.0 text: control characters (ANSI colour codes in logs) removed, markup escaped. */
export function xmlText(s: string): string {
  return (
    s
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing what XML 1.0 forbids
      .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing what XML 1.0 forbids
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[\ud800-\udfff]/g, (c, i: number, all: string) => {
        const code = c.charCodeAt(0);
        const next = all.charCodeAt(i + 1);
        const prev = all.charCodeAt(i - 1);
        const paired =
          (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) ||
          (code >= 0xdc00 && prev >= 0xd800 && prev <= 0xdbff);
        return paired ? c : '';
      })
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
  );
}

export const xmlAttr = (s: string): string =>
  xmlText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

/** ISO 8601 without fraction and zone (the Ant schema's pattern): UTC by convention. */
const timestamp = (t: number): string => new Date(t).toISOString().slice(0, 19);

const slug = (s: string): string => s.replace(/\./g, '_').replace(/\s+/g, ' ').trim();

/** `suites/mission/x.test.ts` -> `x`; `harness/report/render.test.ts` -> `report/render`. */
function fileStem(file: string): string {
  return file
    .replace(/^(suites|harness|fixtures)\//, '')
    .replace(/(\.smoke)?\.test\.[cm]?[jt]s$/, '')
    .replace(/\./g, '_');
}

interface Placement {
  pkg: 'deployment' | 'harness';
  suiteName: string;
  classname: (t: ReportTest) => string;
  testName: (t: ReportTest) => string;
}

function placement(f: ReportFile, summary: Summary): Placement {
  const entry = summary.files.find((e) => e.file === f.file);
  const promise = entry?.promise ?? null;
  const top = (t: ReportTest) => t.name.split(' > ')[0] ?? '';
  const rest = (t: ReportTest) => {
    const parts = t.name.split(' > ');
    return parts.length > 1 ? parts.slice(1).join(' > ') : t.name;
  };
  const topSuites = new Set(f.tests.map(top).filter((n) => n && n !== '(file)'));
  const inTop = (t: ReportTest) => t.name.includes(' > ') && top(t) !== '(file)';
  if (promise) {
    return {
      pkg: 'deployment',
      suiteName: promiseTitle(promise),
      classname: () => `deployment.${promise}`,
      testName: (t) => (inTop(t) && topSuites.size === 1 ? rest(t) : t.name),
    };
  }
  return {
    pkg: 'harness',
    suiteName: f.title ?? fileStem(f.file),
    classname: (t) => `harness.${slug(inTop(t) ? top(t) : fileStem(f.file))}`,
    testName: (t) => (inTop(t) ? rest(t) : t.name),
  };
}

function properties(report: RunReport, summary: Summary, f: ReportFile): [string, string][] {
  const t = summary.target;
  const props: [string, string][] = [
    ['file', f.file],
    ['target', t.kind],
  ];
  if (f.project) props.splice(1, 0, ['project', f.project]);
  if (t.composeFiles?.length) props.push(['compose.files', t.composeFiles.join(', ')]);
  if (t.profiles?.length) props.push(['compose.profiles', t.profiles.join(', ')]);
  for (const [k, v] of Object.entries(t.images ?? {})) props.push([`image.${k}`, v]);
  if (t.influxdbVersion) props.push(['influxdb.version', t.influxdbVersion]);
  for (const [k, v] of Object.entries(t.urls ?? {})) props.push([`url.${k}`, v]);
  if (t.fault) props.push(['fault', t.fault]);
  if (t.error) props.push(['target.error', t.error]);
  for (const s of summary.seeds) props.push([`seed.${slug(s.name)}`, String(s.seed)]);
  if (report.interrupted) props.push(['interrupted', report.interrupted.signal]);
  return props;
}

function testcase(t: ReportTest, p: Placement): string {
  const time = seconds(t.durationMs + (t.setupMs ?? 0));
  const head = `<testcase name="${xmlAttr(p.testName(t) || '(unnamed)')}" classname="${xmlAttr(p.classname(t))}" time="${time}"`;
  if (t.state === 'passed') return `    ${head}/>`;
  if (t.state === 'skipped' || t.state === 'pending')
    return `    ${head}>\n      <skipped message="${t.state === 'pending' ? 'not finished' : 'skipped on purpose (skip/todo)'}"/>\n    </testcase>`;
  const text = t.errors.join('\n\n') || '(no message)';
  const message = (text.split('\n').find((l) => l.trim()) ?? '').slice(0, 500);
  const [tag, type] =
    t.cause === 'setup'
      ? ['error', 'SetupFailed']
      : t.cause === 'interrupted'
        ? ['error', 'Interrupted']
        : ['failure', 'CheckError'];
  return `    ${head}>\n      <${tag} message="${xmlAttr(message)}" type="${type}">${xmlText(text)}</${tag}>\n    </testcase>`;
}

export function renderJunit(report: RunReport, summary: Summary = buildSummary(report)): string {
  const host = report.hostname || 'localhost';
  const suites = report.files.map((f, id) => {
    const p = placement(f, summary);
    const failures = f.tests.filter((t) => t.state === 'failed' && (t.cause ?? 'check') === 'check').length;
    const errors = f.tests.filter((t) => t.state === 'failed' && (t.cause ?? 'check') !== 'check').length;
    const skipped = f.tests.filter((t) => t.state === 'skipped' || t.state === 'pending').length;
    const logs = f.tests
      .filter((t) => t.logs)
      .map((t) => `=== ${p.testName(t)} (${t.state}) ===\n${t.logs}`)
      .join('\n\n');
    const out = [
      `  <testsuite name="${xmlAttr(p.suiteName)}" package="${p.pkg}" id="${id}" timestamp="${timestamp(report.startedAt)}" hostname="${xmlAttr(host)}" tests="${f.tests.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(f.durationMs)}">`,
      '    <properties>',
      ...properties(report, summary, f).map(
        ([n, v]) => `      <property name="${xmlAttr(n)}" value="${xmlAttr(v)}"/>`,
      ),
      '    </properties>',
      ...f.tests.map((t) => testcase(t, p)),
      `    <system-out>${xmlText(logs)}</system-out>`,
      `    <system-err>${xmlText((f.errors ?? []).join('\n\n'))}</system-err>`,
      '  </testsuite>',
    ];
    return out.join('\n');
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
}
