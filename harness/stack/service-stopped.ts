import { containerStop } from '../docker/container-exit.ts';
import { docker } from './docker.ts';
import type { StartedStack } from './types.ts';

/**
 * For waitFor's `abandonWhen`: resolves when the service's container stops (a crash, an OOM
 * kill), so a wait on that service gives up at once and says so. Never resolves on targets
 * without containers (attach without a project, local), where there is nothing to watch.
 */
export function serviceStopped(
  stack: StartedStack,
  service: string,
): ((signal: AbortSignal) => Promise<string>) | undefined {
  const id = stack.containerId(service);
  if (!id) return undefined;
  return containerStop(docker().getContainer(id), service);
}
