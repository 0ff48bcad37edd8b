/**
 * One interface for every stack target (compose, attach, local). Suites only see a
 * StartedStack: URLs, tokens, container ids when known, log tails, and controls declared as
 * capabilities. A suite that needs a control the target lacks gets a StackError saying so.
 */

import type { TargetKind } from '../config/schema.ts';
import type { ArchivedFile } from './container-files.ts';

export type DeploymentMode = 'test' | 'production';

export type Capability =
  /** Fetch a service's last log lines. */
  | 'logs'
  /** Send a signal to a service's main process (SIGTERM, SIGKILL, ...). */
  | 'signal'
  /** Stop a service gracefully. */
  | 'stop'
  /** Replace a service by a copy running in another DEPLOYMENT_MODE (or with other env). */
  | 'restart-with-env'
  /** Run a one-off copy of a service with other env and collect its exit code and output. */
  | 'run-variant'
  /** Container ids, memory limits and network-level observation. */
  | 'containers'
  /** Read the files a service keeps under a path (e.g. data-api's SQLite databases). */
  | 'files';

export interface StackTokens {
  influxAdmin?: string | undefined;
  influxTest?: string | undefined;
  influxProd?: string | undefined;
  ha?: string | undefined;
  mockHaControl?: string | undefined;
}

export interface VariantResult {
  service: string;
  env: Record<string, string>;
  /** Exit code, or undefined when it was still running at the deadline (then it was killed). */
  exitCode: number | undefined;
  output: string;
  /** /health body when the variant kept running and answered. */
  health?: unknown;
  /** Milliseconds from the copy's process start (its gate released) to its exit, health or deadline. */
  elapsedMs?: number;
  /**
   * Set when the copy was still running, without a healthy answer, at its own deadline: what was
   * awaited and what was last seen (then it was killed, exitCode undefined).
   */
  deadline?: { timeoutMs: number; awaited: string; lastSeen: string };
}

export interface VariantOptions {
  /**
   * Deadline for the copy to exit or answer /health, counted from its own process start (each copy
   * has its own; time spent creating it or waiting for others does not count). Default 60 s.
   */
  timeoutMs?: number;
  /**
   * Called with the copy's container id before its process starts (the container and its network
   * namespace exist); the process starts when it resolves. E.g. attach an egress monitor.
   */
  beforeStart?: (containerId: string) => Promise<void>;
  /** Called once the copy answered /health (or exited), before it is removed. */
  whileRunning?: (containerId: string) => Promise<void>;
}

export interface StartedStack extends AsyncDisposable {
  readonly target: TargetKind;
  readonly capabilities: ReadonlySet<Capability>;
  readonly tokens: StackTokens;
  /** Names of the running services. */
  services(): string[];
  /** Base URL (no trailing slash) of a service as seen from the harness. */
  url(service: string): string;
  /** Container id, when the target knows containers. */
  containerId(service: string): string | undefined;
  /**
   * The files a service keeps under `path` (a path as the service sees it, e.g. `/app/data`),
   * names relative to it. Needs the `files` capability.
   */
  readFiles(service: string, path: string): Promise<ArchivedFile[]>;
  /** The last `lines` log lines of a service (stdout and stderr). */
  logs(service: string, lines?: number): Promise<string>;
  signal(service: string, signal: NodeJS.Signals): Promise<void>;
  stopService(service: string, timeoutSec?: number): Promise<void>;
  /**
   * Replace a service's container by a copy with other env (and, with `image`, another image on
   * the same volumes, network alias, ports and stop settings: an in-place upgrade).
   */
  restartWithEnv(service: string, env: Record<string, string>, opts?: { image?: string }): Promise<void>;
  runVariant(service: string, env: Record<string, string>, opts?: VariantOptions): Promise<VariantResult>;
  /** Tear everything down (volumes included). Idempotent. */
  down(): Promise<void>;
}

export type StackErrorCode =
  | 'STACK_UNKNOWN_SERVICE'
  | 'STACK_CAPABILITY_MISSING'
  | 'STACK_BOOT_FAILED'
  | 'STACK_NOT_RUNNING'
  | 'STACK_DOCKER_FAILED'
  /** A control that would change a shared boot (see harness/stack/use-stack.ts). */
  | 'STACK_SHARED';

export class StackError extends Error {
  override readonly name = 'StackError';
  readonly code: StackErrorCode;
  constructor(code: StackErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Throw a clear error when the target lacks a capability a check needs. */
export function requireCapability(stack: StartedStack, cap: Capability, neededBy: string): void {
  if (!stack.capabilities.has(cap))
    throw new StackError(
      'STACK_CAPABILITY_MISSING',
      `${neededBy} needs the "${cap}" capability, which the ${stack.target} target does not have (it has: ${[...stack.capabilities].join(', ') || 'none'}); run it with HOMEIQ_TARGET=compose`,
    );
}

/**
 * The controls of a target that has no handle on processes or containers (attach, local): each
 * one refuses with the missing capability named, never pretends.
 */
export function refusedControls(
  stack: () => StartedStack,
): Pick<StartedStack, 'signal' | 'stopService' | 'restartWithEnv' | 'runVariant'> {
  const refuse = (cap: Capability, neededBy: string): never => {
    requireCapability(stack(), cap, neededBy);
    throw new StackError('STACK_CAPABILITY_MISSING', `${neededBy} needs "${cap}"`);
  };
  return {
    signal: async () => refuse('signal', 'sending a signal to one service'),
    stopService: async () => refuse('stop', 'stopping one service'),
    restartWithEnv: async () => refuse('restart-with-env', 'restarting in another DEPLOYMENT_MODE'),
    runVariant: async () => refuse('run-variant', 'running a service in another DEPLOYMENT_MODE'),
  };
}
