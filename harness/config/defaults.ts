/**
 * Defaults taken from HomeIQ's dual-deployment contract (Epic 40) and its NUC resource ceilings. Change them here only, and only
 * when the contract changes: every check compares the system against these numbers.
 */

/** Seed 000 (Epic 40): the dual deployment. */
export const deployment = {
  test: { org: 'homeiq-test', bucket: 'home_assistant_events_test', sqlite: 'data/test/metadata.db' },
  production: { org: 'homeiq', bucket: 'home_assistant_events', sqlite: 'data/metadata.db' },
  measurement: 'home_assistant_events',
} as const;

/** Seeds 000 and 002: resource ceilings and the batch writer. */
export const limits = {
  /** The whole test profile must fit under this many bytes of memory limits (seed 000: < 6 GB). */
  stackMemoryBytes: 6 * 1024 ** 3,
  /** Seed 000: < 4 CPUs for the whole stack. */
  stackCpus: 4,
  batchSize: 500,
  batchTimeoutMs: 3_000,
} as const;

/** Contract section 4: event rates. */
export const rates = { baselinePerSec: 50, burstPerSec: 500, burstSeconds: 10 } as const;

/** Default host ports of the contract (section 3), keyed by compose service name. */
export const contractPorts: Record<string, number> = {
  'home-assistant-test': 8124,
  'websocket-ingestion-test': 8002,
  influxdb: 8086,
  'data-api': 8006,
  'fake-upstreams': 8090,
  'ai-core': 8018,
  'openai-service': 8020,
  'device-intelligence': 8028,
  'automation-miner': 8029,
  'ai-automation': 8025,
  'weather-api': 8009,
  'carbon-intensity-service': 8010,
  'electricity-pricing-service': 8011,
  'air-quality-service': 8012,
  'calendar-service': 8013,
  'smart-meter-service': 8014,
  'sports-data': 8005,
  'data-generator': 8040,
};

/** The seven external-API collectors that must be disabled in test mode. */
export const collectors = [
  'weather-api',
  'carbon-intensity-service',
  'electricity-pricing-service',
  'air-quality-service',
  'calendar-service',
  'smart-meter-service',
  'sports-data',
] as const;

/** AI services that must work in both modes. */
export const aiServices = [
  'ai-core',
  'openai-service',
  'device-intelligence',
  'automation-miner',
  'ai-automation',
] as const;

/** Services that generate synthetic data: test only, refused in production. */
export const generators = ['data-generator'] as const;

/** Exit code a data generator uses when it refuses to start in production (EX_CONFIG). */
export const generatorRefusalExitCode = 78;

/**
 * Healthcheck pace the harness boots the compose profile with: the same 60 s of tolerance as the
 * deployment's own 5 s x 12, checked every second so a dependency chain is noticed healthy sooner.
 */
export const harnessHealthcheck = { HOMEIQ_HEALTH_INTERVAL: '1s', HOMEIQ_HEALTH_RETRIES: '60' } as const;
