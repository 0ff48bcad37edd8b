/**
 * The `attach` target: a deployment that is already running (nightly smoke against a real test
 * deployment), described by URLs and tokens. It has no controls: checks that need one fail with
 * a StackError naming the missing capability, never pass silently.
 */
import { contractPorts } from '../config/defaults.ts';
import type { HarnessConfig } from '../config/load.ts';
import {
  type Capability,
  requireCapability,
  StackError,
  type StartedStack,
  type VariantResult,
} from './types.ts';

export function startAttachStack(cfg: HarnessConfig): StartedStack {
  const urls = new Map<string, string>();
  for (const [svc, port] of Object.entries(contractPorts)) urls.set(svc, `http://${cfg.attach.host}:${port}`);
  for (const [svc, url] of Object.entries(cfg.attach.urls)) urls.set(svc, url);
  const capabilities: ReadonlySet<Capability> = new Set<Capability>();
  const stack: StartedStack = {
    target: 'attach',
    capabilities,
    tokens: { ...cfg.tokens },
    services: () => [...urls.keys()].sort(),
    url(service) {
      const u = urls.get(service);
      if (!u)
        throw new StackError(
          'STACK_UNKNOWN_SERVICE',
          `attach target knows no service "${service}" (set HOMEIQ_URL_${service.toUpperCase().replaceAll('-', '_')})`,
        );
      return u;
    },
    containerId: () => undefined,
    readFiles: async () => {
      requireCapability(stack, 'files', "reading a service's files");
      throw new Error('unreachable');
    },
    logs: async (service) => `(attach target: no access to the logs of ${service})`,
    signal: async () => requireCapability(stack, 'signal', 'sending a signal'),
    stopService: async () => requireCapability(stack, 'stop', 'stopping a service'),
    restartWithEnv: async () =>
      requireCapability(stack, 'restart-with-env', 'restarting in another DEPLOYMENT_MODE'),
    runVariant: async (): Promise<VariantResult> => {
      requireCapability(stack, 'run-variant', 'running a service in another DEPLOYMENT_MODE');
      throw new Error('unreachable');
    },
    down: async () => {},
    [Symbol.asyncDispose]: async () => {},
  };
  return stack;
}
