/**
 * `npm run image:app`: rebuild the project's app image (HOMEIQ_APP_IMAGE, default the pinned
 * tag) when the working tree changed since its last build.
 */
import { parseCli, usageError } from '../cli/args.ts';
import { envSchema } from '../config/schema.ts';
import { ensureAppImage } from './app-image.ts';

parseCli(
  'image:app',
  `usage: npm run image:app

Rebuilds the project's app image (HOMEIQ_APP_IMAGE, default homeiq/app:local) when the code
changed since its last build; prints what it did. No flags.`,
  {},
);
const image = process.env.HOMEIQ_APP_IMAGE;
if (image !== undefined && image.trim() !== '') {
  const parsed = envSchema.shape.HOMEIQ_APP_IMAGE.safeParse(image.trim());
  if (!parsed.success)
    usageError(
      'image:app',
      `HOMEIQ_APP_IMAGE="${image}" is invalid: expected ${parsed.error.issues[0]?.message}`,
    );
}

const t0 = performance.now();
const r = await ensureAppImage((m) => process.stdout.write(`${m}\n`));
const secs = ((performance.now() - t0) / 1000).toFixed(1);
process.stdout.write(
  r.rebuilt.length
    ? `rebuilt ${r.rebuilt.join(', ')} in ${secs}s\n`
    : `${r.image} is up to date (${secs}s)\n`,
);
