import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { productionEnvFor, profileFor, referenceProfilePath } from './index.ts';
import { checkAgainstCompose, loadProfile, ProfileError, parseProfile } from './load.ts';

const reference = JSON.parse(readFileSync(referenceProfilePath, 'utf8')) as Record<string, unknown>;

/** A directory with a compose file and an env file, and a profile written from `patch(reference)`. */
// biome-ignore lint/suspicious/noExplicitAny: tests patch arbitrary (also invalid) shapes
type Json = any;

function profileFile(patch: (p: Json) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'profile-'));
  writeFileSync(join(dir, 'compose.yml'), 'services: {}\n');
  writeFileSync(join(dir, 'env'), 'A=1\n');
  const p = structuredClone(reference) as Json;
  p.compose.files = ['compose.yml'];
  p.envFile = 'env';
  patch(p);
  const file = join(dir, 'stack.profile.json');
  writeFileSync(file, JSON.stringify(p));
  return file;
}

function lines(file: string): string[] {
  try {
    loadProfile(file);
  } catch (e) {
    if (e instanceof ProfileError) return e.lines;
    throw e;
  }
  throw new Error('expected a ProfileError');
}

describe('stack profile loader', () => {
  it('loads the reference profile with paths resolved against its directory', () => {
    const p = loadProfile(referenceProfilePath);
    expect(p.name).toBe('homeiq-reference');
    expect(p.source).toBe(referenceProfilePath);
    expect(p.compose.files[0]).toMatch(/\/docker-compose\.test\.yml$/);
    expect(p.roles.ingestion.token).toEqual({
      kind: 'file',
      path: '/run/homeiq/influxdb-tokens/test.token',
      variable: 'INFLUXDB_TOKEN_FILE',
    });
    expect(p.roles.collectors).toHaveLength(7);
    expect(p.roles.collectors[0]?.upstreamHosts).toEqual([]);
  });

  it('fills defaults: mode variable, InfluxDB port and measurement, mock HA, empty role lists', () => {
    const file = profileFile((p) => {
      delete p.roles.ingestion.modeVariable;
      delete p.roles.influxdb.port;
      delete p.roles.influxdb.measurement;
      delete p.roles.mockHa;
      delete p.roles.collectors;
      delete p.roles.aiServices;
      delete p.roles.aiPath;
      delete p.productionEnv;
      delete p.roles.metadataStore;
      delete p.roles.dataGenerator;
    });
    const p = loadProfile(file);
    expect(p.roles.ingestion.modeVariable).toBe('DEPLOYMENT_MODE');
    expect(p.roles.influxdb.port).toBe(8086);
    expect(p.roles.influxdb.measurement).toBe('home_assistant_events');
    expect(p.roles.mockHa).toEqual({ service: 'home-assistant-test', port: 8123 });
    expect(p.roles.collectors).toEqual([]);
    expect(p.roles.metadataStore).toBeUndefined();
    expect(p.roles.aiPath).toBeUndefined();
    expect(p.productionEnv).toEqual({});
  });

  it('rejects unknown {{placeholders}} in productionEnv, naming the variable', () => {
    const file = profileFile((p) => {
      p.productionEnv.INFLUXDB_ORG = '{{influxdb.orgg}}';
    });
    let lines: string[] = [];
    try {
      loadProfile(file);
    } catch (err) {
      lines = (err as ProfileError).lines;
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /\$\.productionEnv\.INFLUXDB_ORG: "\{\{influxdb\.orgg\}\}" is invalid: expected a string whose \{\{placeholders\}\}/,
    );
  });

  it('fills productionEnv placeholders per service and target', () => {
    const p = loadProfile(profileFile(() => {}));
    const env = productionEnvFor(p, 'weather-api', { token: 'tok' });
    expect(env).toMatchObject({
      DEPLOYMENT_MODE: 'production',
      INFLUXDB_BUCKET: p.roles.influxdb.production.bucket,
      INFLUXDB_TOKEN: 'tok',
      ENABLE_WEATHER_API: 'true',
      WEATHER_API_BASE_URL: 'http://fake-upstreams:8090',
    });
    p.productionEnv.INFLUXDB_URL = '{{influxdb.url}}';
    expect(productionEnvFor(p, 'weather-api').INFLUXDB_URL).toBe(
      `http://${p.roles.influxdb.service}:${p.roles.influxdb.port}`,
    );
    expect(productionEnvFor(p, 'ai-core', { target: 'test' }).INFLUXDB_BUCKET).toBe(
      p.roles.influxdb.test.bucket,
    );
  });

  it('rejects an AI path on a service that is not mapped', () => {
    const file = profileFile((p) => {
      p.roles.aiPath.service = 'not-an-ai-service';
    });
    expect(() => loadProfile(file)).toThrow(
      /\$\.roles\.aiPath\.service: "not-an-ai-service" is invalid: expected one of the profile's AI services/,
    );
  });

  it('gives one line per bad entry, each naming the file, the JSON path, the value and what is allowed', () => {
    const file = profileFile((p) => {
      p.roles.ingestion.port = 70000;
      p.roles.ingestion.token = { kind: 'vault', variable: 'X' };
      p.roles.aiServices[1].healthPaths = ['health'];
      p.roles.influxdb.test.bucket = '_monitoring';
      p.roles.collectors[0].service = 'weather api';
    });
    expect(lines(file)).toEqual([
      `${file}: $.roles.ingestion.port: 70000 is invalid: expected a number <= 65535`,
      `${file}: $.roles.ingestion.token.kind: "vault" is invalid: expected a token delivery: {"kind":"env","variable":NAME} or {"kind":"file","path":"/abs/path"}`,
      `${file}: $.roles.influxdb.test.bucket: "_monitoring" is invalid: expected an InfluxDB name (1-64 characters, no spaces, not starting with "_")`,
      `${file}: $.roles.collectors[0].service: "weather api" is invalid: expected a compose service name (letters, digits, "_", ".", "-")`,
      `${file}: $.roles.aiServices[1].healthPaths[0]: "health" is invalid: expected an HTTP path starting with "/"`,
    ]);
  });

  it('names a missing required entry and an unknown field with the allowed ones', () => {
    const file = profileFile((p) => {
      delete p.roles.ingestion.service;
      p.roles.ingestion.tokn = 'x';
    });
    expect(lines(file)).toEqual([
      `${file}: $.roles.ingestion.service: is missing: expected a string`,
      `${file}: $.roles.ingestion.tokn: unknown field; expected one of service, port, health, token, modeVariable`,
    ]);
  });

  it('refuses a test target equal to the production one (nothing would separate them)', () => {
    const file = profileFile((p) => {
      p.roles.influxdb.production = { ...p.roles.influxdb.test };
    });
    expect(lines(file)).toEqual([
      `${file}: $.roles.influxdb.production: {"org":"homeiq-test","bucket":"home_assistant_events_test"} is invalid: expected test and production must differ in org or bucket`,
    ]);
  });

  it('accepts one org with two buckets', () => {
    const file = profileFile((p) => {
      p.roles.influxdb.test = { org: 'home', bucket: 'events_test' };
      p.roles.influxdb.production = { org: 'home', bucket: 'events' };
    });
    expect(loadProfile(file).roles.influxdb.production).toEqual({ org: 'home', bucket: 'events' });
  });

  it('names missing compose and env files, a mock HA that is the ingestion, and a service mapped twice', () => {
    const file = profileFile((p) => {
      p.compose.files = ['compose.yml', 'nope.yml'];
      p.envFile = 'missing.env';
      p.roles.mockHa = { service: 'websocket-ingestion-test' };
      p.roles.aiServices[0].service = 'weather-api';
    });
    const dir = file.replace(/\/stack\.profile\.json$/, '');
    expect(lines(file)).toEqual([
      `${file}: $.compose.files[1]: "nope.yml" is invalid: expected an existing compose file (${dir}/nope.yml does not exist)`,
      `${file}: $.envFile: "missing.env" is invalid: expected an existing env file (${dir}/missing.env does not exist)`,
      `${file}: $.roles.mockHa.service: "websocket-ingestion-test" is invalid: expected a service other than the ingestion (the harness runs the mock HA under this name)`,
      `${file}: $.roles.aiServices[0].service: "weather-api" is invalid: expected each collector and AI service once (already at $.roles.collectors[0].service)`,
    ]);
  });

  it('says when the file is not JSON or cannot be read', () => {
    expect(() => parseProfile('{ "name": ', '/x/p.json')).toThrow(
      /^\/x\/p\.json: \$: is invalid: expected a JSON document/,
    );
    expect(() => loadProfile('/nonexistent/p.json')).toThrow(
      /^\/nonexistent\/p\.json: cannot be read .*: expected a stack profile file \(HOMEIQ_PROFILE\)$/,
    );
  });

  it('checks every mapped service against the compose config, one line per missing service', () => {
    const p = loadProfile(referenceProfilePath);
    const services = ['influxdb', 'websocket-ingestion-test', 'data-api', 'data-generator', 'ai-core'];
    const missing = checkAgainstCompose(p, services);
    expect(missing).toHaveLength(11);
    expect(missing[0]).toBe(
      `${referenceProfilePath}: $.roles.collectors[0].service: "weather-api" is invalid: expected a service of the compose config (${p.compose.files[0]}, profiles test; it has ai-core, data-api, data-generator, influxdb, websocket-ingestion-test)`,
    );
    expect(
      checkAgainstCompose(p, [
        ...services,
        ...p.roles.collectors.map((c) => c.service),
        ...p.roles.aiServices.map((a) => a.service),
      ]),
    ).toEqual([]);
  });

  it('selects the file HOMEIQ_PROFILE names, relative to the repository root', () => {
    const dir = mkdtempSync(join(tmpdir(), 'profile-sel-'));
    mkdirSync(dir, { recursive: true });
    const file = profileFile((p) => {
      p.name = 'mine';
    });
    expect(profileFor({ HOMEIQ_PROFILE: file }).name).toBe('mine');
    expect(profileFor({}).name).toBe('homeiq-reference');
    expect(profileFor({ HOMEIQ_PROFILE: 'fixtures/reference-stack/stack.profile.json' }).source).toBe(
      referenceProfilePath,
    );
  });
});

