/**
 * Setup, stage 2 of 2 (stage 1, setup.sh, brought Node 24 and node_modules):
 * actionlint for `npm run lint`, a reachable Docker engine with Compose v2, the base image, the project's images and the
 * InfluxDB servers of every pinned version. Each step says what it found, what it did and how
 * long it took; on a ready machine every step only checks.
 */
import { ensureAppImage } from './app-image.ts';
import { pins } from './pins.ts';
import { runStep, SetupError, type StepReport } from './step.ts';
import { ensureActionlint } from './steps/actionlint.ts';
import { ensureBaseImage } from './steps/base-image.ts';
import { ensureComposePlugin } from './steps/compose-plugin.ts';
import { ensureDockerEngine } from './steps/docker-engine.ts';
import { ensureReportTools } from './steps/report-tools.ts';

/** Versions to provision: HOMEIQ_INFLUXDB_VERSIONS (comma list) or the pinned baseline + candidate. */
function influxVersions(): string[] {
  const env = process.env.HOMEIQ_INFLUXDB_VERSIONS;
  const list = env
    ? env
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : [pins.influxdb.baseline, pins.influxdb.candidate];
  for (const v of list) {
    if (!pins.influxdb.versions[v]) {
      throw new SetupError(
        `HOMEIQ_INFLUXDB_VERSIONS names ${v}, which is not pinned: allowed ${Object.keys(pins.influxdb.versions).join(', ')} (add it to harness/config/pins.json)`,
      );
    }
  }
  return list;
}

async function main(): Promise<void> {
  const reports: StepReport[] = [];
  const versions = influxVersions();
  reports.push(await runStep(`actionlint ${pins.actionlint.version}`, (ctx) => ensureActionlint(ctx)));
  reports.push(await runStep('Docker engine', async (ctx) => void (await ensureDockerEngine(ctx))));
  reports.push(await runStep('Docker Compose v2', async (ctx) => void (await ensureComposePlugin(ctx))));
  reports.push(await runStep('report tools (chromium, xmllint)', (ctx) => ensureReportTools(ctx)));
  reports.push(await runStep(`base image ${pins.baseImage.tag}`, (ctx) => ensureBaseImage(ctx)));
  reports.push(
    await runStep(`project image ${pins.appImage}`, async (ctx) => {
      const r = await ensureAppImage((m) => ctx.progress(m));
      if (r.rebuilt.length) ctx.did(`built ${r.rebuilt.join(', ')}`);
      else ctx.found(`${r.image} up to date with harness/ and fixtures/ (deps ${r.depsImage})`);
    }),
  );
  const { provisionInfluxdb } = await import('./influxdb/index.ts');
  for (const version of versions) {
    reports.push(
      await runStep(`InfluxDB ${version}`, async (ctx) => {
        const r = await provisionInfluxdb(version, {
          info: (m: string) => ctx.progress(m),
          warn: (m: string) => ctx.progress(`WARN ${m}`),
          debug: () => {},
          child() {
            return this;
          },
        });
        ctx.did(`${r.image} (${r.source}, ${r.seconds.toFixed(1)}s)`);
      }),
    );
  }
  const t0 = Number(process.env.HOMEIQ_SETUP_T0 ?? 0);
  const total = t0 ? Date.now() / 1000 - t0 : reports.reduce((s, r) => s + r.seconds, 0);
  process.stdout.write('\nsetup summary\n');
  for (const r of reports)
    process.stdout.write(
      `  ${r.seconds.toFixed(1).padStart(7)}s  ${r.name}: ${r.did === 'nothing to do' ? r.found : r.did}\n`,
    );
  process.stdout.write(
    `  ${total.toFixed(1).padStart(7)}s  total (including Node and dependencies)\nready: run 'npm test'\n`,
  );
}

main().catch((err: unknown) => {
  if (err instanceof SetupError) {
    process.stderr.write(`\nsetup: ${err.message}\n`);
  } else {
    process.stderr.write(
      `\nsetup: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
  }
  process.exit(1);
});
