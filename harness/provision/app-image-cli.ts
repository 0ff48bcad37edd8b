/**
 * `npm run image:app`: rebuild the project's app image (HOMEIQ_APP_IMAGE, default the pinned
 * tag) when the working tree changed since its last build.
 */
import { parseCli } from '../cli/args.ts';
import { ensureAppImage } from './app-image.ts';

parseCli(
  'image:app',
  `usage: npm run image:app

Rebuilds the project's app image (HOMEIQ_APP_IMAGE, default homeiq/app:local) when the code
changed since its last build; prints what it did. No flags.`,
  {},
);

const t0 = performance.now();
const r = await ensureAppImage((m) => process.stdout.write(`${m}\n`));
const secs = ((performance.now() - t0) / 1000).toFixed(1);
process.stdout.write(
  r.rebuilt.length
    ? `rebuilt ${r.rebuilt.join(', ')} in ${secs}s\n`
    : `${r.image} is up to date (${secs}s)\n`,
);
