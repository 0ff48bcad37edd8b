/**
 * Records the golden transcripts: starts a real Home Assistant core on loopback with the minimal
 * configuration of fixtures/ha-transcripts/ha-config, creates its owner user and an access token
 * through the onboarding API, runs every exchange of the catalogue against it, and writes one
 * normalised transcript per exchange to fixtures/ha-transcripts/<name>.json.
 *
 *   node harness/mock-ha/conformance/record.ts --hass /path/to/venv/bin/hass [--only name,...]
 *
 * Not run in CI (installing HA core takes minutes); the replay test (replay.test.ts) is.
 * Exit codes: 0 recorded, 1 HA failed to start or an exchange failed, 2 bad flags.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCli } from '../../cli/args.ts';
import { CATALOGUE } from './catalogue.ts';
import { runExchange } from './exchange.ts';
import { normaliseOutputs } from './normalise.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
export const TRANSCRIPTS_DIR = join(ROOT, 'fixtures/ha-transcripts');

function fail(message: string, code = 2): never {
  process.stderr.write(`record: ${message}\n`);
  process.exit(code);
}

const freePort = () =>
  new Promise<number>((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });

async function waitForHa(url: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  const end = Date.now() + deadlineMs;
  let last = 'no answer yet';
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`hass exited with ${child.exitCode} before answering`);
    try {
      const r = await fetch(`${url}/api/onboarding`);
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`HA did not answer ${url}/api/onboarding within ${deadlineMs} ms (last: ${last})`);
}

/** Onboarding: the owner user, then an access token through the authorization-code grant. */
async function onboard(url: string): Promise<string> {
  const clientId = `${url}/`;
  const user = await fetch(`${url}/api/onboarding/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: clientId,
      name: 'Conformance',
      username: 'conformance',
      password: 'conformance-password',
      language: 'en',
    }),
  });
  if (!user.ok) throw new Error(`onboarding user: HTTP ${user.status} ${await user.text()}`);
  const { auth_code } = (await user.json()) as { auth_code: string };
  const token = await fetch(`${url}/auth/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'authorization_code', code: auth_code, client_id: clientId }),
  });
  if (!token.ok) throw new Error(`auth/token: HTTP ${token.status} ${await token.text()}`);
  return ((await token.json()) as { access_token: string }).access_token;
}

async function main() {
  const { values } = parseCli(
    'conformance-record',
    'usage: node harness/mock-ha/conformance/record.ts --hass <venv>/bin/hass [--only a,b]',
    { hass: { type: 'string' }, only: { type: 'string' } },
  );
  if (!values.hass || !existsSync(values.hass))
    fail(`--hass must name the hass executable of a venv, got ${values.hass ?? 'nothing'}`);
  const only = values.only ? new Set(values.only.split(',')) : null;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'ha-conformance-'));
  copyFileSync(join(TRANSCRIPTS_DIR, 'ha-config/configuration.yaml'), join(dir, 'configuration.yaml'));
  writeFileSync(
    join(dir, 'configuration.yaml'),
    `${readFileSync(join(dir, 'configuration.yaml'), 'utf8')}\nhttp:\n  server_host: 127.0.0.1\n  server_port: ${port}\n`,
  );
  const log = join(dir, 'hass.log');
  process.stdout.write(`starting HA core (${values.hass}) on ${url}, config ${dir}\n`);
  const child = spawn(values.hass, ['-c', dir, '--skip-pip', '--log-file', log], { stdio: 'ignore' });
  let keep = false;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    if (!keep) rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    await waitForHa(url, child, 180_000);
    const token = await onboard(url);
    const version = (
      (await (
        await fetch(`${url}/api/config`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as {
        version: string;
      }
    ).version;
    let n = 0;
    for (const exchange of CATALOGUE) {
      if (only && !only.has(exchange.name)) continue;
      const outputs = await runExchange({ url, token }, exchange, { quietMs: 400 });
      const transcript = {
        name: exchange.name,
        about: exchange.about,
        ha_version: version,
        steps: exchange.steps,
        outputs: normaliseOutputs(
          outputs,
          exchange.steps.map((s) => ('http' in s || 'ws' in s ? s : {})),
        ),
      };
      writeFileSync(
        join(TRANSCRIPTS_DIR, `${exchange.name}.json`),
        `${JSON.stringify(transcript, null, 2)}\n`,
      );
      n++;
      process.stdout.write(`recorded ${exchange.name} (${exchange.steps.length} steps)\n`);
    }
    // The project's formatter owns JSON layout: format what was written so lint stays green.
    spawnSync(join(ROOT, 'node_modules/.bin/biome'), ['format', '--write', TRANSCRIPTS_DIR], {
      stdio: 'ignore',
    });
    process.stdout.write(`${n} transcripts from Home Assistant ${version} in ${TRANSCRIPTS_DIR}\n`);
  } catch (err) {
    keep = true;
    process.stderr.write(`record: ${(err as Error).message} (HA log: ${log})\n`);
    process.exitCode = 1;
  } finally {
    await stop();
  }
}

if (import.meta.main) await main();
