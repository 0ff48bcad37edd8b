/**
 * `npm run lint:compose -- [--env-file FILE] <compose files...>`: static checks of a HomeIQ-style
 * compose project, with no Docker and no other part of the harness. The files form one project, as
 * with `docker compose -f a.yml -f b.yml` (lint separate projects with separate runs).
 *
 * Output: one line per finding, `file: service: [rule] message; fix: ...`, then a count.
 * Exit 0: no findings; 1: findings; 2: bad usage (one line on stderr).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ComposeFileError, loadCompose, parseEnvFile, projectVars } from './load.ts';
import { formatFinding, lintModel, rules } from './rules.ts';

const USAGE = 'usage: npm run lint:compose -- [--env-file FILE] <compose file>... (see --help)';

export interface CliResult {
  code: 0 | 1 | 2;
  stdout: string[];
  stderr: string[];
}

/** The CLI as a function (argv without node and script), for tests and for main(). */
export function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): CliResult {
  let parsed: ReturnType<typeof parse>;
  // `npm run lint:compose -- --env-file F` reaches us as `-- --env-file F`: the script passes a
  // leading `--` so that Node itself does not take `--env-file` (Node reads that flag even after the
  // script name and exits 9 when the file is missing). Drop that one separator.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const parse = () =>
    parseArgs({
      args,
      allowPositionals: true,
      options: { 'env-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  try {
    parsed = parse();
  } catch (err) {
    return {
      code: 2,
      stdout: [],
      stderr: [`lint:compose: ${(err as Error).message.split('\n')[0]}; ${USAGE}`],
    };
  }
  if (parsed.values.help) {
    return {
      code: 0,
      stdout: [
        USAGE,
        'The files form one project (docker compose -f a -f b). Variables: the shell over .env beside the first file, or --env-file.',
        'Rules:',
        ...rules.map((r) => `  ${r.id.padEnd(20)} ${r.summary}`),
        'Exit: 0 clean, 1 findings, 2 bad usage.',
      ],
      stderr: [],
    };
  }
  const files = parsed.positionals;
  if (files.length === 0)
    return { code: 2, stdout: [], stderr: [`lint:compose: no compose file given; ${USAGE}`] };
  let vars: Map<string, string>;
  const envFile = parsed.values['env-file'];
  if (envFile) {
    let text: string;
    try {
      text = readFileSync(resolve(cwd, envFile), 'utf8');
    } catch (err) {
      return {
        code: 2,
        stdout: [],
        stderr: [`lint:compose: --env-file ${envFile}: cannot read (${(err as NodeJS.ErrnoException).code})`],
      };
    }
    try {
      vars = parseEnvFile(text, new Map());
    } catch (err) {
      return {
        code: 2,
        stdout: [],
        stderr: [`lint:compose: --env-file ${envFile}: ${(err as Error).message}`],
      };
    }
    for (const [k, v] of Object.entries(env)) if (v !== undefined) vars.set(k, v);
  } else {
    vars = projectVars(resolve(cwd, files[0] ?? '.'), env);
  }
  try {
    const model = loadCompose(files, { vars, cwd });
    const findings = lintModel(model);
    const where = `${model.files.join(' + ')} (${model.services.length} services)`;
    if (findings.length === 0)
      return { code: 0, stdout: [`lint:compose: ${where}: no findings (${rules.length} rules)`], stderr: [] };
    return {
      code: 1,
      stdout: [...findings.map(formatFinding), `lint:compose: ${where}: ${findings.length} finding(s)`],
      stderr: [],
    };
  } catch (err) {
    if (err instanceof ComposeFileError)
      return { code: 2, stdout: [], stderr: [`lint:compose: ${err.message}`] };
    throw err;
  }
}

if (import.meta.main) {
  const r = runCli(process.argv.slice(2));
  for (const l of r.stdout) process.stdout.write(`${l}\n`);
  for (const l of r.stderr) process.stderr.write(`${l}\n`);
  process.exitCode = r.code;
}
