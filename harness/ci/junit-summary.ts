/**
 * Prints the plain closing line CI reads ("N passed, N failed, N skipped") from reports/junit.xml,
 * and exits non-zero when the file is missing or no test ran (a run that tested nothing is not green).
 */
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/junit.xml';
let xml: string;
try {
  xml = readFileSync(file, 'utf8');
} catch {
  process.stdout.write(`junit: ${file} is missing: the test command wrote no JUnit report\n`);
  process.exit(1);
}
const cases = xml.match(/<testcase\b[\s\S]*?(?:\/>|<\/testcase>)/g) ?? [];
let failed = 0;
let skipped = 0;
for (const c of cases) {
  if (/<(failure|error)\b/.test(c)) failed++;
  else if (/<skipped\b/.test(c)) skipped++;
}
const passed = cases.length - failed - skipped;
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
if (cases.length === 0) {
  process.stdout.write(`junit: ${file} holds no testcase: no test ran\n`);
  process.exit(1);
}
