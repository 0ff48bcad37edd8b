import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.ts';

export interface Pins {
  node: string;
  baseImage: { tag: string; suite: string; mirror: string; packages: string[] };
  appImage: string;
  composePlugin: { minVersion: string; debianSuite: string; debianPackage: string };
  /** actionlint, built from its Go module by setup (harness/provision/steps/actionlint.ts). */
  actionlint: { goModule: string; package: string; version: string; goModuleSum: string; minGo: string };
  influxdb: {
    baseline: string;
    candidate: string;
    localImage: string;
    versions: Record<string, { officialImage: string; goModule: string; goModuleSum: string }>;
  };
}

const pinned: Pins = JSON.parse(readFileSync(join(repoRoot, 'harness/config/pins.json'), 'utf8'));

/**
 * The pins, with one override: HOMEIQ_APP_IMAGE names the project image to build and run (default
 * pins.json's appImage). Two checkouts on one engine (two branches, two CI jobs) each set their own
 * tag, so neither rebuilds the image the other is running.
 */
export const pins: Pins = {
  ...pinned,
  appImage: process.env.HOMEIQ_APP_IMAGE?.trim() || pinned.appImage,
};
