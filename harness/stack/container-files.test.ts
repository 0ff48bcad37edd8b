import { describe, expect, it } from 'vitest';
import { untar } from './container-files.ts';

function entry(name: string, body: string, type = '0'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
  h.write(type, 156);
  const data = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  data.write(body);
  return Buffer.concat([h, data]);
}

describe('untar', () => {
  it('reads regular files and skips directories', () => {
    const tar = Buffer.concat([
      entry('data/', '', '5'),
      entry('data/test/metadata.db', 'SQLite'),
      entry('data/prod.token', 'abc\n'),
      Buffer.alloc(1024),
    ]);
    expect(untar(tar).map((f) => [f.name, f.data.toString()])).toEqual([
      ['data/test/metadata.db', 'SQLite'],
      ['data/prod.token', 'abc\n'],
    ]);
  });
});
