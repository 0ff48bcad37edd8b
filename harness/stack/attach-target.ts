/**
 * The `attach` target: a deployment that is already running (nightly smoke against a real test
 * deployment), described by URLs and tokens. It has no controls: checks that need one fail with
 * a StackError naming the missing capability, never pass silently.
 */
import { contractPorts } from '../config/defaults.ts';
import type { HarnessConfig } from '../config/load.ts';
import { readContainerPath } from './container-files.ts';
import { projectContainers, tailLogs } from './docker.ts';
import {
  type Capability,
  refusedControls,
  requireCapability,
  StackError,
  type StartedStack,
} from './types.ts';

/**
 * With HOMEIQ_ATTACH_PROJECT, the deployment's containers are found on this Docker engine by their
 * compose labels: then logs, container ids (memory limits, egress) and files are available too.
 */
export async function startAttachStack(cfg: HarnessConfig): Promise<StartedStack> {
  const urls = new Map<string, string>();
  for (const [svc, port] of Object.entries(contractPorts)) urls.set(svc, `http://${cfg.attach.host}:${port}`);
  for (const [svc, url] of Object.entries(cfg.attach.urls)) urls.set(svc, url);
  const ids = new Map<string, string>();
  const project = cfg.attach.project;
  if (project) {
    for (const c of await projectContainers(project))
      if (c.state === 'running' && c.service) ids.set(c.service, c.id);
    if (ids.size === 0)
      throw new StackError(
        'STACK_BOOT_FAILED',
        `HOMEIQ_ATTACH_PROJECT=${project}: no running container of that compose project on this Docker engine`,
      );
  }
  const capabilities: ReadonlySet<Capability> = new Set<Capability>(
    project ? ['logs', 'containers', 'files'] : [],
  );
  const idOf = (service: string): string => {
    const id = ids.get(service);
    if (!id) throw new StackError('STACK_UNKNOWN_SERVICE', `compose project ${project} runs no ${service}`);
    return id;
  };
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
    containerId: (service) => ids.get(service),
    readFiles: async (service, path) => {
      requireCapability(stack, 'files', "reading a service's files");
      return readContainerPath(idOf(service), path);
    },
    logs: async (service, n = 50) =>
      project
        ? tailLogs(idOf(service), n)
        : `(attach target: no access to the logs of ${service}; set HOMEIQ_ATTACH_PROJECT)`,
    ...refusedControls(() => stack),
    down: async () => {},
    [Symbol.asyncDispose]: async () => {},
  };
  return stack;
}
