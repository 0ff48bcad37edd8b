/**
 * Progress logging for long work. Lines go to stderr so they never mix with machine-readable
 * stdout (benchmark numbers, JSON). Each line carries the component name and elapsed time.
 */
const started = performance.now();

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  debug(msg: string): void;
  child(component: string): Logger;
}

const debugEnabled = (component: string): boolean => {
  const spec = process.env.HOMEIQ_DEBUG ?? process.env.DEBUG ?? '';
  return spec.split(',').some((s) => s === '*' || s === 'homeiq:*' || s === `homeiq:${component}`);
};

export function createLogger(component: string): Logger {
  const stamp = () => `${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s`;
  const write = (level: string, msg: string) =>
    process.stderr.write(`[${stamp()}] ${level}${component}: ${msg}\n`);
  return {
    info: (msg) => write('', msg),
    warn: (msg) => write('WARN ', msg),
    debug: (msg) => {
      if (debugEnabled(component)) write('debug ', msg);
    },
    child: (sub) => createLogger(`${component}:${sub}`),
  };
}