// Found by a newcomer: a hostile profile must give one line and exit 2, never a crash or a
// terminal escape (issue 9: every value from a user's files is untrusted).
describe('stack profile loader: hostile files', () => {
  it('refuses a key given twice in one object, naming its path and both lines (JSON.parse keeps the last silently)', () => {
    const text = JSON.stringify(reference, null, 2).replace(
      '"roles": {',
      '"roles": {\n    "ingestion": "first-mapping",',
    );
    const errs = (() => {
      try {
        parseProfile(text, '/x/dup.json');
      } catch (e) {
        if (e instanceof ProfileError) return e.lines;
        throw e;
      }
      return [];
    })();
    expect(errs).toEqual([
      expect.stringMatching(
        /^\/x\/dup\.json: \$\.roles: is invalid: key "ingestion" appears twice \(line \d+ col 5, line \d+ col 5\): expected each key once \(JSON keeps only the last\)$/,
      ),
    ]);
  });

  it("refuses a BOM and bytes that are not UTF-8, and never prints a key's controls, separators or bidi overrides raw", () => {
    const dir = mkdtempSync(join(tmpdir(), 'profile-bytes-'));
    const bom = join(dir, 'bom.json');
    writeFileSync(
      bom,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(reference))]),
    );
    expect(lines(bom)).toEqual([
      `${bom}: starts with a byte order mark (BOM): expected UTF-8 JSON without a BOM`,
    ]);
    const latin1 = join(dir, 'latin1.json');
    writeFileSync(
      latin1,
      Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]),
    );
    expect(lines(latin1)).toEqual([
      `${latin1}: is not UTF-8 (first invalid byte at offset 12): expected UTF-8 JSON`,
    ]);
    const hostile = profileFile((p) => {
      p.roles['\u001b[31mX\u2028Y\u202e'] = 1;
    });
    const got = lines(hostile);
    expect(got).toEqual([expect.stringContaining('$.roles["\\u001b[31mX\\u2028Y\\u202e"]: unknown field')]);
    for (const c of got.join('')) expect([0x1b, 0x2028, 0x202e]).not.toContain(c.charCodeAt(0));
  });

  it('quotes values safely and cuts long keys; a number that overflows is said to, not shown as null', () => {
    const hostile = profileFile((p) => {
      p.name = 'a\u001b[2J\u2028\u202eb';
      p.roles[`k${'x'.repeat(10_000)}`] = 1;
    });
    const got = lines(hostile);
    for (const c of got.join('')) expect([0x1b, 0x2028, 0x202e]).not.toContain(c.charCodeAt(0));
    for (const l of got) expect(l.length).toBeLessThan(400);
    expect(got).toEqual(
      expect.arrayContaining([expect.stringContaining('... (10003 chars)]: unknown field')]),
    );
    const text = JSON.stringify(reference).replace(/"port":\s*\d+/, '"port": 1e400');
    expect(() => parseProfile(text, '/x/inf.json')).toThrow(
      /a number too large for a double \(it overflows\) is invalid/,
    );
  });

  it('refuses a deeply nested document in one line (it overflowed the call stack: RangeError)', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(() => parseProfile(deep, '/x/deep.json')).toThrow(
      '/x/deep.json: $: is invalid: nested deeper than 32 levels (a stack profile needs about 6)',
    );
  });

  it('escapes control characters quoted from a broken document (no terminal escape, one line)', () => {
    let message = '';
    try {
      parseProfile('\u001b[2J\u001b[31mHACKED\n{', '/x/esc.json');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^\/x\/esc\.json: \$: is invalid: expected a JSON document/);
    expect(Array.from(message).filter((c) => c.charCodeAt(0) < 0x20)).toEqual([]);
    expect(message).toContain('\\u001b');
  });
});
