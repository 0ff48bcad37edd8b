/**
 * AI reachability (seed 000: AI services enabled in both modes; seed 003): every AI service of the
 * stack profile answers its health and readiness paths with 200 at every sample of the run (and, where the profile maps its
 * deployment mode, says test), and one request through the AI path the profile names (roles.aiPath:
 * service, request, expected status, fake-LLM-upstream calls and answer fields) round-trips. A
 * profile without roles.aiPath fails the round trip, naming the missing evidence.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { checkAll } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import {
  type StartedAvailabilitySampler,
  startAvailabilitySampler,
} from '../../harness/probes/availability.ts';
import { describeResult, probe } from '../../harness/probes/http.ts';
import { useStack } from '../../harness/stack/use-stack.ts';
import { waitFor } from '../../harness/util/wait.ts';
import { containerMode, modeCheck } from '../../harness/verify/container-mode.ts';
import { describeCustody } from '../../harness/verify/custody.ts';
import { fieldAt, fireAndAwaitStored, roles } from '../../harness/verify/evidence.ts';

/**
 * Health and readiness are sampled every second from the start of this file to its last check (at
 * least MIN_WATCH_MS, through the round trip's events and AI request): a service that is not
 * ready for a while, goes down late, or answers only sometimes fails like one that never answers.
 */
const MIN_WATCH_MS = 10_000;

