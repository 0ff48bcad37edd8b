/**
 * Prints the steps where the mock's answers differ from a golden transcript:
 *   node harness/mock-ha/conformance/diff.ts [name ...]
 * (The replay test asserts the same; this is for reading the differences side by side.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseCli } from '../../cli/args.ts';
import { startMockHa } from '../index.ts';
import { type Exchange, runExchange, type StepOutput } from './exchange.ts';
import { normaliseOutputs } from './normalise.ts';
import { TRANSCRIPTS_DIR } from './record.ts';

const { positionals: names } = parseCli(
  'conformance-diff',
  `usage: node harness/mock-ha/conformance/diff.ts [name ...]

Prints the steps where the mock's answers differ from the golden transcripts (all, or the named ones).`,
  {},
  { allowPositionals: true },
);
let differing = 0;
for (const f of readdirSync(TRANSCRIPTS_DIR)
  .filter((x) => x.endsWith('.json'))
  .sort()) {
  const t = JSON.parse(readFileSync(join(TRANSCRIPTS_DIR, f), 'utf8')) as Exchange & {
    outputs: StepOutput[];
  };
  if (names.length > 0 && !names.includes(t.name)) continue;
  const ha = await startMockHa({
    seed: 1,
    homeSize: 'small',
    logger: { debug() {}, info() {}, warn() {}, error() {} } as never,
  });
  try {
    const out = await runExchange({ url: ha.url, token: ha.token }, t, { quietMs: 25, expect: t.outputs });
    const got = normaliseOutputs(
      out,
      t.steps.map((s) => ('http' in s || 'ws' in s ? s : {})),
    );
    for (const [i, step] of t.steps.entries()) {
      if (isDeepStrictEqual(got[i], t.outputs[i])) continue;
      differing++;
      process.stdout.write(
        `== ${t.name} step ${i}: ${JSON.stringify(step).slice(0, 160)}\n   HA:   ${JSON.stringify(t.outputs[i])}\n   mock: ${JSON.stringify(got[i])}\n`,
      );
    }
  } finally {
    await ha.stop();
  }
}
process.stdout.write(`${differing} differing steps\n`);
