import { ensureAppImage } from './app-image.ts';

const t0 = performance.now();
const r = await ensureAppImage((m) => process.stdout.write(`${m}\n`));
const secs = ((performance.now() - t0) / 1000).toFixed(1);
process.stdout.write(
  r.rebuilt.length
    ? `rebuilt ${r.rebuilt.join(', ')} in ${secs}s\n`
    : `${r.image} is up to date (${secs}s)\n`,
);
