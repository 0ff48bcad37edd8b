/**
 * A service's deployment mode as Docker sees it: the stack's mode variable (the profile's
 * `roles.ingestion.modeVariable`, DEPLOYMENT_MODE by default) in the container's environment.
 * Evidence every container deployment has, whatever the service exposes on its health endpoint
 * (a service's own mode field is optional, mapped in the profile). Rule (seed Epic 40, the
 * dual-deployment table): a service of the test profile never runs in production mode.
 */
import type { Expectation } from '../failure/check.ts';
import { inspect } from '../stack/docker.ts';
import type { StartedStack } from '../stack/types.ts';

export interface ContainerMode {
  variable: string;
  /** The variable's value; undefined when the container does not set it. */
  value?: string | undefined;
  /** Why there is no reading (no container on this target, inspect failed). */
  unreadable?: string | undefined;
}

/**
 * Reads `variable` from `service`'s container environment (docker inspect). Never throws: a
 * target without containers or a failed inspect comes back as `unreadable` with the reason.
 */
export async function containerMode(
  stack: StartedStack,
  service: string,
  variable: string,
): Promise<ContainerMode> {
  const id = stack.containerId(service);
  if (!id) return { variable, unreadable: `the ${stack.target} target has no container for ${service}` };
  try {
    const info = await inspect(id);
    const prefix = `${variable}=`;
    const kv = (info.Config.Env ?? []).find((e) => e.startsWith(prefix));
    return { variable, value: kv === undefined ? undefined : kv.slice(prefix.length) };
  } catch (err) {
    return { variable, unreadable: `docker inspect of ${service} failed: ${String(err)}` };
  }
}

/** True unless the container's environment says a mode other than `test` (absent or unreadable: no evidence). */
export const modeIsTest = (m: ContainerMode): boolean => m.value === undefined || m.value === 'test';

/** `DEPLOYMENT_MODE=production` / `DEPLOYMENT_MODE unset` / `DEPLOYMENT_MODE unreadable (…)`. */
export function describeMode(m: ContainerMode): string {
  if (m.unreadable) return `${m.variable} unreadable (${m.unreadable})`;
  return m.value === undefined ? `${m.variable} unset` : `${m.variable}=${m.value}`;
}

/** The check entry (harness/failure/check.ts checkAll) for one service's mode from its container. */
export function modeCheck(service: string, m: ContainerMode): { ok: boolean; e: Expectation } {
  return {
    ok: modeIsTest(m),
    e: {
      service,
      what: `its container's environment (docker inspect, ${m.variable})`,
      expected: `${m.variable} unset or "test"`,
      measured: describeMode(m),
    },
  };
}
