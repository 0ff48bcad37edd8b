/**
 * Replays every golden transcript recorded from a real Home Assistant core
 * (fixtures/ha-transcripts/*.json, see its README) against the mock and diffs the normalised
 * answers. A difference is either fixed in the mock or listed in KEPT_DIFFERENCES with its reason
 * (and in harness/mock-ha/README.md); a kept difference that disappears fails too, so the list
 * stays true.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMockHa } from '../index.ts';
import { CATALOGUE } from './catalogue.ts';
import { type Exchange, runExchange, type StepOutput } from './exchange.ts';
import { KEPT_DIFFERENCES } from './kept-differences.ts';
import { normaliseOutputs } from './normalise.ts';
import { TRANSCRIPTS_DIR } from './record.ts';

interface Transcript extends Exchange {
  ha_version: string;
  outputs: StepOutput[];
}

const files = readdirSync(TRANSCRIPTS_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const transcripts = files.map(
  (f) => JSON.parse(readFileSync(join(TRANSCRIPTS_DIR, f), 'utf8')) as Transcript,
);

describe('golden transcripts from Home Assistant core replayed against the mock', () => {
  it('has a transcript for every exchange of the catalogue, all from one HA version', () => {
    expect(transcripts.map((t) => t.name).sort()).toEqual(CATALOGUE.map((e) => e.name).sort());
    expect(new Set(transcripts.map((t) => t.ha_version)).size).toBe(1);
  });

  for (const t of transcripts) {
    it(`${t.name}: ${t.about}`, async () => {
      await using ha = await startMockHa({ seed: 1, homeSize: 'small' });
      const kept = KEPT_DIFFERENCES[t.name] ?? {};
      const expected = t.outputs.map((o, i) => kept[i]?.mock ?? o);
      const outputs = await runExchange({ url: ha.url, token: ha.token }, t, {
        quietMs: 25,
        expect: expected,
        deadlineMs: 3000,
      });
      const got = normaliseOutputs(
        outputs,
        t.steps.map((s) => ('http' in s || 'ws' in s ? s : {})),
      );
      // Step by step, so a failure names the step and what was sent.
      for (const [i, step] of t.steps.entries()) {
        expect({ step: i, sent: step, answer: got[i] }).toEqual({ step: i, sent: step, answer: expected[i] });
      }
    });
  }
});
