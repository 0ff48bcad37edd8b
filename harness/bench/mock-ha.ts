/**
 * Benchmark of the mock Home Assistant (npm run bench:mock-ha). Prints numbers, not verdicts.
 *
 * Every server under test is a child process of its own with its own subscriber process (a raw
 * `ws` client that parses and counts every event), so each server's process CPU time and RSS are
 * its own and nothing shares an event loop. Servers:
 *   mock      this checkout's mock (harness/mock-ha), driven through its own scenario engine;
 *   baseline  the same mock from another checkout (--baseline DIR, e.g. a git worktree of main at
 *             a fixed commit): before/after in one run;
 *   plain     a plain Node + ws server that plays the same home and schedule and sends every due
 *             event on a 10 ms timer, with no ledger (bench/mock-ha/plain-server.ts).
 * Measurements alternate between the servers (the order rotates every repeat), so machine load
 * moves all of them alike; compare within one run, as ratios.
 *
 * Phases:
 *  1. precision (--rates, --duration s each, --repeat times): per server and rate, the CPU time
 *     of the server's process per event delivered (µs/ev), scheduler lateness p50/p99 (sent -
 *     intended), end-to-end lag p50/p99 at the subscriber, RSS after the run and its peak during
 *     it; for mock servers the ledger is checked against what the subscriber received (count,
 *     context ids in order, delivery record: delivered and none dropped);
 *  2. throughput (--ladder, --ladder-duration s): the highest steady rate one subscriber receives
 *     in full, per server.
 *
 * Flags: --rates 500,5000,20000,100000  --duration 10  --repeat 3  --servers mock,plain
 *        --baseline DIR  --ladder 10000,20000,30000,40000,60000,80000 (--ladder '' skips it)
 *        --ladder-duration 5  --home small  --no-verify  --json  --nice=N
 *        --cpu-prof DIR (each server process writes DIR/<server>.<n>.cpuprofile when it exits)
 *        --mock-tick 0,10 (one mock server per value of its minTickMs option: `mock` for 0,
 *                          `mock-t10` for 10 ms; see engine/runner.ts)
 *        --mock-node-flags '--max-semi-space-size=2' (Node/V8 flags of this checkout's mock
 *                          processes only: e.g. to size V8's young generation)
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { getPriority, loadavg, setPriority } from 'node:os';
import { resolve } from 'node:path';
import { intInput, parseCli, usageError } from '../cli/args.ts';
import { MockHaControlClient } from '../mock-ha/control-client.ts';
import { createLogger } from '../util/log.ts';
import { waitFor } from '../util/wait.ts';
import {
  FNV_START,
  fnv1a,
  type RunDone,
  type ServerReady,
  type SubscriberCounts,
  type Usage,
} from './mock-ha/ipc.ts';

const BENCH_USAGE = `usage: npm run bench:mock-ha -- [--rates 500,5000,20000,100000] [--duration 10]
       [--repeat 3] [--servers mock,plain] [--baseline DIR] [--ladder 10000,20000,...]
       [--ladder-duration 5] [--home small|medium|large] [--no-verify] [--json] [--nice N] [--cpu-prof DIR]
       [--mock-tick 0,10] [--mock-node-flags '--max-semi-space-size=2']

Mock Home Assistant benchmark. Each server (mock = this checkout, baseline = the mock of the
checkout at --baseline DIR, plain = a plain Node + ws server sending every due event on a 10 ms
timer) runs in its own process with its own subscriber; runs alternate between servers. Per rate:
CPU of the server's process per event delivered, lateness p50/p99, end-to-end lag, RSS, and the
mock's ledger checked against what was received. Then the highest steady rate per server
(--ladder; '' skips). Prints numbers, not verdicts.`;

const log = createLogger('bench:mock-ha');
const here = new URL('.', import.meta.url).pathname;
const repoRoot = resolve(here, '../..');

/** A child process answering IPC requests in order (one outstanding reply per type). */
class Child {
  readonly proc: ChildProcess;
  readonly name: string;
  exitCode: number | null = null;
  #waiters = new Map<string, { resolve: (m: never) => void; reject: (e: Error) => void }[]>();
  readonly first: Promise<unknown>;
  constructor(name: string, file: string, args: string[], readyType: string, execArgv: string[] = []) {
    this.name = name;
    this.proc = fork(file, args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...process.execArgv, ...execArgv],
    });
    let resolveFirst: (m: unknown) => void = () => {};
    let rejectFirst: (e: Error) => void = () => {};
    this.first = new Promise((res, rej) => {
      resolveFirst = res;
      rejectFirst = rej;
    });
    this.proc.on('message', (m: { type: string }) => {
      if (m.type === readyType) resolveFirst(m);
      else
        this.#waiters
          .get(m.type)
          ?.shift()
          ?.resolve(m as never);
    });
    // Spawn/IPC errors (EPIPE on a channel closing at exit): the exit handler below reports them.
    this.proc.on('error', (err) => log.debug(`${name}: ${err.message}`));
    this.proc.once('exit', (code) => {
      this.exitCode = code ?? -1;
      const err = new Error(`${name} exited with code ${code}`);
      rejectFirst(err);
      for (const list of this.#waiters.values()) for (const w of list.splice(0)) w.reject(err);
    });
  }
  get alive() {
    return this.exitCode === null;
  }
  ask<T>(request: Record<string, unknown>, replyType: string): Promise<T> {
    if (!this.alive) return Promise.reject(new Error(`${this.name} exited with code ${this.exitCode}`));
    return new Promise<T>((res, rej) => {
      const list = this.#waiters.get(replyType) ?? [];
      list.push({ resolve: res as (m: never) => void, reject: rej });
      this.#waiters.set(replyType, list);
      this.proc.send(request, (err) => {
        if (err) rej(new Error(`${this.name}: ${err.message}`));
      });
    });
  }
  stop() {
    // The child may be exiting already: a send on a closing channel reports through the callback.
    if (this.proc.connected) this.proc.send({ type: 'exit' }, () => {});
  }
}

