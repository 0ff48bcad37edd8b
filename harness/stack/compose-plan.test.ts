import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.ts';
import { planCompose } from './compose-target.ts';

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
  it("takes the profile's compose files, chooses run-scoped tokens unless set, and merges a planted fault", async () => {
    const root = repoWithFault();
    const env = { HOMEIQ_FAULT: 'both', MOCK_HA_CONTROL_TOKEN: 'mine' };
    const cfg = loadConfig(env, root);
    const plan = await planCompose(cfg, env, 'p1');
    expect(plan.project).toBe('p1');
    expect(plan.files).toEqual([
      ...cfg.profile.compose.files,
      join(root, 'fixtures/faults/both.compose.yml'),
    ]);
    expect(plan.files[0]).toMatch(/\/docker-compose\.test\.yml$/);
    expect(plan.environment.MOCK_HA_CONTROL_TOKEN).toBe('mine');
    expect(plan.environment.INFLUXDB_ADMIN_TOKEN).toMatch(/^homeiq-harness-admin-[0-9a-f]{32}$/);
    expect(plan.environment.HA_TOKEN).toMatch(/^homeiq-harness-ha\.[0-9a-f]{32}$/);
    expect(plan.environment.INFLUXDB_MEM_LIMIT).toBe('0');
    expect(plan.faultEnvironment).toEqual({ INFLUXDB_MEM_LIMIT: '0', INFLUXDB_TEST_TOKEN: 'planted' });
  });

  it("uses INFLUX_TOKEN as the operator token and COMPOSE_FILE over the profile's files", async () => {
    const env = {
      INFLUX_TOKEN: 'my-operator-token',
      COMPOSE_FILE: 'a.yml:/abs/b.yml',
      COMPOSE_PROFILES: 'x,y',
    };
    const plan = await planCompose(loadConfig(env, '/repo'), env, 'p2');
    expect(plan.environment.INFLUXDB_ADMIN_TOKEN).toBe('my-operator-token');
    expect(plan.files).toEqual(['/repo/a.yml', '/abs/b.yml']);
    expect(plan.profiles).toEqual(['x', 'y']);
  });

  it('applies several faults in one boot (HOMEIQ_FAULT=a,b): every override, every env value, in order', async () => {
    const root = repoWithFault();
    writeFileSync(join(root, 'fixtures', 'faults', 'other.env'), 'SOME_OTHER=1\n');
    writeFileSync(join(root, 'fixtures', 'faults', 'third.compose.yml'), 'services: {}\n');
    const env = { HOMEIQ_FAULT: 'both,other,third' };
    const cfg = loadConfig(env, root);
    expect(cfg.faults).toEqual(['both', 'other', 'third']);
    const plan = await planCompose(cfg, env, 'p3');
    expect(plan.files.slice(-2)).toEqual([
      join(root, 'fixtures/faults/both.compose.yml'),
      join(root, 'fixtures/faults/third.compose.yml'),
    ]);
    expect(plan.faultEnvironment).toEqual({
      INFLUXDB_MEM_LIMIT: '0',
      INFLUXDB_TEST_TOKEN: 'planted',
      SOME_OTHER: '1',
    });
  });

  it('refuses two faults of one boot that set a variable to different values, naming both', async () => {
    const root = repoWithFault();
    writeFileSync(join(root, 'fixtures', 'faults', 'clash.env'), 'INFLUXDB_MEM_LIMIT=5G\n');
    const env = { HOMEIQ_FAULT: 'both,clash' };
    await expect(planCompose(loadConfig(env, root), env)).rejects.toThrow(
      'HOMEIQ_FAULT="both,clash": both and clash set INFLUXDB_MEM_LIMIT to different values ("0", "5G"): expected faults that share a boot to set different variables',
    );
  });

  it('refuses a fault named twice', () => {
    expect(() => loadConfig({ HOMEIQ_FAULT: 'both,both' }, repoWithFault())).toThrow(
      'HOMEIQ_FAULT="both,both" is invalid: expected each fault name once',
    );
  });

  it('refuses an unknown fault with the paths it looked for', async () => {
    const env = { HOMEIQ_FAULT: 'nope' };
    await expect(planCompose(loadConfig(env, '/repo'), env)).rejects.toThrow(
      /^HOMEIQ_FAULT="nope": none of .*\/fixtures\/reference-stack\/faults\/nope\.env, .*\/fixtures\/reference-stack\/faults\/nope\.compose\.yml, \/repo\/fixtures\/faults\/nope\.env, \/repo\/fixtures\/faults\/nope\.compose\.yml exists$/,
    );
  });
});
