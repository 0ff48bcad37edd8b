import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnvFile as composeLintEnvFile } from '../compose-lint/load.ts';
import { EnvFileError, parseEnvFile, readEnvFile } from './env-file.ts';
import { readStackEnv } from './load.ts';

const parse = (text: string, env: Record<string, string | undefined> = {}) => ({
  ...parseEnvFile(text, env),
});

describe('parseEnvFile (Docker Compose rules)', () => {
  it('keeps a # that does not follow whitespace: the token Compose gives the containers (issue 11, input 7)', () => {
    expect(parse('INFLUXDB_ADMIN_TOKEN=adm1n#secret-token-value\n')).toEqual({
      INFLUXDB_ADMIN_TOKEN: 'adm1n#secret-token-value',
    });
  });

  it('starts a comment at " #" on unquoted values, trims trailing whitespace (blanks after = go first, as in Compose)', () => {
    expect(parse('A=value #comment\nB=x\t\nC=a# b #c\nD= #only\n')).toEqual({
      A: 'value',
      B: 'x',
      C: 'a# b',
      D: '#only',
    });
  });

  it('skips blank and comment lines, drops an export prefix, accepts YAML-style and spaced keys', () => {
    expect(parse('# c\n\n   # indented\nexport A=1\nexport\tB=2\n C = 3\nD: 4\nexported=5\n')).toEqual({
      A: '1',
      B: '2',
      C: '3',
      D: '4',
      exported: '5',
    });
  });

  it('reads single quotes literally, without interpolation, across lines', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: env-file syntax under test
    expect(parse("A='x # y ${HOME} $B \\n'\nB='it\\'s'\nC='l1\nl2'\n", { HOME: '/h' })).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: env-file syntax under test
      A: 'x # y ${HOME} $B \\n',
      B: "it's",
      C: 'l1\nl2',
    });
  });

  it('expands escapes and variables in double quotes, keeps a # inside them, ignores a comment after them', () => {
    expect(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: env-file syntax under test
      parse('A="a\\tb\\nc \\"q\\" \\\\ \\$X # not a comment" # comment\nB="$X-${X}"\n', { X: 'x' }),
    ).toEqual({
      A: 'a\tb\nc "q" \\ $X # not a comment',
      B: 'x-x',
    });
    expect(parse('A="\\0101\\z"\n')).toEqual({ A: 'A\\z' });
  });

  it('interpolates with defaults, alternatives and $$, from the environment first, then earlier keys', () => {
    const text =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: env-file syntax under test
      'A=1\nB=${A}/${UNSET:-d}/${EMPTY:-e}/${EMPTY-f}/${A:+alt}/$$A/${NESTED:-${A}x}\nC=$A$A\nD=${UNSET}\n';
    expect(parse(text, { EMPTY: '', A: 'env' })).toEqual({
      A: '1',
      B: 'env/d/e//alt/$A/envx',
      C: 'envenv',
      D: '',
    });
  });

  it('takes a key without a value from the environment, or leaves it out', () => {
    expect(parse('SET\nUNSET\nX=1\n', { SET: 'from-env' })).toEqual({ SET: 'from-env', X: '1' });
  });

  it('names the line of a syntax error', () => {
    expect(() => parseEnvFile('A=1\nB="open\n')).toThrow(
      new EnvFileError('line 2: unterminated quoted value "open'),
    );
    expect(() => parseEnvFile('A=1\n\nBAD KEY=1\n')).toThrow('line 3: key cannot contain a space');
    expect(() => parseEnvFile('A$=1\n')).toThrow('line 1: unexpected character "$" in variable name "A$=1"');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: env-file syntax under test
    expect(() => parseEnvFile('A=${NOPE:?must be set}\n')).toThrow(
      'line 1: required variable NOPE is missing a value: must be set',
    );
  });

  it('is not fooled by keys named like Object.prototype members', () => {
    const out = parseEnvFile('constructor=1\n__proto__=2\ntoString=3\n');
    expect(out.constructor).toBe('1');
    expect(Object.keys(out)).toEqual(['constructor', '__proto__', 'toString']);
    expect(out.toString).toBe('3');
  });

  it('reads files: the harness stack env and the reference stack agree on the # rule', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-file-'));
    const file = join(dir, 'stack.env');
    writeFileSync(
      file,
      'INFLUXDB_ADMIN_TOKEN=adm1n#secret-token-value\nexport INFLUXDB_ORG="homeiq-test" # org\n',
    );
    const expected = { INFLUXDB_ADMIN_TOKEN: 'adm1n#secret-token-value', INFLUXDB_ORG: 'homeiq-test' };
    expect({ ...readEnvFile(file, {}) }).toEqual(expected);
    expect({ ...readStackEnv(file) }).toEqual(expected);
    expect(readStackEnv(join(dir, 'missing.env'))).toEqual({});
    writeFileSync(file, 'A="x\n');
    expect(() => readStackEnv(file)).toThrow(`${file}: line 1: unterminated quoted value "x`);
  });

  it('lint:compose reads env files with the same rules', () => {
    const vars = composeLintEnvFile(
      'INFLUXDB_ADMIN_TOKEN=adm1n#secret-token-value\nX="a b" # c\n',
      new Map(),
    );
    expect(Object.fromEntries(vars)).toEqual({ INFLUXDB_ADMIN_TOKEN: 'adm1n#secret-token-value', X: 'a b' });
    expect(() => composeLintEnvFile('A="x\n', new Map())).toThrow(
      'env file: line 1: unterminated quoted value "x',
    );
  });
});
