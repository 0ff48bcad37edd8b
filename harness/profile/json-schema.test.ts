import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonSchemaPath, profileJsonSchema } from './json-schema.ts';

describe('stack profile JSON Schema', () => {
  it('is the one generated from the zod schema (run `npm run profile:schema` when this fails)', () => {
    expect(JSON.parse(readFileSync(jsonSchemaPath, 'utf8'))).toEqual(JSON.parse(profileJsonSchema()));
  });
});
