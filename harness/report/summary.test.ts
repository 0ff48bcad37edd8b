/** reports/summary.json against its versioned JSON Schema (harness/report/summary.schema.json). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sampleRun } from '../../fixtures/report/sample-run.ts';
import { buildSummary, SUMMARY_SCHEMA_ID, SUMMARY_SCHEMA_VERSION } from './summary.ts';
import { SUMMARY_SCHEMA_PATH, validateSummary } from './validate.ts';

/** A parsed copy to plant faults in (any shape: that is the point). */
// biome-ignore lint/suspicious/noExplicitAny: planted faults write anywhere in the document
type Json = Record<string, any>;

describe('summary.json', () => {
  const summary = buildSummary(sampleRun());

  it('is valid under its schema, whose $id and version match the writer', () => {
    expect(validateSummary(JSON.parse(JSON.stringify(summary)))).toEqual([]);
    const schema = JSON.parse(readFileSync(SUMMARY_SCHEMA_PATH, 'utf8'));
    expect(schema.$id).toBe(SUMMARY_SCHEMA_ID);
    expect(schema.properties.schemaVersion.const).toBe(SUMMARY_SCHEMA_VERSION);
  });

  it('carries the verdict, one entry per promise with its figures, the target, the seed and the budget', () => {
    expect(summary.deployment.verdict).toBe('pass');
    expect(summary.deployment.promises.map((p) => p.id)).toEqual([
      'bucket-separation',
      'external-apis-disabled',
      'ai-reachability',
      'memory-ceilings',
      'throughput',
      'production-safeguards',
      'graceful-shutdown',
      'upgrade',
    ]);
    const thr = summary.deployment.promises.find((p) => p.id === 'throughput');
    expect(thr?.figures).toContainEqual(
      expect.objectContaining({ kind: 'events', fired: 11_000, stored: 11_000, missing: 0, duplicated: 0 }),
    );
    expect(thr?.figures).toContainEqual(
      expect.objectContaining({ kind: 'latency', limit: { percentile: 'p99', maxMs: 5000 } }),
    );
    expect(summary.deployment.promises.find((p) => p.id === 'upgrade')?.status).toBe('not run');
    expect(summary.target).toMatchObject({ kind: 'compose', influxdbVersion: '2.8.0', seed: 40 });
    expect(summary.memoryBudget).toMatchObject({ budgetBytes: 6 * 1024 ** 3 });
    expect(summary.selfTests.counts.passed).toBe(6);
  });

  it('rejects planted faults: a missing verdict, an unknown promise, a negative count, a stray field', () => {
    const bad = (mutate: (s: Json) => void): string[] => {
      const copy = JSON.parse(JSON.stringify(summary)) as Json;
      mutate(copy);
      return validateSummary(copy);
    };
    expect(bad((s) => delete s.deployment.verdict).join()).toMatch(
      /\/deployment: must have required property 'verdict'/,
    );
    expect(bad((s) => (s.deployment.promises[0].id = 'bucket separation')).join()).toMatch(
      /\/deployment\/promises\/0\/id/,
    );
    expect(bad((s) => (s.counts.failed = -1)).join()).toMatch(/\/counts\/failed: must be >= 0/);
    expect(bad((s) => (s.extra = 1)).join()).toMatch(/must NOT have additional properties/);
    expect(bad((s) => (s.run.startedAt = 'yesterday')).join()).toMatch(
      /\/run\/startedAt: must match format "date-time"/,
    );
  });
});
