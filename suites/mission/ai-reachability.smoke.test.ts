/**
 * AI reachability (seed 000: AI services enabled in both modes; seed 003): every AI service
 * answers health, readiness and liveness with deployment_mode=test, and a request through the
 * AI path (ai-automation -> ai-core -> test bucket + openai-service -> LLM) round-trips.
 */
import { describe, it } from 'vitest';
import { aiServices, deployment } from '../../harness/config/defaults.ts';
import { checkAll } from '../../harness/failure/check.ts';
import { withFailureContext } from '../../harness/failure/context.ts';
import { describeResult, health, probe } from '../../harness/probes/http.ts';
import { useStack } from '../../harness/stack/use-stack.ts';
import {
  describeCounters,
  INGESTION,
  ingestionDrained,
  ingestionReady,
  mockHa,
} from '../../harness/verify/ingestion.ts';

const paths = ['/health', '/health/ready', '/health/live'] as const;

describe('AI services reachable in test mode', () => {
  const stack = useStack();

  it('answers health, readiness and liveness on every AI service with deployment_mode=test', async (ctx) => {
    withFailureContext(ctx, stack(), () => [...aiServices]);
    const results = await Promise.all(
      aiServices.flatMap((s) => paths.map(async (p) => ({ s, p, r: await health(stack().url(s), p) }))),
    );
    checkAll(
      results.map(({ s, p, r }) => {
        const mode = (r.json as { deployment_mode?: unknown } | undefined)?.deployment_mode;
        return {
          ok: r.status === 200 && mode === 'test',
          e: {
            service: s,
            what: `GET ${p}`,
            expected: '200 with deployment_mode=test',
            measured: describeResult(r),
          },
        };
      }),
      'AI health endpoints',
    );
  });

  it('round-trips a request through the AI path: ai-automation -> ai-core -> test bucket + openai-service -> LLM', async (ctx) => {
    withFailureContext(ctx, stack(), ['ai-automation', 'ai-core', 'openai-service', 'fake-upstreams']);
    // Give the AI path something to read: a few state changes through the mock HA and the ingestion.
    await ingestionReady(stack());
    const ha = mockHa(stack());
    const before = await probe(`${stack().url(INGESTION)}/health`);
    const received0 = Number((before.json as { received?: number } | undefined)?.received ?? 0);
    const fired = [];
    for (let i = 0; i < 20; i++) fired.push(await ha.fire());
    const counters = await ingestionDrained(stack(), received0 + fired.length);
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
          ok: used?.influxdb?.bucket === deployment.test.bucket && (used?.influxdb?.events_read ?? 0) > 0,
          e: {
            service: 'ai-core',
            what: 'events read from InfluxDB for the analysis',
            expected: `> 0 from ${deployment.test.bucket}`,
            measured: `${used?.influxdb?.events_read ?? 'none'} from ${used?.influxdb?.bucket ?? '(no bucket reported)'} (ingestion ${describeCounters(counters)})`,
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
