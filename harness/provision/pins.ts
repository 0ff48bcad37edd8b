import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.ts';

export interface Pins {
  node: string;
  baseImage: { tag: string; suite: string; mirror: string; packages: string[] };
  appImage: string;
  composePlugin: { minVersion: string; debianSuite: string; debianPackage: string };
  influxdb: {
    baseline: string;
    candidate: string;
    localImage: string;
    versions: Record<string, { officialImage: string; goModule: string; goModuleSum: string }>;
  };
}

export const pins: Pins = JSON.parse(readFileSync(join(repoRoot, 'harness/config/pins.json'), 'utf8'));
