/**
 * Turns vitest's reported modules into the report's model (harness/report/model.ts), with the
 * harness's rules for counting:
 * - a test vitest skipped because a shared hook (beforeAll, a stack boot) of a block it belongs
 *   to failed is FAILED, cause 'setup', with that hook's error: it could not run, so it is red;
 * - a block's hook error that no test carries (afterAll, an import error) becomes a failed entry
 *   of its own, so every failure is counted once;
 * - a test that had not finished when the run was interrupted is FAILED, cause 'interrupted';
 * - each test's `setupMs` is its share of the shared hook time of its blocks (see ReportTest).
 * Failing services' log lines (kept by withFailureContext in the test's meta) go to `logs`, and are cut
 * from the message they were appended to.
 */
import { relative } from 'node:path';
import type { TestCase, TestModule, TestSuite } from 'vitest/node';
import type { ReportFile, ReportTest } from './model.ts';

/** The runner's own task, reachable on every reported entity (internal to vitest, read-only here). */
interface RawTask {
  mode?: string;
  result?: { duration?: number; state?: string; errors?: { message?: string }[] };
}
const raw = (e: TestCase | TestSuite | TestModule): RawTask =>
  (e as unknown as { task?: RawTask }).task ?? {};

interface ErrorLike {
  name?: string;
  message?: string;
  diff?: string;
  stack?: string;
}

/** Message of an error, its diff, and the first frames of its stack (no duplicate message line). */
export function formatErrorText(e: ErrorLike): string {
  // A check's message names service, expected and measured already; other errors keep their type.
  const named = e.name && !['Error', 'CheckError', 'AssertionError'].includes(e.name);
  const head = `${named && !String(e.message).startsWith(String(e.name)) ? `${e.name}: ` : ''}${e.message ?? String(e)}`;
  const frames = (e.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l) && !l.includes('/node_modules/') && !l.includes('<anonymous>'))
    .slice(0, 6)
    .join('\n');
  return [head, e.diff, frames].filter(Boolean).join('\n');
}

/** Failing services' log lines that withFailureContext kept in the test's meta. */
function logsOf(t: TestCase): string | undefined {
  const logs = (t.meta() as { failureLogs?: unknown }).failureLogs;
  return typeof logs === 'string' && logs.trim() ? logs : undefined;
}

type Block = TestSuite | TestModule;

function blockName(b: Block): string {
  return b.type === 'module' ? '(file)' : b.fullName;
}

/** Tests below a block, in order. */
function testsOf(b: Block): TestCase[] {
  return [...b.children.allTests()];
}

export interface CollectOptions {
  repoRoot: string;
  /** Set when the run was cut short: unfinished tests fail with this note. */
  interrupted?: { signal: string };
}

export function collectModule(m: TestModule, opts: CollectOptions): ReportFile {
  const formatError = (e: ErrorLike) => formatErrorText(e).replaceAll(`${opts.repoRoot}/`, '');
  const tests = testsOf(m);
  const out = new Map<TestCase, ReportTest>();
  for (const t of tests) {
    const r = t.result();
    const logs = logsOf(t);
    const errors = (r.errors ?? []).map((e) => {
      let text = formatError(e as ErrorLike);
      if (logs) text = text.replace(`\n${logs}`, '');
      return text;
    });
    const entry: ReportTest = {
      name: t.fullName,
      state: r.state,
      durationMs: t.diagnostic()?.duration ?? raw(t).result?.duration ?? 0,
      errors,
    };
    if (r.state === 'failed') entry.cause = 'check';
    if (logs) entry.logs = logs;
    out.set(t, entry);
  }

  // Blocks with errors of their own (failed hooks, import errors), outermost first.
  const blocks: Block[] = [m, ...m.children.allSuites()];
  const fileErrors: string[] = [];
  const synthetic: ReportTest[] = [];
  for (const b of blocks) {
    const errs = b.errors();
    if (errs.length === 0) continue;
    const text = errs.map((e) => formatError(e as ErrorLike));
    const where = b.type === 'module' ? 'the file' : `block "${b.fullName}"`;
    fileErrors.push(...text.map((t) => `${where}: ${t}`));
    let carried = 0;
    for (const t of testsOf(b)) {
      const e = out.get(t);
      if (e?.state !== 'skipped') continue;
      const mode = t.options.mode;
      if (mode === 'skip' || mode === 'todo') continue; // skipped on purpose
      e.state = 'failed';
      e.cause = 'setup';
      e.errors = [`could not run: a shared hook of ${where} failed: ${text.join('\n')}`];
      carried++;
    }
    if (carried === 0) {
      synthetic.push({
        name: `${blockName(b)} > (hook or import)`,
        state: 'failed',
        cause: 'setup',
        durationMs: 0,
        errors: [`${where} failed outside its tests: ${text.join('\n')}`],
      });
    }
  }

  if (opts.interrupted) {
    for (const [t, e] of out) {
      if (e.state !== 'pending') continue;
      if (t.options.mode === 'skip' || t.options.mode === 'todo') continue;
      e.state = 'failed';
      e.cause = 'interrupted';
      e.errors = [`did not finish: the run was interrupted (${opts.interrupted.signal})`];
    }
  }

  // Shared hook time: a block's duration minus what its children account for, over its tests.
  for (const b of blocks) {
    const total = raw(b as TestSuite).result?.duration;
    if (total === undefined) continue;
    let children = 0;
    for (const c of b.children) children += raw(c).result?.duration ?? 0;
    const hookMs = Math.max(0, total - children);
    const sharers = testsOf(b).filter((t) => {
      const s = out.get(t)?.state;
      return s === 'passed' || s === 'failed';
    });
    if (hookMs <= 0 || sharers.length === 0) continue;
    for (const t of sharers) {
      const e = out.get(t);
      if (e) e.setupMs = (e.setupMs ?? 0) + hookMs / sharers.length;
    }
  }

  const top = [...m.children.suites()];
  const file: ReportFile = {
    file: relative(opts.repoRoot, m.moduleId),
    project: m.project.name,
    state: m.state(),
    durationMs: m.diagnostic().duration,
    tests: [...tests.map((t) => out.get(t) as ReportTest), ...synthetic],
  };
  if (opts.interrupted && (file.state === 'pending' || file.state === 'queued')) {
    file.state = 'interrupted';
    if (file.tests.length === 0)
      file.tests.push({
        name: '(file) > (not started)',
        state: 'failed',
        cause: 'interrupted',
        durationMs: 0,
        errors: [
          `did not run: the run was interrupted (${opts.interrupted.signal}) before this file started`,
        ],
      });
  }
  if (fileErrors.length) file.errors = fileErrors;
  if (top.length === 1 && top[0]) file.title = top[0].name;
  return file;
}
