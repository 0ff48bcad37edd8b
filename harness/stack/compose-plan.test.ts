import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.ts';
import { hostPortVariable, planCompose } from './compose-target.ts';

function repoWithFault(): string {
  const root = mkdtempSync(join(tmpdir(), 'plan-'));
  mkdirSync(join(root, 'fixtures', 'faults'), { recursive: true });
  writeFileSync(
    join(root, 'fixtures', 'faults', 'both.env'),
    'INFLUXDB_MEM_LIMIT=0\nINFLUXDB_TEST_TOKEN=planted\n',
  );
  writeFileSync(join(root, 'fixtures', 'faults', 'both.compose.yml'), 'services: {}\n');
  return root;
}

describe('compose plan', () => {
  it('names host-port variables like docker-compose.test.yml', () => {
    expect(hostPortVariable('home-assistant-test')).toBe('HOME_ASSISTANT_TEST_HOST_PORT');
    expect(hostPortVariable('influxdb')).toBe('INFLUXDB_HOST_PORT');
  });

  it('picks free host ports unless set, chooses tokens unless set, and merges a planted fault', async () => {
    const root = repoWithFault();
    const env = { HOMEIQ_FAULT: 'both', INFLUXDB_HOST_PORT: '18086', MOCK_HA_CONTROL_TOKEN: 'mine' };
    const plan = await planCompose(loadConfig(env, root), env, 'p1');
    expect(plan.project).toBe('p1');
    expect(plan.files).toEqual([
      join(root, 'docker-compose.test.yml'),
      join(root, 'fixtures/faults/both.compose.yml'),
    ]);
    expect(plan.environment.INFLUXDB_HOST_PORT).toBeUndefined();
    expect(Number(plan.environment.WEBSOCKET_INGESTION_TEST_HOST_PORT)).toBeGreaterThan(1024);
    expect(plan.environment.MOCK_HA_CONTROL_TOKEN).toBeUndefined();
    expect(plan.environment.INFLUXDB_ADMIN_TOKEN).toMatch(/^homeiq-harness-admin-[0-9a-f]{24}$/);
    expect(plan.environment.INFLUXDB_MEM_LIMIT).toBe('0');
    expect(plan.faultEnvironment).toEqual({ INFLUXDB_MEM_LIMIT: '0', INFLUXDB_TEST_TOKEN: 'planted' });
  });

  it('keeps the contract ports when asked', async () => {
    const env = { HOMEIQ_HOST_PORTS: 'contract' };
    const plan = await planCompose(loadConfig(env, '/repo'), env, 'p2');
    expect(plan.environment.DATA_API_HOST_PORT).toBeUndefined();
  });

  it('refuses an unknown fault with the paths it looked for', async () => {
    const env = { HOMEIQ_FAULT: 'nope' };
    await expect(planCompose(loadConfig(env, '/repo'), env)).rejects.toThrow(
      'HOMEIQ_FAULT="nope": neither /repo/fixtures/faults/nope.env nor /repo/fixtures/faults/nope.compose.yml exists',
    );
  });
});
