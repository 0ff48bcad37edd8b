/** Start the configured stack target. Suites never know which one they run on. */
import type { HarnessConfig } from '../config/load.ts';
import { createLogger } from '../util/log.ts';
import { startAttachStack } from './attach-target.ts';
import { startComposeStack } from './compose-target.ts';
import { startLocalStack } from './local-target.ts';
import type { StartedStack } from './types.ts';

export { requireCapability, StackError, type StartedStack } from './types.ts';

export async function startStack(cfg: HarnessConfig): Promise<StartedStack> {
  const log = createLogger('stack');
  switch (cfg.target) {
    case 'compose':
      return startComposeStack(cfg, log);
    case 'attach':
      return startAttachStack(cfg);
    case 'local':
      return startLocalStack(cfg, log);
  }
}