interface Server {
  name: string;
  kind: 'mock' | 'plain';
  proc: Child;
  ready: ServerReady;
  sub: Child;
  control: MockHaControlClient | null;
  /** Events the subscriber's connection had been delivered before the current run (mock only). */
  delivered: number;
  /** Highest sustained ladder rate so far; false once a step failed. */
  ladderOk: boolean;
  best: Row | null;
}

interface Row {
  server: string;
  phase: string;
  target: number;
  durationS: number;
  emitted: number;
  achieved: number | null;
  rateErrorPct: number | null;
  lateP50: number | null;
  lateP99: number | null;
  lateMax: number | null;
  received: number;
  drainMs: number | null;
  lagP50: number | null;
  lagP99: number | null;
  /** CPU time (user + system) of the server's process from run start to last event received, per event received, µs. */
  cpuUsPerEvent: number | null;
  /** The same per event fired (the figure when the server dropped a subscriber that fell behind), µs. */
  cpuUsPerFired: number | null;
  /** RSS of the server's process after the run, and the highest sampled during it, MiB. */
  rssMiB: number;
  rssPeakMiB: number;
  heapMiB: number;
  externalMiB: number;
  /** Ledger check (mock servers): 'ok', what differs, or '-' (not checked). */
  ledger: string;
  load1Before: number;
  load1After: number;
}

const MiB = 1024 * 1024;
/** --cpu-prof DIR: every server process writes a V8 CPU profile there when it exits. */
let cpuProfDir = '';
const fmt = (v: number | null, d = 2) => (v === null ? '-' : v.toFixed(d));

/** VmRSS of a process from /proc (no work inside the process measured), bytes; 0 if unreadable. */
function rssOf(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

interface ServerSpec {
  name: string;
  kind: 'mock' | 'plain';
  /** Checkout whose mock runs (mock servers). */
  dir: string;
  /** The mock's minTickMs (0 = every due event on time). */
  minTickMs: number;
  /** Node/V8 flags of the server process (this checkout's mocks: --mock-node-flags). */
  nodeFlags: string[];
}

let profSeq = 0;
async function startServer(spec: ServerSpec, home: string): Promise<Server> {
  const { name, kind, dir } = spec;
  const file = kind === 'mock' ? `${here}mock-ha/mock-server.ts` : `${here}mock-ha/plain-server.ts`;
  const prof = cpuProfDir
    ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir, '--cpu-prof-name', `${name}.${++profSeq}.cpuprofile`]
    : [];
  const args = kind === 'mock' ? [dir, home, String(spec.minTickMs)] : [home];
  const proc = new Child(`bench server ${name}`, file, args, 'ready', [...prof, ...spec.nodeFlags]);
  const ready = (await proc.first) as ServerReady;
  const sub = new Child(
    `bench subscriber of ${name}`,
    `${here}mock-ha/subscriber.ts`,
    [ready.wsUrl, ready.token],
    'ready',
  );
  await sub.first;
  const control =
    ready.url && ready.controlToken
      ? new MockHaControlClient(ready.url, ready.controlToken, { service: name })
      : null;
  return { name, kind, proc, ready, sub, control, delivered: 0, ladderOk: true, best: null };
}

