import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../util/wait.ts';

const CLI = new URL('./cli.ts', import.meta.url).pathname;
const TOKEN = 'cli-test-token-0123456789abcdefghijkl';
const CONTROL = 'cli-control-token-0123456789abcdefghij';
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function start(env: Record<string, string>, args: string[] = ['--port', '0', '--host', '127.0.0.1']) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  return { child, stderr: () => stderr };
}

describe('mock-ha CLI', () => {
  it('refuses a missing or malformed token with one clear line and exit code 2', async () => {
    const envs: Record<string, string>[] = [
      {},
      { HA_TOKEN: 'short' },
      { HA_TOKEN: TOKEN, MOCK_HA_HOME_SIZE: 'huge' },
    ];
    for (const env of envs) {
      const { child, stderr } = start(env);
      const [code] = await once(child, 'exit');
      expect(code).toBe(2);
      const lines = stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^mock-ha: (set HA_TOKEN|HA_TOKEN must be 32-300|MOCK_HA_HOME_SIZE must be one of)/,
      );
    }
  });

  it('refuses an unknown flag or a bad flag value with one line naming it and what is allowed, exit 2', async () => {
    const allowed = 'allowed: --port <0-65535>, --host <IP address or host name>, --help';
    const cases: [string[], string][] = [
      [['--bogus'], `mock-ha: unknown flag --bogus; ${allowed}`],
      [['--port'], `mock-ha: Option '--port <value>' argument missing; ${allowed}`],
      [['--port', '70000'], 'mock-ha: --port must be an integer 0-65535, got "70000"'],
      [['--port', '1e3'], 'mock-ha: --port must be an integer 0-65535, got "1e3"'],
      [['--host', 'bad_host!'], 'mock-ha: --host must be an IP address or a host name, got "bad_host!"'],
      [['extra'], `mock-ha: unexpected argument extra; ${allowed}`],
    ];
    // In parallel: each case is a fresh node process.
    await Promise.all(
      cases.map(async ([args, line]) => {
        const { child, stderr } = start({ HA_TOKEN: TOKEN }, args);
        const [code] = await once(child, 'exit');
        expect([args, code, stderr()]).toEqual([args, 2, `${line}\n`]);
      }),
    );
    const bad = start({ HA_TOKEN: TOKEN, MOCK_HA_SEED: '1.5' });
    expect((await once(bad.child, 'exit'))[0]).toBe(2);
    expect(bad.stderr()).toBe('mock-ha: MOCK_HA_SEED must be an integer, got "1.5"\n');
    const tick = start({ HA_TOKEN: TOKEN, MOCK_HA_MIN_TICK_MS: '5000' });
    expect((await once(tick.child, 'exit'))[0]).toBe(2);
    expect(tick.stderr()).toBe(
      'mock-ha: MOCK_HA_MIN_TICK_MS must be an integer from 0 to 1000 (ms), got "5000"\n',
    );
  });

  it('prints usage for --help and exits 0', async () => {
    const child = spawn(process.execPath, [CLI, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout?.on('data', (d) => {
      out += String(d);
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(out).toMatch(
      /^usage: npm run mock-ha -- \[--port <0-65535>\] \[--host <IP address or host name>\] \[--help\]/,
    );
    expect(out).toContain('MOCK_HA_CONTROL_TOKEN');
  });

  it('serves health and the control API, and exits 0 on SIGTERM', async () => {
    const { child, stderr } = start({
      MOCK_HA_TOKEN: TOKEN,
      MOCK_HA_CONTROL_TOKEN: CONTROL,
      MOCK_HA_SEED: '8',
    });
    const port = await waitFor(
      async () => {
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(stderr());
        return { done: m !== null, value: Number(m?.[1]), seen: stderr() || 'no output' };
      },
      { what: 'the CLI to log its port', timeoutMs: 15_000 },
    );
    const health = await (await fetch(`http://127.0.0.1:${port}/_mock/health`)).json();
    expect(health).toMatchObject({ status: 'ok', home: { seed: 8, size: 'small' }, control_api: true });
    const home = await fetch(`http://127.0.0.1:${port}/_mock/home`, {
      headers: { authorization: `Bearer ${CONTROL}` },
    });
    expect(home.status).toBe(200);
    const api = await fetch(`http://127.0.0.1:${port}/api/`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(api.status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
