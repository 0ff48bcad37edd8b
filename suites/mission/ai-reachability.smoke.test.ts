/**
 * AI reachability (seed 000: AI services enabled in both modes; seed 003): every AI service of the
 * stack profile answers its health and readiness paths with 200 (and, where the profile maps its
 * deployment mode, says test), and a request through the AI path (ai-automation -> ai-core ->
 * test bucket + openai-service -> LLM) round-trips.
 */
import { describe, it } from 'vitest';
import { checkAll } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import { describeResult, health, probe } from '../../harness/probes/http.ts';
import { useStack } from '../../harness/stack/use-stack.ts';
import { describeCustody } from '../../harness/verify/custody.ts';
import { fieldAt, fireAndAwaitStored, roles } from '../../harness/verify/evidence.ts';

describe('AI services reachable in test mode', () => {
  const stack = useStack();

  it('answers health and readiness on every AI service (deployment mode test where the profile maps it)', async (ctx) => {
    const ai = roles().aiServices;
    withFailureContext(ctx, stack(), () => ai.map((a) => a.service));
    const results = await Promise.all(
      ai.flatMap((a) =>
        [...a.healthPaths, ...(a.readinessPath ? [a.readinessPath] : [])].map(async (p) => ({
          a,
          p,
          r: await health(stack().url(a.service), p),
        })),
      ),
    );
    checkAll(
      results.map(({ a, p, r }) => {
        const modePath = a.health?.deploymentMode;
        const mode = modePath ? fieldAt(r.json, modePath) : undefined;
        return {
          ok: r.status === 200 && (modePath === undefined || mode === 'test'),
          e: {
            service: a.service,
            what: `GET ${p}`,
            expected: modePath ? `200 with ${modePath}=test` : '200',
            measured: describeResult(r),
          },
        };
      }),
      `AI health endpoints (${ai.length} services)`,
    );
  });

  it('round-trips a request through the AI path: ai-automation -> ai-core -> test bucket + openai-service -> LLM', async (ctx) => {
    withFailureContext(ctx, stack(), ['ai-automation', 'ai-core', 'openai-service', 'fake-upstreams']);
    // Give the AI path something to read: a few state changes through the mock HA and the ingestion.
    const { fired, custody } = await fireAndAwaitStored(stack(), 20);
    const testBucket = roles().influxdb.test.bucket;
    const llmBefore = await probe<{ counts: Record<string, number> }>(
      `${stack().url('fake-upstreams')}/_upstreams/requests`,
    );
    const r = await probe<{
      suggestion?: { trigger?: { entity_id?: string } | null };
      used?: { influxdb?: { bucket?: string; org?: string; events_read?: number }; llm_upstream?: string };
    }>(`${stack().url('ai-automation')}/api/suggest`, {
      method: 'POST',
      body: { goal: 'Suggest one automation.', window_minutes: 60 },
      timeoutMs: 60_000,
    });
    const llmAfter = await probe<{ counts: Record<string, number> }>(
      `${stack().url('fake-upstreams')}/_upstreams/requests`,
    );
    const chat = (c?: Record<string, number>) => c?.['POST /v1/chat/completions'] ?? 0;
    const llmCalls = chat(llmAfter.json?.counts) - chat(llmBefore.json?.counts);
    const used = r.json?.used;
    const trigger = r.json?.suggestion?.trigger?.entity_id;
    const firedEntities = new Set(fired.map((f) => f.entityId));
    checkAll(
      [
        {
          ok: r.status === 200,
          e: {
            service: 'ai-automation',
            what: 'POST /api/suggest',
            expected: 200,
            measured: describeResult(r),
          },
        },
        {
          ok: used?.influxdb?.bucket === testBucket && (used?.influxdb?.events_read ?? 0) > 0,
          e: {
            service: 'ai-core',
            what: 'events read from InfluxDB for the analysis',
            expected: `> 0 from ${testBucket}`,
            measured: `${used?.influxdb?.events_read ?? 'none'} from ${used?.influxdb?.bucket ?? '(no bucket reported)'} (${describeCustody(custody, roles().ingestion.service)})`,
          },
        },
        {
          ok: llmCalls >= 1,
          e: {
            service: 'openai-service',
            what: 'chat completions served by the fake LLM upstream',
            expected: '>= 1',
            measured: llmCalls,
          },
        },
        {
          ok: trigger !== undefined && trigger !== null,
          e: {
            service: 'ai-automation',
            what: 'suggested trigger entity',
            expected: `an entity of this home (fired: ${[...firedEntities].slice(0, 5).join(', ')}, ...)`,
            measured: String(trigger),
          },
        },
      ],
      'AI path round trip',
    );
  });
});
