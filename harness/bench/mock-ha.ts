/**
 * Benchmark of the mock Home Assistant (npm run bench:mock-ha). Prints numbers, not verdicts:
 *  1. precision: achieved rate error and scheduler lateness at 500 and 5,000 ev/s over 10 s;
 *  2. throughput: the highest steady rate one subscriber receives in full (ladder of rates).
 * The subscriber is a separate process (a raw `ws` client that parses and counts every event),
 * so the mock and the consumer do not share an event loop. Machine load (os.loadavg) is printed
 * beside every figure: other work on the machine moves them.
 *
 * Flags: --rates 500,5000  --duration 10  --ladder 10000,20000,30000,40000,60000,80000
 *        --ladder-duration 5  --home small  --repeat 1  --json (one JSON summary line at the end)
 *        --nice=N  (opt-in: run the mock and the subscriber at scheduling priority N, e.g. -5, to
 *                   see the mock's own limits on a machine busy with other work; printed per run)
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { getPriority, loadavg, setPriority } from 'node:os';
import { WebSocket } from 'ws';
import { intInput, parseCli, usageError } from '../cli/args.ts';
import { singleThreadedGc } from '../mock-ha/gc.ts';
import type { HomeSize, RunReport, StartedMockHa } from '../mock-ha/index.ts';
import { startMockHa } from '../mock-ha/index.ts';
import * as msg from '../mock-ha/protocol/messages.ts';
import { createLogger } from '../util/log.ts';
import { waitFor } from '../util/wait.ts';

interface SubscriberCounts {
  type: 'counts';
  events: number;
  frames: number;
  /** Receive time minus the event's time_fired (= intended time), ms, for events since the last reset. */
  lagP50: number | null;
  lagP99: number | null;
  lagMax: number | null;
}

const BENCH_USAGE = `usage: npm run bench:mock-ha -- [--rates 500,5000] [--duration 10]
       [--ladder 10000,20000,...] [--ladder-duration 5] [--home small|medium|large]
       [--repeat 1] [--json] [--nice N]

Mock Home Assistant benchmark: pacing precision at --rates (ev/s, --duration s each), then the
highest steady rate one subscriber receives in full (--ladder). Prints numbers, not verdicts.`;

// ---------- subscriber role (child process) ----------
async function subscriber(url: string, token: string) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let events = 0;
  let frames = 0;
  let lags: number[] = [];
  const now = () => performance.timeOrigin + performance.now();
  ws.on('message', (data) => {
    frames++;
    const parsed = JSON.parse(data.toString()) as Record<string, unknown> | Record<string, unknown>[];
    const list = Array.isArray(parsed) ? parsed : [parsed];
    const t = now();
    for (const m of list) {
      if (m.type === 'auth_ok') {
        ws.send(JSON.stringify(msg.supportedFeatures(1)));
        ws.send(JSON.stringify(msg.subscribeEvents(2, 'state_changed')));
      } else if (m.type === 'result' && m.id === 2) process.send?.({ type: 'ready' });
      else if (m.type === 'event') {
        events++;
        const fired = (m.event as { time_fired: string }).time_fired;
        if ((events & 7) === 0) lags.push(t - msg.isoToEpochSeconds(fired) * 1000);
      }
    }
  });
  ws.on('open', () => ws.send(JSON.stringify(msg.auth(token))));
  ws.on('close', () => process.exit(0));
  process.on('message', (m: { type: string }) => {
    if (m.type === 'counts' || m.type === 'reset') {
      const sorted = Float64Array.from(lags).sort();
      const q = (p: number) =>
        sorted.length
          ? (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number)
          : null;
      const counts: SubscriberCounts = {
        type: 'counts',
        events,
        frames,
        lagP50: q(0.5),
        lagP99: q(0.99),
        lagMax: q(1),
      };
      if (m.type === 'reset') lags = [];
      process.send?.(counts);
    }
    if (m.type === 'exit') ws.close();
  });
}

// ---------- driver role ----------
class SubscriberProcess {
  readonly child: ChildProcess;
  #waiters: { resolve: (c: SubscriberCounts) => void; reject: (e: Error) => void }[] = [];
  exitCode: number | null = null;
  ready: Promise<void>;
  constructor(url: string, token: string, nice: string) {
    this.child = fork(new URL(import.meta.url).pathname, ['--subscriber', url, token, nice], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (m: { type: string }) => {
        if (m.type === 'ready') resolve();
        if (m.type === 'counts') this.#waiters.shift()?.resolve(m as SubscriberCounts);
      });
      this.child.once('exit', (code) => {
        this.exitCode = code ?? -1;
        const err = new Error(`bench subscriber exited with code ${code} (the mock closed or dropped it)`);
        for (const w of this.#waiters.splice(0)) w.reject(err);
        reject(err);
      });
    });
  }
  get alive(): boolean {
    return this.exitCode === null;
  }
  counts(reset = false): Promise<SubscriberCounts> {
    if (!this.alive) return Promise.reject(new Error(`bench subscriber exited with code ${this.exitCode}`));
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.child.send({ type: reset ? 'reset' : 'counts' });
    });
  }
  stop() {
    if (this.child.connected) this.child.send({ type: 'exit' });
  }
}

