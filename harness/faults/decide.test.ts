import { describe, expect, it } from 'vitest';
import { renderJunit } from '../report/junit.ts';
import type { ReportTest, RunReport } from '../report/model.ts';
import { decideBoot, messageNames, parseJunit } from './decide.ts';

const T = 'suites/mission/throughput.test.ts';
const B = 'suites/mission/bucket-separation.smoke.test.ts';
const TOP_T = 'throughput: two bursts of 500 ev/s for 10 s over 50 ev/s';
const TOP_B = 'bucket separation: test data stays in the test bucket and the test database';

const loss =
  'websocket-ingestion-test: fired events missing from homeiq-test/home_assistant_events_test: expected 0, measured 412 of 11000: 412 never delivered';
const stack =
  '\n    at Object.<anonymous> (suites/mission/throughput.test.ts:83:5)\n    at runTest (file.js:1:1)';

const test = (
  top: string,
  name: string,
  state: ReportTest['state'],
  error?: string,
  cause?: ReportTest['cause'],
): ReportTest => ({
  name: `${top} > ${name}`,
  state,
  durationMs: 10,
  errors: error ? [error] : [],
  ...(state === 'failed' ? { cause: cause ?? 'check' } : {}),
});

/** A JUnit document exactly as the project's reporter writes it (harness/report/junit.ts). */
function junit(files: { file: string; top: string; tests: ReportTest[] }[]): string {
  const report: RunReport = {
    startedAt: 0,
    finishedAt: 1000,
    reason: 'failed',
    files: files.map((f) => ({
      file: f.file,
      project: 'suites',
      state: 'fail',
      durationMs: 100,
      tests: f.tests,
      title: f.top,
    })),
    measurements: [],
    unhandledErrors: [],
    hostname: 'ci',
  };
  return renderJunit(report);
}

const throughput = (
  over: Partial<
    Record<'rate' | 'loss' | 'twice' | 'latency', [ReportTest['state'], string?, ReportTest['cause']?]>
  > = {},
) => ({
  file: T,
  top: TOP_T,
  tests: [
    test(
      TOP_T,
      'the mock HA fired the bursts at the intended rate (the load really happened)',
      ...(over.rate ?? ['passed']),
    ),
    test(
      TOP_T,
      'loses no event: every fired event is stored in the test bucket',
      ...(over.loss ?? ['passed']),
    ),
    test(TOP_T, 'stores no event twice', ...(over.twice ?? ['passed'])),
    test(
      TOP_T,
      'makes events queryable within batch timeout + 2 s (p99 <= 5000 ms)',
      ...(over.latency ?? ['passed']),
    ),
  ],
});

const dropped = {
  name: 'dropped-batch',
  suites: [T],
  expect: [{ suite: T, test: 'loses no event', service: 'websocket-ingestion-test' }],
};

describe('JUnit of the project reporter', () => {
  it('parses every test with its file, outcome, type and message without stack frames', () => {
    const xml = junit([
      throughput({
        loss: ['failed', `${loss}${stack}`],
        latency: ['failed', 'could not run: a shared hook failed', 'setup'],
      }),
    ]);
    const cases = parseJunit(xml);
    expect(cases.map((c) => [c.file, c.outcome, c.type])).toEqual([
      [T, 'passed', undefined],
      [T, 'failed', 'CheckError'],
      [T, 'passed', undefined],
      [T, 'error', 'SetupFailed'],
    ]);
    expect(cases[1]?.name).toBe('loses no event: every fired event is stored in the test bucket');
    expect(cases[1]?.message).toBe(loss);
  });

  it('decodes entities and keeps multi-line messages (checkAll)', () => {
    const msg =
      'collector egress in test mode: 1 of 7 failed\n  - weather-api: outbound connections: expected "0, and the service running", measured 3 to [fake-upstreams:8090] <&>';
    const [c] = parseJunit(
      junit([{ file: 'suites/mission/x.test.ts', top: 'x', tests: [test('x', 'egress', 'failed', msg)] }]),
    );
    expect(c?.message).toBe(msg);
  });

  it('refuses a document that is not JUnit', () => {
    expect(() => parseJunit('<html></html>')).toThrow('not a JUnit document');
  });
});

