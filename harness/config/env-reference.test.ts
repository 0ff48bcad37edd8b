import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readmePath, renderEnvReference, withEnvReference } from './env-reference.ts';
import { envSchema } from './schema.ts';

describe('README environment reference', () => {
  it('is the one generated from the schema (run `npm run docs:env` when this fails)', () => {
    const readme = readFileSync(readmePath, 'utf8');
    expect(readme).toBe(withEnvReference(readme));
  });

  it('describes every variable of the schema', () => {
    const block = renderEnvReference();
    for (const [name, schema] of Object.entries(envSchema.shape)) {
      expect(block).toContain(`| \`${name}\` |`);
      expect(schema.description, `${name} has no description`).toBeTruthy();
    }
    expect(block).toContain('| `HOMEIQ_TARGET` | `compose` |');
  });
});