interface Row {
  phase: string;
  target: number;
  durationS: number;
  emitted: number;
  achieved: number | null;
  rateErrorPct: number | null;
  lateP50: number | null;
  lateP95: number | null;
  lateP99: number | null;
  lateMax: number | null;
  received: number;
  drainMs: number | null;
  lagP50: number | null;
  lagP99: number | null;
  maxPending: number;
  dropped: boolean;
  load1Before: number;
  load1After: number;
  /** CPU time of the mock's process (user + system) per event while the run lasted, µs. */
  mockCpuUsPerEvent: number | null;
}

/**
 * Opt-in priority for a benchmark on a shared machine: the process nice value and, where the
 * kernel groups CPU time per session (sched autogroup), the session group's nice too (a process
 * nice alone does not move CPU between sessions). Both processes of the benchmark share it.
 */
const autogroup = (): string => {
  try {
    return readFileSync('/proc/self/autogroup', 'utf8').trim();
  } catch {
    return 'no autogroup';
  }
};

function applyNice(nice: number, session: boolean): () => void {
  setPriority(nice);
  if (!session) return () => {};
  let before: string | undefined;
  try {
    before = /nice (-?\d+)/.exec(readFileSync('/proc/self/autogroup', 'utf8'))?.[1];
    writeFileSync('/proc/self/autogroup', String(nice));
  } catch {
    return () => {}; // no autogroup on this kernel: the process nice is all there is
  }
  return () => {
    if (before !== undefined) writeFileSync('/proc/self/autogroup', before);
  };
}

/** A ladder step counts as sustained only if the scheduler kept pace (p99 lateness). */
const SUSTAINED_MAX_P99_MS = 50;

const fmt = (v: number | null, d = 2) => (v === null ? '-' : v.toFixed(d));

async function measure(
  ha: StartedMockHa,
  sub: SubscriberProcess,
  phase: string,
  rate: number,
  durationS: number,
): Promise<Row> {
  const load1Before = loadavg()[0] as number;
  const base = await sub.counts(true);
  ha.resetClientPeaks();
  const cpu0 = process.cpuUsage();
  const run = ha.startScenario({ kind: 'steady', rate, durationS });
  const r: RunReport = await ha.waitForRun(run.run_id);
  const cpu = process.cpuUsage(cpu0);
  const ended = performance.now();
  let received = 0;
  let drainMs: number | null = null;
  try {
    await waitFor(
      async () => {
        if (!sub.alive) return { done: true, seen: 'the subscriber is gone' };
        const c = await sub.counts();
        received = c.events - base.events;
        return { done: received >= r.count, seen: `${received} of ${r.count} events` };
      },
      {
        what: `the subscriber to receive all ${r.count} events`,
        timeoutMs: 15_000,
        intervalMs: 5,
        maxIntervalMs: 100,
      },
    );
    if (received >= r.count) drainMs = performance.now() - ended;
  } catch {
    // not all received: reported as received < emitted
  }
  const after = await sub.counts(true).catch(() => null);
  const client = ha.stats().clients[0] ?? ha.stats().closed_clients.at(-1);
  return {
    phase,
    target: rate,
    durationS,
    emitted: r.count,
    achieved: r.achieved_rate,
    rateErrorPct: r.rate_error === null ? null : r.rate_error * 100,
    lateP50: r.lateness_ms?.p50 ?? null,
    lateP95: r.lateness_ms?.p95 ?? null,
    lateP99: r.lateness_ms?.p99 ?? null,
    lateMax: r.lateness_ms?.max ?? null,
    received,
    drainMs,
    lagP50: after?.lagP50 ?? null,
    lagP99: after?.lagP99 ?? null,
    maxPending: client?.max_pending ?? -1,
    dropped: client?.closed ?? true,
    load1Before,
    load1After: loadavg()[0] as number,
    mockCpuUsPerEvent: r.count > 0 ? (cpu.user + cpu.system) / r.count : null,
  };
}

