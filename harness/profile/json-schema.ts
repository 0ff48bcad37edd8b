/**
 * The JSON Schema of a stack profile file, for editors (`"$schema"` in the file), generated from
 * the zod schema so the two cannot disagree. Regenerate: `npm run profile:schema`
 * (harness/profile/json-schema.test.ts fails when the committed file is stale).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseCli } from '../cli/args.ts';
import { profileFileSchema } from './schema.ts';

export const jsonSchemaPath = resolve(import.meta.dirname, 'stack-profile.schema.json');

export function profileJsonSchema(): string {
  const schema = z.toJSONSchema(profileFileSchema, { io: 'input', unrepresentable: 'any' });
  return `${JSON.stringify({ ...schema, title: 'homeiq-harness stack profile' }, null, 2)}\n`;
}

if (import.meta.main) {
  parseCli(
    'profile:schema',
    `usage: npm run profile:schema

Regenerates harness/profile/stack-profile.schema.json (the JSON Schema of a stack profile file)
from its zod schema. Takes no flags.`,
    {},
  );
  writeFileSync(jsonSchemaPath, profileJsonSchema());
  process.stdout.write(`wrote ${jsonSchemaPath}\n`);
}
