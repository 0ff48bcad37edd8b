/**
 * The active stack profile. Today: the reference stack's, built from the contract's defaults.
 * Issue 9 replaces this with a validated file (HOMEIQ_PROFILE, default
 * fixtures/reference-stack/stack.profile.json) without changing this function's signature.
 */
import { resolve } from 'node:path';
import {
  aiServices,
  collectors,
  contractPorts,
  deployment,
  generatorRefusalExitCode,
} from '../config/defaults.ts';
import type { StackProfile } from './types.ts';

export type * from './types.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');

/** The reference stack's profile (the embedded default). */
export const referenceProfile: StackProfile = {
  name: 'homeiq-reference',
  source: '(embedded)',
  compose: { files: [resolve(repoRoot, 'docker-compose.test.yml')], profiles: ['test'] },
  envFile: resolve(repoRoot, 'fixtures/env/env.test'),
  roles: {
    ingestion: {
      service: 'websocket-ingestion-test',
      port: 8001,
      token: {
        kind: 'file',
        path: '/run/homeiq/influxdb-tokens/test.token',
        variable: 'INFLUXDB_TOKEN_FILE',
      },
      modeVariable: 'DEPLOYMENT_MODE',
      health: {
        path: '/health',
        healthy: { field: 'status', values: ['healthy'] },
        subscribed: 'home_assistant.subscribed',
        deploymentMode: 'deployment_mode',
        counters: {
          received: 'received',
          written: 'written',
          failed: 'failed',
          dropped: 'dropped',
          buffered: 'buffered',
          skipped: 'skipped',
        },
      },
    },
    influxdb: {
      service: 'influxdb',
      port: 8086,
      test: { org: deployment.test.org, bucket: deployment.test.bucket },
      production: { org: deployment.production.org, bucket: deployment.production.bucket },
      measurement: deployment.measurement,
    },
    metadataStore: {
      service: 'data-api',
      port: contractPorts['data-api'],
      dataDir: '/app/data',
      testPath: 'test/metadata.db',
      productionPath: 'metadata.db',
    },
    collectors: collectors.map((service) => ({ service, port: contractPorts[service], upstreamHosts: [] })),
    aiServices: aiServices.map((service) => ({
      service,
      port: contractPorts[service] ?? 0,
      healthPaths: ['/health'],
      readinessPath: service === 'device-intelligence' ? '/health/ready' : undefined,
    })),
    dataGenerator: { service: 'data-generator', port: 8040, refusalExitCode: generatorRefusalExitCode },
    mockHa: { service: 'home-assistant-test', port: 8123 },
  },
};

/** The profile the harness judges. */
export function activeProfile(): StackProfile {
  return referenceProfile;
}
