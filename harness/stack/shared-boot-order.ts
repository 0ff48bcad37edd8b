/**
 * The order of the suite files (vitest `sequence.sequencer`): vitest's own order (failed first,
 * then longest first), except that the files sharing a boot (`useStack({ shares: true })`,
 * ./use-stack.ts) run last and together. So a shared boot never idles beside a file that boots a
 * stack of its own or measures Docker, and it is torn down as soon as the run ends
 * (harness/docker/run-owner.setup.ts). Only the order depends on this: a file declared otherwise
 * than the text below expects still gets the stack it declared.
 */
import { readFileSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const SHARES = /\buseStack\(\s*\{[^}]*\bshares:\s*true\b/;

/** Whether a suite file's text declares a shared boot. */
export function declaresSharedBoot(text: string): boolean {
  return SHARES.test(text);
}

export class SharedBootsLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const shares = new Set(
      sorted.filter((f) => {
        try {
          return declaresSharedBoot(readFileSync(f.moduleId, 'utf8'));
        } catch {
          return false;
        }
      }),
    );
    // Stable within each group; projects keep their relative order (the runner runs them in groups).
    return [...sorted.filter((f) => !shares.has(f)), ...sorted.filter((f) => shares.has(f))];
  }
}
