/**
 * The compose target keeps its promises: boots a profile and waits on healthchecks, gives
 * logs and controls, runs a service in another DEPLOYMENT_MODE, and leaves zero containers
 * behind after down() and after Ctrl-C (SIGINT) in the middle of a run.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, repoRoot } from '../../harness/config/load.ts';
import { startComposeStack } from '../../harness/stack/compose-target.ts';
import { projectContainers, tailLogs } from '../../harness/stack/docker.ts';
import type { StartedStack } from '../../harness/stack/types.ts';
import { childExit, waitFor } from '../../harness/util/wait.ts';

const mini = resolve(repoRoot, 'harness/stack/testdata/mini.profile.json');
const config = (project: string) =>
  loadConfig(
    { ...process.env, HOMEIQ_PROFILE: mini, HOMEIQ_PROJECT_NAME: project, HOMEIQ_FAULT: '' },
    repoRoot,
  );

describe('compose target lifecycle', () => {
  const project = `homeiq-lifecycle-${process.pid}`;
  let stack: StartedStack;
  beforeAll(async () => {
    stack = await startComposeStack(config(project));
  });
  afterAll(async () => {
    await stack?.down();
  });

  it('boots the profile and knows every service, its container and its log', async () => {
    expect(stack.services()).toEqual(['generator', 'sleeper']);
    expect(stack.containerId('sleeper')).toMatch(/^[0-9a-f]{64}$/);
    expect(stack.url('sleeper')).toMatch(/^http:\/\/\d+\.\d+\.\d+\.\d+:8080$/);
    expect(await stack.logs('sleeper')).toContain('sleeper up in mode test');
  });

  it('runs a copy of a service in production mode and reports its exit code and message', async () => {
    const v = await stack.runVariant('generator', { DEPLOYMENT_MODE: 'production' }, { timeoutMs: 30_000 });
    expect(v.exitCode).toBe(78);
    expect(v.output).toContain('refuses to start: DEPLOYMENT_MODE=production');
  });

  it('holds a gated copy until observers are attached, then runs it', async () => {
    let before = 'unset';
    const v = await stack.runVariant(
      'generator',
      { DEPLOYMENT_MODE: 'production' },
      {
        timeoutMs: 30_000,
        beforeStart: async (id) => {
          before = (await tailLogs(id)).trim();
        },
      },
    );
    expect(before).toBe('');
    expect(v.exitCode).toBe(78);
  });

  it('delivers signals to a service', async () => {
    await stack.signal('sleeper', 'SIGTERM');
    await waitFor(
      async () => ({
        done: (await stack.logs('sleeper')).includes('got TERM'),
        seen: await stack.logs('sleeper', 3),
      }),
      {
        what: 'sleeper to log the TERM it received',
        timeoutMs: 10_000,
      },
    );
  });

  it('replaces a service in place with other environment', async () => {
    await stack.restartWithEnv('sleeper', { DEPLOYMENT_MODE: 'production' });
    await waitFor(
      async () => ({
        done: (await stack.logs('sleeper')).includes('mode production'),
        seen: await stack.logs('sleeper', 3),
      }),
      {
        what: 'the replaced sleeper to start in production mode',
        timeoutMs: 10_000,
      },
    );
  });

  it('leaves zero containers after down()', async () => {
    await stack.down();
    expect(await projectContainers(project)).toEqual([]);
  });
});

describe('compose target on Ctrl-C', () => {
  it('tears the project down when the process gets SIGINT mid-run', async () => {
    const project = `homeiq-sigint-${process.pid}`;
    const script = `
      import { loadConfig, repoRoot } from ${JSON.stringify(resolve(repoRoot, 'harness/config/load.ts'))};
      import { startComposeStack } from ${JSON.stringify(resolve(repoRoot, 'harness/stack/compose-target.ts'))};
      const cfg = loadConfig({ ...process.env, HOMEIQ_PROFILE: ${JSON.stringify(mini)}, HOMEIQ_PROJECT_NAME: ${JSON.stringify(project)} }, repoRoot);
      setInterval(() => {}, 1000);
      await startComposeStack(cfg);
      process.stdout.write('UP\\n');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    try {
      await waitFor(async () => ({ done: out.includes('UP'), seen: out || '(no output)' }), {
        what: 'the child to boot its stack',
        timeoutMs: 120_000,
        abandonWhen: childExit(child),
      });
      expect((await projectContainers(project)).length).toBe(2);
    } finally {
      child.kill('SIGINT');
    }
    await waitFor(
      async () => {
        const left = await projectContainers(project);
        return {
          done: left.length === 0,
          seen: `${left.length} containers: ${left.map((c) => `${c.name} ${c.state}`).join(', ')}`,
        };
      },
      { what: `every container of ${project} to be removed after SIGINT`, timeoutMs: 60_000 },
    );
  });
});