describe('a failure message names the service, the expected and the measured value', () => {
  it('needs all three, the service as a whole word', () => {
    expect(messageNames(loss, 'websocket-ingestion-test')).toEqual({ ok: true, missing: [] });
    expect(messageNames(loss, 'websocket-ingestion').missing).toEqual(['the service "websocket-ingestion"']);
    expect(messageNames('influxdb: 3 points lost', 'influxdb').missing).toEqual(['"expected"', '"measured"']);
  });
});

describe('the decision per fault x test', () => {
  it('catches a fault whose expected test fails naming its service; every other test passed', () => {
    const d = decideBoot([dropped], parseJunit(junit([throughput({ loss: ['failed', loss] })])));
    expect(d.problems).toEqual([]);
    expect(d.faults).toEqual([{ fault: 'dropped-batch', caught: true, problems: [] }]);
    expect(d.rows.map((r) => [r.test.slice(0, 14), r.expected, r.actual, r.verdict])).toEqual([
      ['the mock HA fi', 'pass', 'passed', 'passed'],
      ['loses no event', 'fail', 'failed', 'caught'],
      ['stores no even', 'pass', 'passed', 'passed'],
      ['makes events q', 'pass', 'passed', 'passed'],
    ]);
    expect(d.rows[1]?.head).toBe(loss);
  });

  it('undetected: the expected test passed', () => {
    const d = decideBoot([dropped], parseJunit(junit([throughput()])));
    expect(d.faults[0]?.caught).toBe(false);
    expect(d.problems).toEqual([
      'dropped-batch: undetected: suites/mission/throughput.test.ts > loses no event: every fired event is stored in the test bucket passed (expected it to fail naming websocket-ingestion-test)',
    ]);
  });

  it('vague: it failed, but the message does not name the service, "expected" and "measured"', () => {
    const d = decideBoot(
      [dropped],
      parseJunit(junit([throughput({ loss: ['failed', 'AssertionError: 412 !== 0'] })])),
    );
    expect(d.faults[0]?.caught).toBe(false);
    expect(d.rows[1]?.verdict).toBe('vague');
    expect(d.problems[0]).toMatch(
      /^dropped-batch: .* failed, but its message lacks the service "websocket-ingestion-test", "expected", "measured": AssertionError: 412 !== 0$/,
    );
  });

  it('collateral: a test no fault expects failed', () => {
    const twice = 'websocket-ingestion-test: fired events stored more than once: expected 0, measured 3';
    const d = decideBoot(
      [dropped],
      parseJunit(junit([throughput({ loss: ['failed', loss], twice: ['failed', twice] })])),
    );
    expect(d.rows[2]?.verdict).toBe('collateral');
    expect(d.faults[0]).toMatchObject({ caught: true });
    expect(d.problems).toEqual([
      `suites/mission/throughput.test.ts > stores no event twice: collateral: failed though no fault of this boot expects it: ${twice}`,
    ]);
  });

  it('a setup failure is red, never a catch; a skipped test is red; a file with no result is red', () => {
    const d = decideBoot(
      [{ ...dropped, suites: [T, B] }],
      parseJunit(
        junit([
          throughput({
            loss: [
              'failed',
              'could not run: a shared hook of block "x" failed: websocket-ingestion-test: boot: expected healthy, measured exited',
              'setup',
            ],
            twice: ['skipped'],
          }),
        ]),
      ),
    );
    expect(d.faults[0]?.caught).toBe(false);
    expect(d.rows.map((r) => r.verdict)).toEqual(['passed', 'not-run', 'not-run', 'passed', 'not-run']);
    expect(d.problems).toContain(`${B}: did not run (no result in the JUnit)`);
  });

  it('an expectation marked refusal is caught only by a refusal naming the service; a plain setup failure stays red', () => {
    const refusal =
      'could not run: a shared hook of block "x" failed: SafetyError: refused: synthetic events to websocket-ingestion-test: its token can write homeiq/home_assistant_events (HTTP 204)';
    const refused = {
      ...dropped,
      expect: [
        { suite: T, test: 'loses no event', service: 'websocket-ingestion-test', refusal: true as const },
      ],
    };
    const run = (message: string) =>
      decideBoot([refused], parseJunit(junit([throughput({ loss: ['failed', message, 'setup'] })])));
    const caught = run(refusal);
    expect(caught.faults[0]?.caught).toBe(true);
    expect(caught.rows[1]).toMatchObject({
      verdict: 'caught',
      why: expect.stringContaining('caught by a refusal'),
    });
    const boot = run(
      'could not run: a shared hook of block "x" failed: websocket-ingestion-test: boot: expected healthy, measured exited',
    );
    expect(boot.faults[0]?.caught).toBe(false);
    expect(boot.rows[1]?.verdict).toBe('vague');
    expect(boot.problems[0]).toContain('its refusal lacks "refused"');
    const other = run('could not run: SafetyError: refused: synthetic events to ha-ingest: …');
    expect(other.rows[1]?.verdict).toBe('vague');
    expect(other.problems[0]).toContain('the service "websocket-ingestion-test"');
    const passed = decideBoot([refused], parseJunit(junit([throughput()])));
    expect(passed.rows[1]?.verdict).toBe('undetected');
  });

  it('an expectation that matches no test is red, naming the tests there are', () => {
    const d = decideBoot(
      [
        {
          ...dropped,
          expect: [{ suite: T, test: 'loses no events at all', service: 'websocket-ingestion-test' }],
        },
      ],
      parseJunit(junit([throughput()])),
    );
    expect(d.faults[0]?.caught).toBe(false);
    expect(d.problems[0]).toMatch(
      /^dropped-batch: no test of suites\/mission\/throughput\.test\.ts has "loses no events at all" in its name \(tests: "the mock HA/,
    );
  });

  it('several faults in one boot: failures told apart by the service their message names', () => {
    const sqlite =
      'SQLite separation: 1 of 4 failed\n  - data-api: production database /app/data/metadata.db: expected absent, measured present';
    const faults = [
      dropped,
      {
        name: 'sqlite-production-path',
        suites: [B],
        expect: [{ suite: B, test: 'keeps SQLite metadata', service: 'data-api' }],
      },
      {
        name: 'test-token-too-broad',
        suites: [B],
        expect: [{ suite: B, test: 'gives the test token no access', service: 'influxdb' }],
      },
    ];
    const separation = (sqliteMsg: string, tokenMsg?: string) => ({
      file: B,
      top: TOP_B,
      tests: [
        test(TOP_B, 'writes every fired event into the test bucket exactly once', 'passed'),
        test(
          TOP_B,
          'gives the test token no access to the production bucket (and full access to its own)',
          tokenMsg ? 'failed' : 'passed',
          tokenMsg,
        ),
        test(
          TOP_B,
          'keeps SQLite metadata in the test database only, in WAL mode, with content',
          'failed',
          sqliteMsg,
        ),
      ],
    });
    const token =
      'test token scope: 1 of 2 failed\n  - influxdb: write permission of the test token on homeiq/home_assistant_events: expected denied (401/403/404), measured HTTP 204';
    const all = decideBoot(
      faults,
      parseJunit(junit([throughput({ loss: ['failed', loss] }), separation(sqlite, token)])),
    );
    expect(all.faults.map((f) => [f.fault, f.caught])).toEqual([
      ['dropped-batch', true],
      ['sqlite-production-path', true],
      ['test-token-too-broad', true],
    ]);
    expect(all.problems).toEqual([]);
    // The token check passed: only that fault is undetected; the others stay caught.
    const one = decideBoot(
      faults,
      parseJunit(junit([throughput({ loss: ['failed', loss] }), separation(sqlite)])),
    );
    expect(one.faults.map((f) => [f.fault, f.caught])).toEqual([
      ['dropped-batch', true],
      ['sqlite-production-path', true],
      ['test-token-too-broad', false],
    ]);
    // A failure that names another fault's service is not this fault's catch.
    const wrong = decideBoot(
      faults,
      parseJunit(
        junit([
          throughput({ loss: ['failed', loss] }),
          separation(sqlite, sqlite.replace('SQLite separation', 'token')),
        ]),
      ),
    );
    expect(wrong.faults[2]).toMatchObject({ fault: 'test-token-too-broad', caught: false });
    expect(wrong.problems[0]).toMatch(
      /^test-token-too-broad: .* failed, but its message lacks the service "influxdb"/,
    );
  });
});
