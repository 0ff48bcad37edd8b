/**
 * The safety interlock. Every harness path that writes synthetic data (InfluxDB points, SQLite
 * rows, mock-HA seeding, anything POSTed to a service) asks this guard first. It refuses the
 * production bucket and org of the active stack profile, a metadata.db outside a /test/ directory,
 * and any service whose /health says deployment_mode=production, whatever the configuration says.
 * Before synthetic events are fired at an ingestion, interlock.ts demands proof from the outside.
 */
import { basename, resolve, sep } from 'node:path';
import { activeProfile } from '../profile/index.ts';

export type SafetyCode =
  | 'SAFETY_PRODUCTION_BUCKET'
  | 'SAFETY_PRODUCTION_ORG'
  | 'SAFETY_PRODUCTION_SQLITE'
  | 'SAFETY_PRODUCTION_SERVICE'
  | 'SAFETY_UNVERIFIED_SERVICE';

export class SafetyError extends Error {
  override readonly name = 'SafetyError';
  readonly code: SafetyCode;
  constructor(code: SafetyCode, message: string) {
    super(message);
    this.code = code;
  }
}

export type WriteTarget =
  /** InfluxDB write. `points` 0 is a permission probe (an empty write) and is always allowed. */
  | { kind: 'influx'; org: string; bucket: string; points: number }
  | { kind: 'sqlite'; path: string }
  /** A service the harness sends synthetic data to; `health` is its parsed /health body. */
  | { kind: 'service'; name: string; health: unknown; mock?: boolean };

const same = (a: string, b: string) => a.trim().toLowerCase() === b.toLowerCase();

/** Throws SafetyError if a synthetic write into `target` could touch production. */
export function assertSafeWrite(target: WriteTarget): void {
  switch (target.kind) {
    case 'influx': {
      if (target.points === 0) return;
      // Names from the active stack profile (with its overrides); one-org layouts share the org.
      const { test, production } = activeProfile().roles.influxdb;
      if (same(target.bucket, production.bucket))
        throw new SafetyError(
          'SAFETY_PRODUCTION_BUCKET',
          `refused: ${target.points} synthetic point(s) into production bucket "${target.bucket}" (only "${test.bucket}" may receive harness writes)`,
        );
      if (production.org !== test.org && same(target.org, production.org))
        throw new SafetyError(
          'SAFETY_PRODUCTION_ORG',
          `refused: ${target.points} synthetic point(s) into production org "${target.org}" (bucket "${target.bucket}"; only org "${test.org}" may receive harness writes)`,
        );
      return;
    }
    case 'sqlite': {
      const abs = resolve(target.path);
      const inTestDir = abs.split(sep).slice(0, -1).includes('test');
      if (basename(abs).toLowerCase() === 'metadata.db' && !inTestDir)
        throw new SafetyError(
          'SAFETY_PRODUCTION_SQLITE',
          `refused: synthetic write into SQLite "${abs}" (metadata.db outside a /test/ directory is the production database; expected e.g. data/test/metadata.db)`,
        );
      return;
    }
    case 'service': {
      const mode = deploymentModeOf(target.health);
      if (mode === 'production')
        throw new SafetyError(
          'SAFETY_PRODUCTION_SERVICE',
          `refused: synthetic data to ${target.name}: its /health reports deployment_mode=production (expected test)`,
        );
      if (mode !== 'test' && !target.mock)
        throw new SafetyError(
          'SAFETY_UNVERIFIED_SERVICE',
          `refused: synthetic data to ${target.name}: its /health reports deployment_mode=${mode ?? '(missing)'} (expected test)`,
        );
      return;
    }
  }
}

export function deploymentModeOf(health: unknown): string | undefined {
  if (health && typeof health === 'object' && 'deployment_mode' in health) {
    const m = (health as { deployment_mode: unknown }).deployment_mode;
    return typeof m === 'string' ? m : undefined;
  }
  return undefined;
}