function printRow(r: Row) {
  process.stdout.write(
    `${r.phase.padEnd(10)} target=${String(r.target).padStart(6)}/s x ${r.durationS}s  emitted=${String(r.emitted).padStart(7)}  ` +
      `achieved=${fmt(r.achieved, 1).padStart(9)}/s  err=${fmt(r.rateErrorPct, 3).padStart(7)}%  ` +
      `lateness ms p50=${fmt(r.lateP50)} p95=${fmt(r.lateP95)} p99=${fmt(r.lateP99)} max=${fmt(r.lateMax)}  ` +
      `received=${r.received} drain=${fmt(r.drainMs, 0)}ms e2e-lag ms p50=${fmt(r.lagP50)} p99=${fmt(r.lagP99)}  ` +
      `max_pending=${r.maxPending} dropped=${r.dropped}  mock_cpu=${fmt(r.mockCpuUsPerEvent, 1)}us/ev  loadavg1=${r.load1Before.toFixed(2)}->${r.load1After.toFixed(2)}\n`,
  );
}

async function main() {
  const { values } = parseCli('bench:mock-ha', BENCH_USAGE, {
    rates: { type: 'string', default: '500,5000' },
    duration: { type: 'string', default: '10' },
    ladder: { type: 'string', default: '10000,20000,30000,40000,60000,80000' },
    'ladder-duration': { type: 'string', default: '5' },
    home: { type: 'string', default: 'small' },
    repeat: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    nice: { type: 'string', default: '' },
  });
  const list = (flag: string, raw: string) =>
    raw.split(',').map((x) => intInput('bench:mock-ha', `${flag} (item "${x}")`, x, 0, 1, 1_000_000));
  list('--rates', values.rates);
  list('--ladder', values.ladder);
  intInput('bench:mock-ha', '--duration', values.duration, 10, 1, 3_600);
  intInput('bench:mock-ha', '--ladder-duration', values['ladder-duration'], 5, 1, 3_600);
  intInput('bench:mock-ha', '--repeat', values.repeat, 1, 1, 100);
  if (values.nice !== '') intInput('bench:mock-ha', '--nice', values.nice, 0, -20, 19);
  if (!['small', 'medium', 'large'].includes(values.home))
    usageError('bench:mock-ha', `--home "${values.home}" is invalid: expected small, medium or large`);
  const restoreNice = values.nice === '' ? () => {} : applyNice(Number(values.nice), true);
  process.once('exit', restoreNice);
  const log = createLogger('bench:mock-ha');
  const ha = await startMockHa({ seed: 1, homeSize: values.home as HomeSize, logger: log.child('mock') });
  const sub = new SubscriberProcess(ha.wsUrl, ha.token, values.nice);
  const rows: Row[] = [];
  try {
    await sub.ready;
    process.stdout.write(
      `# node ${process.version}, pid ${process.pid}; subscriber pid ${sub.child.pid}; home ${values.home} (${ha.world.size} entities); nice ${getPriority()}; ${autogroup()}\n`,
    );
    log.info('warm-up: 2 s at 2000 ev/s');
    await measure(ha, sub, 'warmup', 2000, 2);
    for (let i = 0; i < Number(values.repeat); i++) {
      for (const rate of values.rates.split(',').map(Number)) {
        log.info(`precision: ${rate} ev/s for ${values.duration} s`);
        const row = await measure(ha, sub, 'precision', rate, Number(values.duration));
        rows.push(row);
        printRow(row);
        if (!sub.alive) throw new Error('the subscriber was dropped during a precision run; stopping');
      }
    }
    let best: Row | null = null;
    for (const rate of values.ladder.split(',').map(Number)) {
      log.info(`throughput: ${rate} ev/s for ${values['ladder-duration']} s`);
      const row = await measure(ha, sub, 'throughput', rate, Number(values['ladder-duration']));
      rows.push(row);
      printRow(row);
      // Sustained: everything received, not dropped, the schedule kept (rate and lateness).
      const sustained =
        row.received === row.emitted &&
        !row.dropped &&
        Math.abs(row.rateErrorPct ?? 100) <= 1 &&
        (row.lateP99 ?? Number.POSITIVE_INFINITY) <= SUSTAINED_MAX_P99_MS;
      if (!sustained || !sub.alive) break;
      best = row;
    }
    process.stdout.write(
      `highest sustained rate to one subscriber (all events received, not dropped, rate error <= 1%, lateness p99 <= ${SUSTAINED_MAX_P99_MS} ms): ` +
        `${best ? `${best.target} ev/s (achieved ${fmt(best.achieved, 0)}/s, lateness p99 ${fmt(best.lateP99)} ms, max_pending ${best.maxPending})` : 'none of the ladder'}\n`,
    );
    if (values.json)
      process.stdout.write(`${JSON.stringify({ rows, highestSustained: best?.target ?? null })}\n`);
  } finally {
    sub.stop();
    await ha.stop();
  }
}

singleThreadedGc(); // as the mock's CLI does, in both processes
if (process.argv[2] === '--subscriber') {
  if (process.argv[5]) applyNice(Number(process.argv[5]), false);
  await subscriber(process.argv[3] as string, process.argv[4] as string);
} else await main();