describe('AI services reachable in test mode', () => {
  const stack = useStack({ shares: true });
  let sampler: StartedAvailabilitySampler;

  beforeAll(() => {
    sampler = startAvailabilitySampler(
      roles().aiServices.flatMap((a) =>
        [...a.healthPaths, ...(a.readinessPath ? [a.readinessPath] : [])].map((path) => ({
          service: a.service,
          path,
          url: stack().url(a.service),
        })),
      ),
    );
  });
  afterAll(async () => {
    await sampler?.stop();
  });

  it('round-trips one request through the AI path the profile names (roles.aiPath)', async (ctx) => {
    const path = roles().aiPath;
    if (path === undefined) {
      withFailureContext(ctx, stack(), () => roles().aiServices.map((a) => a.service));
      checkAll(
        [
          {
            ok: false,
            e: {
              service:
                roles()
                  .aiServices.map((a) => a.service)
                  .join(', ') || '(no AI service mapped)',
              what: 'one request through the AI path',
              expected:
                'roles.aiPath in the stack profile: {service, method, path, body, expect: {status, upstreamRequests, fields}} (README: "Writing a stack profile")',
              measured: 'no AI path mapped: the round trip cannot be judged',
            },
          },
        ],
        'AI path round trip',
      );
      return;
    }
    withFailureContext(ctx, stack(), () => [
      path.service,
      ...roles().aiServices.map((a) => a.service),
      ...(path.expect.upstreamRequests ? ['fake-upstreams'] : []),
    ]);
    // Give the AI path something to read: state changes through the mock HA and the ingestion.
    const { fired, custody } =
      path.events > 0 ? await fireAndAwaitStored(stack(), path.events) : { fired: [], custody: undefined };
    const upstream = path.expect.upstreamRequests;
    const upstreamCount = async (): Promise<number | string> => {
      if (upstream === undefined) return 0;
      const r = await probe<{ counts: Record<string, number> }>(
        `${stack().url('fake-upstreams')}/_upstreams/requests`,
      );
      const counts = r.json?.counts;
      if (r.status !== 200 || counts === undefined || typeof counts !== 'object') return describeResult(r);
      return Object.hasOwn(counts, upstream.request) ? Number(counts[upstream.request]) : 0;
    };
    const before = await upstreamCount();
    const r = await probe(`${stack().url(path.service)}${path.path}`, {
      method: path.method,
      ...(path.body !== undefined ? { body: path.body as object } : {}),
      timeoutMs: path.timeoutMs,
    });
    const after = await upstreamCount();
    const what = `${path.method} ${path.path}`;
    const firedNote =
      path.events > 0 && custody
        ? ` (${describeCustody(custody, roles().ingestion.service)}; fired e.g. ${[...new Set(fired.map((f) => f.entityId))].slice(0, 3).join(', ')})`
        : '';
    checkAll(
      [
        {
          ok: r.status === path.expect.status,
          e: { service: path.service, what, expected: path.expect.status, measured: describeResult(r) },
        },
        ...(upstream
          ? [
              {
                ok: typeof before === 'number' && typeof after === 'number' && after - before >= upstream.min,
                e: {
                  service: path.service,
                  what: `${upstream.request} seen by the fake upstreams during ${what}`,
                  expected: `>= ${upstream.min}`,
                  measured:
                    typeof before === 'number' && typeof after === 'number'
                      ? after - before
                      : `unknown (${before} / ${after})`,
                },
              },
            ]
          : []),
        ...path.expect.fields.map((f) => {
          const v = fieldAt(r.json, f.field);
          const ok =
            (f.equals === undefined || v === f.equals) &&
            (f.min === undefined || (typeof v === 'number' && v >= f.min)) &&
            (f.present === undefined || (v !== undefined && v !== null));
          const expected = [
            f.equals !== undefined ? `= ${JSON.stringify(f.equals)}` : '',
            f.min !== undefined ? `>= ${f.min}` : '',
            f.present ? 'present' : '',
          ]
            .filter(Boolean)
            .join(' and ');
          return {
            ok,
            e: {
              service: f.service ?? path.service,
              what: `${f.field} in the answer to ${what}`,
              expected,
              measured: `${v === undefined ? '(absent)' : JSON.stringify(v)}${firedNote}`,
            },
          };
        }),
      ],
      `AI path round trip (${path.service} ${what})`,
    );
  });

  it('answers health and readiness on every AI service at every sample of the run, in test mode (container environment; health field where the profile maps it)', async (ctx) => {
    const ai = roles().aiServices;
    withFailureContext(ctx, stack(), () => ai.map((a) => a.service));
    // An observation window, not a synchronisation: at least MIN_WATCH_MS of samples.
    await waitFor(
      async () => ({ done: sampler.elapsedMs() >= MIN_WATCH_MS, seen: `${sampler.elapsedMs()} ms sampled` }),
      {
        what: `${MIN_WATCH_MS} ms of AI health and readiness samples`,
        timeoutMs: MIN_WATCH_MS + 5_000,
        intervalMs: 250,
        maxIntervalMs: 250,
      },
    );
    const { startedAt, stoppedAt, series } = await sampler.stop();
    const byService = new Map(ai.map((a) => [a.service, a]));
    // The mode from Docker (every deployment has it), whatever the service's health says.
    const modeVariable = roles().ingestion.modeVariable;
    const modes = await Promise.all(ai.map((a) => containerMode(stack(), a.service, modeVariable)));
    checkAll(
      [
        ...ai.map((a, i) => modeCheck(a.service, modes[i] ?? { variable: modeVariable })),
        ...series.map(({ target, samples }) => {
          const modePath = byService.get(target.service)?.health?.deploymentMode;
          const bad = samples.filter((x) => {
            const mode = modePath ? fieldAt(x.result.json, modePath) : undefined;
            return !(x.result.status === 200 && (modePath === undefined || mode === 'test'));
          });
          const first = bad[0];
          return {
            ok: samples.length > 0 && bad.length === 0,
            e: {
              service: target.service,
              what: `GET ${target.path}, sampled every second for ${Math.round((stoppedAt - startedAt) / 1000)} s`,
              expected: `${modePath ? `200 with ${modePath}=test` : '200'} at every sample`,
              measured:
                samples.length === 0
                  ? 'no sample'
                  : bad.length === 0
                    ? `${samples.length} of ${samples.length} samples 200`
                    : `${bad.length} of ${samples.length} samples failed, first at +${(first?.t ?? startedAt) - startedAt} ms: ${first ? describeResult(first.result) : ''}`,
            },
          };
        }),
      ],
      `AI health, readiness and mode throughout the run (${ai.length} services)`,
    );
  });
});
