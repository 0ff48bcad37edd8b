/**
 * The one rule for planted-fault names and fault files, shared by the matrix loader (load.ts) and
 * the configuration check (harness/config/validate.ts HOMEIQ_FAULT): lowercase words of letters and
 * digits joined by single "-".
 */
export const FAULT_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const FAULT_NAME_TEXT = 'lowercase letters and digits in words joined by single "-"';

/** The extensions of a fault's files, in the order they are applied. */
export const faultFileKinds = ['env', 'compose.yml', 'Dockerfile'] as const;
export type FaultFileKind = (typeof faultFileKinds)[number];

/** `<name>.env`, `<name>.compose.yml` or `<name>.Dockerfile` with a valid name: [name, kind]. */
export function faultFileName(file: string): [string, FaultFileKind] | undefined {
  const m = /^(.+)\.(env|compose\.yml|Dockerfile)$/.exec(file);
  if (!m?.[1] || !m[2] || !FAULT_NAME.test(m[1])) return undefined;
  return [m[1], m[2] as FaultFileKind];
}

/** Files of fixtures/faults that are not fault files. */
export const FAULTS_DIR_OTHER_FILES = ['README.md', 'faults.json'];

/** One line whatever the value holds: newlines, a BOM and other control/format characters escaped. */
export const oneLine = (s: string): string =>
  s.replace(/[\p{C}\u2028\u2029]/gu, (c) =>
    c === '\n'
      ? '\\n'
      : c === '\r'
        ? '\\r'
        : c === '\t'
          ? '\\t'
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
