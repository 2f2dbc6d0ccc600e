// `mlcompile validate`: compile in memory, run on every input row, compare with the
// expected outputs (src/validate), print the summary and the worst rows.

import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_TOLERANCE } from '../validate/compare.js';
import { loadRunnableModel } from '../validate/predict.js';
import { formatSummary, JsonReportWriter } from '../validate/report.js';
import { validateFiles } from '../validate/validate.js';
import { ExitCode } from './errors.js';
import { checkDataFile, checkModelPath, checkOutputFile, formatDuration } from './format.js';
import { DATA_FILES_HELP } from './help.js';
import { print, warn } from './output.js';
import { startProgress } from './progress.js';

export interface ValidateFlags {
  readonly inputs: string;
  readonly expected: string;
  readonly rtol: number;
  readonly atol: number;
  readonly report?: string;
  readonly optimize: boolean;
}

function tolerance(v: string): number {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < 0) throw new InvalidArgumentError('must be a non-negative number');
  return x;
}

export function defineValidateCommand(cmd: Command): Command {
  return cmd
    .description('compile a model in memory and check its outputs against expected outputs, row by row')
    .argument('<model-file>', 'the model (or a directory written by "mlcompile <model-file>")')
    .requiredOption('--inputs <file>', 'input rows (.csv or .jsonl)')
    .requiredOption('--expected <file>', 'expected outputs, one row per input row (.csv or .jsonl)')
    .option('--rtol <r>', 'relative tolerance', tolerance, DEFAULT_TOLERANCE.rtol)
    .option('--atol <a>', 'absolute tolerance', tolerance, DEFAULT_TOLERANCE.atol)
    .option('--report <file>', 'write the full comparison (every row) as JSON')
    .option('--no-optimize', 'skip the optimisation passes')
    .addHelpText('after', `
Rows agree when every compared element satisfies |actual - expected| <= atol + rtol * |expected|
(NaN equals NaN; infinities, strings, integers and booleans must match exactly). A row where the
model fails, or an expected value that cannot be of the output's type (1.5 for int64), counts as a
mismatch; a row the model rejects (wrong type or shape) is a usage error.
${DATA_FILES_HELP}`);
}

export async function validateCommand(modelFile: string, flags: ValidateFlags): Promise<number> {
  checkModelPath(modelFile, true);
  checkDataFile(flags.inputs, '--inputs');
  checkDataFile(flags.expected, '--expected');
  if (flags.report !== undefined) checkOutputFile(flags.report, '--report');
  const model = await loadRunnableModel(modelFile, { optimize: flags.optimize });
  const tol = { rtol: flags.rtol, atol: flags.atol };
  const files = { inputs: basename(flags.inputs), expected: basename(flags.expected) };
  const loaded = model.compileMs > 0 ? `Compiled ${basename(modelFile)} in ${formatDuration(model.compileMs)}` : `Loaded ${basename(modelFile)}`;
  print(`${loaded}; comparing its outputs on ${files.inputs} with ${files.expected}`);

  const report = flags.report === undefined ? undefined : JsonReportWriter.open(flags.report, {
    model: modelFile, inputs: flags.inputs, expected: flags.expected, tolerance: tol,
  });
  const progress = startProgress('validate');
  const start = performance.now();
  let summary;
  try {
    summary = await validateFiles({
      model,
      inputsFile: flags.inputs,
      expectedFile: flags.expected,
      tolerance: tol,
      onRow: report === undefined ? undefined : (r) => report.row(r),
      onProgress: (p) => progress.update(p),
      onWarning: warn,
    });
  } catch (e) {
    if (report !== undefined && flags.report !== undefined) {
      report.abort();
      try {
        rmSync(flags.report, { force: true }); // no half-written report
      } catch {
        // keep the first error
      }
    }
    throw e;
  } finally {
    progress.stop();
  }
  await report?.finish(summary);
  print(`${summary.rows} row${summary.rows === 1 ? '' : 's'} compared in ${formatDuration(performance.now() - start)}:`);
  for (const line of formatSummary(summary, files)) print(line);
  if (flags.report !== undefined) print(`Full comparison written to ${flags.report}`);
  return summary.ok ? ExitCode.ok : ExitCode.mismatch;
}