/** Stops the servers and their subscribers; resolves when every process has exited. */
async function stopAll(servers: Server[]): Promise<void> {
  const exits = servers.flatMap((s) =>
    [s.sub, s.proc].map((c) =>
      c.alive ? new Promise<void>((r) => c.proc.once('exit', () => r())) : Promise.resolve(),
    ),
  );
  for (const s of servers) {
    s.sub.stop();
    s.proc.stop();
  }
  const timer = setTimeout(() => {
    for (const s of servers) for (const c of [s.sub, s.proc]) if (c.alive) c.proc.kill('SIGKILL');
  }, 10_000);
  await Promise.all(exits);
  clearTimeout(timer);
}

/** A new subscriber after the server dropped the last one (e.g. too slow at the top rate). */
async function resubscribe(s: Server): Promise<void> {
  log.warn(`${s.name} dropped its subscriber (exit ${s.sub.exitCode}); connecting a new one`);
  s.sub = new Child(
    `bench subscriber of ${s.name}`,
    `${here}mock-ha/subscriber.ts`,
    [s.ready.wsUrl, s.ready.token],
    'ready',
  );
  await s.sub.first;
  s.delivered = 0;
}

/** The mock's ledger of the run against what the subscriber received; 'ok' or what differs. */
async function checkLedger(
  s: Server,
  runId: string,
  count: number,
  counts: SubscriberCounts,
): Promise<string> {
  if (!s.control) return '-';
  const problems: string[] = [];
  const entries = await s.control.ledger(runId);
  if (entries.length !== count) problems.push(`ledger has ${entries.length} entries, run reported ${count}`);
  let h = FNV_START;
  let unsent = 0;
  for (const e of entries) {
    h = fnv1a(h, e.context_id);
    if (!(e.sent_ts >= e.intended_ts)) unsent++;
  }
  if (unsent > 0) problems.push(`${unsent} entries without a sent time at or after their intended time`);
  if (h.toString(16) !== counts.hash) problems.push('context ids differ from those received (hash)');
  const conns = (await s.control.connections()).filter((c) => !c.closed && c.authenticated);
  const conn = conns.at(-1);
  if (!conn) problems.push('no open connection for the subscriber');
  else {
    const delivered = conn.events_delivered - s.delivered;
    s.delivered = conn.events_delivered;
    if (delivered !== count) problems.push(`delivery record: ${delivered} delivered, expected ${count}`);
    if (conn.events_pending !== 0) problems.push(`delivery record: ${conn.events_pending} pending`);
  }
  return problems.length ? problems.join('; ') : 'ok';
}

async function measure(
  s: Server,
  phase: string,
  rate: number,
  durationS: number,
  verify: boolean,
): Promise<Row> {
  const load1Before = loadavg()[0] as number;
  const base = (await s.sub.ask<SubscriberCounts>({ type: 'reset' }, 'counts')).events;
  const u0 = await s.proc.ask<Usage>({ type: 'usage' }, 'usage');
  let rssPeak = rssOf(s.proc.proc.pid);
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssOf(s.proc.proc.pid));
  }, 50);
  const r = await s.proc.ask<RunDone>({ type: 'run', rate, durationS }, 'ran');
  const ended = performance.now();
  let received = 0;
  let drainMs: number | null = null;
  try {
    await waitFor(
      async () => {
        if (!s.sub.alive) return { done: true, seen: 'the subscriber is gone' };
        const c = await s.sub.ask<SubscriberCounts>({ type: 'counts' }, 'counts');
        received = c.events - base;
        return { done: received >= r.count, seen: `${received} of ${r.count} events` };
      },
      {
        what: `${s.name}'s subscriber to receive all ${r.count} events`,
        timeoutMs: 15_000,
        intervalMs: 5,
        maxIntervalMs: 100,
      },
    );
    if (received >= r.count) drainMs = performance.now() - ended;
  } catch {
    // not all received: reported as received < emitted
  }
  const u1 = await s.proc.ask<Usage>({ type: 'usage' }, 'usage');
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, rssOf(s.proc.proc.pid));
  const counts = await s.sub.ask<SubscriberCounts>({ type: 'reset' }, 'counts').catch(() => null);
  let ledger = '-';
  if (verify && r.runId && counts)
    ledger = await checkLedger(s, r.runId, r.count, counts).catch((e: Error) => `check failed: ${e.message}`);
  return {
    server: s.name,
    phase,
    target: rate,
    durationS,
    emitted: r.count,
    achieved: r.achievedRate,
    rateErrorPct: r.rateErrorPct,
    lateP50: r.lateness?.p50 ?? null,
    lateP99: r.lateness?.p99 ?? null,
    lateMax: r.lateness?.max ?? null,
    received,
    drainMs,
    lagP50: counts?.lagP50 ?? null,
    lagP99: counts?.lagP99 ?? null,
    cpuUsPerEvent: received > 0 ? (u1.cpuUs - u0.cpuUs) / received : null,
    cpuUsPerFired: r.count > 0 ? (u1.cpuUs - u0.cpuUs) / r.count : null,
    rssMiB: u1.rss / MiB,
    heapMiB: u1.heapUsed / MiB,
    externalMiB: u1.external / MiB,
    rssPeakMiB: rssPeak / MiB,
    ledger,
    load1Before,
    load1After: loadavg()[0] as number,
  };
}

