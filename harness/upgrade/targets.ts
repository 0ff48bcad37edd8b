/**
 * What the pre-upgrade check acts on, named by the active stack profile (HOMEIQ_PROFILE; default
 * the reference stack's), never by the reference stack's names: the InfluxDB service it stops and
 * swaps, the test and production org/bucket (the reference set goes to production on a scratch
 * instance, the scenario's events to test), and where the metadata store keeps its test SQLite.
 */
import { activeProfile, type StackProfile } from '../profile/index.ts';

export interface UpgradeTargets {
  /** The InfluxDB service (roles.influxdb.service). */
  influxdb: string;
  test: { org: string; bucket: string };
  production: { org: string; bucket: string };
  /**
   * The test SQLite of the metadata store (roles.metadataStore: service, dataDir, testPath);
   * undefined when the profile maps no metadata store.
   */
  sqlite?: { service: string; dataDir: string; file: string };
}

/** The upgrade check's targets from `profile` (default: the active one, overrides applied). */
export function upgradeTargets(profile: StackProfile = activeProfile()): UpgradeTargets {
  const r = profile.roles;
  const m = r.metadataStore;
  return {
    influxdb: r.influxdb.service,
    test: { ...r.influxdb.test },
    production: { ...r.influxdb.production },
    ...(m ? { sqlite: { service: m.service, dataDir: m.dataDir, file: m.testPath } } : {}),
  };
}