function printRow(r: Row) {
  process.stdout.write(
    `${r.phase.padEnd(10)} ${r.server.padEnd(8)} target=${String(r.target).padStart(6)}/s x ${r.durationS}s  emitted=${String(r.emitted).padStart(7)}  ` +
      `achieved=${fmt(r.achieved, 1).padStart(9)}/s  err=${fmt(r.rateErrorPct, 3).padStart(7)}%  ` +
      `lateness ms p50=${fmt(r.lateP50)} p99=${fmt(r.lateP99)} max=${fmt(r.lateMax)}  ` +
      `received=${r.received} drain=${fmt(r.drainMs, 0)}ms e2e-lag ms p50=${fmt(r.lagP50)} p99=${fmt(r.lagP99)}  ` +
      `cpu=${fmt(r.cpuUsPerEvent, 1)}us/ev (${fmt(r.cpuUsPerFired, 1)}us/fired) rss=${fmt(r.rssMiB, 0)}MiB peak=${fmt(r.rssPeakMiB, 0)}MiB heap=${fmt(r.heapMiB, 0)} ext=${fmt(r.externalMiB, 0)} ledger=${r.ledger}  ` +
      `loadavg1=${r.load1Before.toFixed(2)}->${r.load1After.toFixed(2)}\n`,
  );
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Medians over the repeats per server and rate, and each server's ratio to the plain server and the baseline. */
function printSummary(rows: Row[], servers: readonly { name: string }[], rates: number[]) {
  process.stdout.write(
    '\nsummary (median over repeats; cpu = server process CPU per event delivered, or per event fired (*) in runs where the server dropped the subscriber; lateness = sent - intended; lag = received - intended; rss = after the run / peak during it)\n' +
      `${'rate'.padStart(7)} ${'server'.padEnd(8)} ${'cpu us/ev'.padStart(10)} ${'late p50'.padStart(9)} ${'late p99'.padStart(9)} ${'lag p50'.padStart(8)} ${'lag p99'.padStart(8)} ${'rss MiB'.padStart(8)} ${'peak MiB'.padStart(8)}  ledger        cpu vs plain  cpu vs baseline\n`,
  );
  for (const rate of rates) {
    const med = (name: string, f: (r: Row) => number | null) =>
      median(
        rows
          .filter((r) => r.phase === 'precision' && r.server === name && r.target === rate)
          .map(f)
          .filter((v): v is number => v !== null),
      );
    for (const s of servers) {
      const mine = rows.filter((r) => r.phase === 'precision' && r.server === s.name && r.target === rate);
      if (mine.length === 0) continue;
      const cpuOf = (r: Row) => (r.received === r.emitted ? r.cpuUsPerEvent : r.cpuUsPerFired);
      const cpu = med(s.name, cpuOf);
      const partial = mine.some((r) => r.received !== r.emitted);
      const ratio = (other: string) => {
        const o = med(other, cpuOf);
        return cpu !== null && o ? `x${(cpu / o).toFixed(2)}` : '-';
      };
      const ledgers = [...new Set(mine.map((r) => r.ledger))].join(',');
      const dropped = mine.filter((r) => r.received !== r.emitted).length;
      process.stdout.write(
        `${String(rate).padStart(7)} ${s.name.padEnd(8)} ${(fmt(cpu, 1) + (partial ? '*' : '')).padStart(10)} ${fmt(med(s.name, (r) => r.lateP50)).padStart(9)} ${fmt(med(s.name, (r) => r.lateP99)).padStart(9)} ` +
          `${fmt(med(s.name, (r) => r.lagP50)).padStart(8)} ${fmt(med(s.name, (r) => r.lagP99)).padStart(8)} ${fmt(
            med(s.name, (r) => r.rssMiB),
            0,
          ).padStart(8)} ` +
          `${fmt(Math.max(...mine.map((r) => r.rssPeakMiB)), 0).padStart(8)}  ${(ledgers + (dropped ? ` dropped ${dropped}/${mine.length}` : '')).padEnd(13)} ${ratio('plain').padStart(12)}  ${ratio('baseline').padStart(15)}\n`,
      );
    }
  }
}

/**
 * Opt-in priority for a benchmark on a shared machine: the process nice value and, where the
 * kernel groups CPU time per session (sched autogroup), the session group's nice too. Child
 * processes inherit it.
 */
const autogroup = (): string => {
  try {
    return readFileSync('/proc/self/autogroup', 'utf8').trim();
  } catch {
    return 'no autogroup';
  }
};
function applyNice(nice: number): () => void {
  setPriority(nice);
  let before: string | undefined;
  try {
    before = /nice (-?\d+)/.exec(readFileSync('/proc/self/autogroup', 'utf8'))?.[1];
    writeFileSync('/proc/self/autogroup', String(nice));
  } catch {
    return () => {};
  }
  return () => {
    if (before !== undefined) writeFileSync('/proc/self/autogroup', before);
  };
}

/** A ladder step counts as sustained only if the scheduler kept pace (p99 lateness). */
const SUSTAINED_MAX_P99_MS = 50;

async function main() {
  const { values } = parseCli('bench:mock-ha', BENCH_USAGE, {
    rates: { type: 'string', default: '500,5000,20000,100000' },
    duration: { type: 'string', default: '10' },
    repeat: { type: 'string', default: '3' },
    servers: { type: 'string', default: 'mock,plain' },
    baseline: { type: 'string', default: '' },
    ladder: { type: 'string', default: '10000,20000,30000,40000,60000,80000' },
    'ladder-duration': { type: 'string', default: '5' },
    home: { type: 'string', default: 'small' },
    'no-verify': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    nice: { type: 'string', default: '' },
    'cpu-prof': { type: 'string', default: '' },
    'mock-tick': { type: 'string', default: '0' },
    'mock-node-flags': { type: 'string', default: '' },
  });
  cpuProfDir = values['cpu-prof'] === '' ? '' : resolve(values['cpu-prof']);
  const list = (flag: string, raw: string) =>
    raw === ''
      ? []
      : raw.split(',').map((x) => intInput('bench:mock-ha', `${flag} (item "${x}")`, x, 0, 1, 100_000));
  const ticks = values['mock-tick']
    .split(',')
    .map((x) => intInput('bench:mock-ha', `--mock-tick (item "${x}")`, x, 0, 0, 1000));
  const rates = list('--rates', values.rates);
  const ladder = list('--ladder', values.ladder);
  const duration = intInput('bench:mock-ha', '--duration', values.duration, 10, 1, 3_600);
  const ladderDuration = intInput(
    'bench:mock-ha',
    '--ladder-duration',
    values['ladder-duration'],
    5,
    1,
    3_600,
  );
  const repeat = intInput('bench:mock-ha', '--repeat', values.repeat, 3, 1, 100);
  if (values.nice !== '') intInput('bench:mock-ha', '--nice', values.nice, 0, -20, 19);
  if (!['small', 'medium', 'large'].includes(values.home))
    usageError('bench:mock-ha', `--home "${values.home}" is invalid: expected small, medium or large`);
  const names = values.servers.split(',').filter((n) => n !== '');
  for (const n of names)
    if (n !== 'mock' && n !== 'plain')
      usageError(
        'bench:mock-ha',
        `--servers item "${n}" is invalid: expected mock or plain (add the baseline with --baseline DIR)`,
      );
  if (values.baseline !== '') {
    if (!existsSync(resolve(values.baseline, 'harness/mock-ha/index.ts')))
      usageError(
        'bench:mock-ha',
        `--baseline "${values.baseline}" is invalid: expected a checkout of this repository (no harness/mock-ha/index.ts there)`,
      );
    names.splice(1, 0, 'baseline');
  }
  if (names.length === 0)
    usageError('bench:mock-ha', '--servers "" is invalid: expected mock, plain or both');
  const nodeFlags = values['mock-node-flags'].split(' ').filter((f) => f !== '');
  for (const f of nodeFlags)
    if (!/^--[a-z0-9-]+(=[A-Za-z0-9._-]+)?$/.test(f))
      usageError(
        'bench:mock-ha',
        `--mock-node-flags item "${f}" is invalid: expected Node/V8 flags such as --max-semi-space-size=2`,
      );
  const specs: ServerSpec[] = [];
  for (const n of names) {
    if (n === 'mock')
      for (const t of ticks)
        specs.push({
          name: t === 0 ? 'mock' : `mock-t${t}`,
          kind: 'mock',
          dir: repoRoot,
          minTickMs: t,
          nodeFlags,
        });
    else if (n === 'baseline')
      specs.push({ name: n, kind: 'mock', dir: resolve(values.baseline), minTickMs: 0, nodeFlags: [] });
    else specs.push({ name: n, kind: 'plain', dir: repoRoot, minTickMs: 0, nodeFlags: [] });
  }
  const restoreNice = values.nice === '' ? () => {} : applyNice(Number(values.nice));
  process.once('exit', restoreNice);

  const rows: Row[] = [];
  const verify = !values['no-verify'];
  // Fresh processes for every repeat (and for the ladder): each one's RSS at a rate is what the
  // rates so far (ascending) left, never what an earlier repeat's top rate did.
  let servers: Server[] = [];
  const startAll = async () => {
    servers = [];
    for (const spec of specs) servers.push(await startServer(spec, values.home));
    process.stdout.write(
      `# node ${process.version}, driver pid ${process.pid}; ${servers.map((s) => `${s.name} pid ${s.proc.proc.pid} (subscriber ${s.sub.proc.pid})`).join(', ')}; ` +
        `${values.baseline ? `baseline ${resolve(values.baseline)}; ` : ''}home ${values.home}; nice ${getPriority()}; ${autogroup()}\n`,
    );
    log.info('warm-up: 2 s at 2000 ev/s per server');
    for (const s of servers) await measure(s, 'warmup', 2000, 2, verify);
  };
  try {
    for (let i = 0; i < repeat && rates.length; i++) {
      await startAll();
      for (const rate of rates) {
        // Rotate the order every rate and repeat so no server always runs first or last.
        const shift = i + rates.indexOf(rate);
        const order = servers.map((_, k) => servers[(k + shift) % servers.length] as Server);
        for (const s of order) {
          log.info(`precision: ${s.name} at ${rate} ev/s for ${duration} s (repeat ${i + 1}/${repeat})`);
          const row = await measure(s, 'precision', rate, duration, verify);
          rows.push(row);
          printRow(row);
          if (!s.sub.alive) await resubscribe(s);
        }
      }
      await stopAll(servers);
    }
    if (rates.length) printSummary(rows, specs, rates);
    if (ladder.length) await startAll();
    for (const rate of ladder) {
      for (const s of servers) {
        if (!s.ladderOk) continue;
        log.info(`throughput: ${s.name} at ${rate} ev/s for ${ladderDuration} s`);
        const row = await measure(s, 'throughput', rate, ladderDuration, false);
        rows.push(row);
        printRow(row);
        // Sustained: everything received, the schedule kept (rate and lateness).
        const sustained =
          row.received === row.emitted &&
          s.sub.alive &&
          Math.abs(row.rateErrorPct ?? 100) <= 1 &&
          (row.lateP99 ?? Number.POSITIVE_INFINITY) <= SUSTAINED_MAX_P99_MS;
        if (sustained) s.best = row;
        else s.ladderOk = false;
        if (!s.sub.alive) await resubscribe(s);
      }
    }
    if (ladder.length)
      for (const s of servers)
        process.stdout.write(
          `highest sustained rate, ${s.name}, one subscriber (all events received, rate error <= 1%, lateness p99 <= ${SUSTAINED_MAX_P99_MS} ms): ` +
            `${s.best ? `${s.best.target} ev/s (achieved ${fmt(s.best.achieved, 0)}/s, lateness p99 ${fmt(s.best.lateP99)} ms)` : 'none of the ladder'}\n`,
        );
    if (values.json)
      process.stdout.write(
        `${JSON.stringify({ rows, highestSustained: Object.fromEntries(servers.map((s) => [s.name, s.best?.target ?? null])) })}\n`,
      );
  } finally {
    await stopAll(servers);
  }
}

await main();
