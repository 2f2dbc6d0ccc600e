// `mlcompile validate`: compile in memory, run on every input row, compare with the
// expected outputs (src/validate), print the summary and the worst rows.

import { readFileSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_TOLERANCE } from '../validate/compare.js';
import { isCompiledDir, loadRunnableModel } from '../validate/predict.js';
import { validatePfaFiles } from '../validate/pfa.js';
import { validatePmmlFiles, validatePmmlVerification } from '../validate/pmml.js';
import { formatSummary, JsonReportWriter, type RowResult } from '../validate/report.js';
import { validateFiles } from '../validate/validate.js';
import { ExitCode, UsageError } from './errors.js';
import { checkDataFile, checkModelPath, checkOutputFile, formatDuration } from './format.js';
import { DATA_FILES_HELP } from './help.js';
import { print, warn } from './output.js';
import { startProgress } from './progress.js';

export interface ValidateFlags {
  readonly inputs?: string;
  readonly expected?: string;
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
    .option('--inputs <file>', 'input rows (.csv or .jsonl); required except for a PMML document with ModelVerification')
    .option('--expected <file>', 'expected outputs, one row per input row (.csv or .jsonl); required with --inputs')
    .option('--rtol <r>', 'relative tolerance', tolerance, DEFAULT_TOLERANCE.rtol)
    .option('--atol <a>', 'absolute tolerance', tolerance, DEFAULT_TOLERANCE.atol)
    .option('--report <file>', 'write the full comparison (every row) as JSON')
    .option('--no-optimize', 'skip the optimisation passes')
    .addHelpText('after', `
Rows agree when every compared element satisfies |actual - expected| <= atol + rtol * |expected|
(NaN equals NaN; infinities, strings, integers and booleans must match exactly). A row where the
model fails, or an expected value that cannot be of the output's type (1.5 for int64), counts as a
mismatch; a row the model rejects (wrong type or shape) is a usage error.

PMML: one record per CSV row or JSON line (columns name fields; an empty cell is a missing
value); expected columns name output fields, an empty expected cell needs a missing result, and a
number against a label compares as text ("1.0" equals "1"). Without --inputs and --expected, a
PMML document is checked against its own ModelVerification records, each field with its
precision and zeroThreshold.
${DATA_FILES_HELP}`);
}

export async function validateCommand(modelFile: string, flags: ValidateFlags): Promise<number> {
  checkModelPath(modelFile, true);
  if (flags.inputs === undefined && flags.expected === undefined) return verifyCommand(modelFile, flags);
  if (flags.inputs === undefined) throw new UsageError("required option '--inputs <file>' not specified");
  if (flags.expected === undefined) throw new UsageError("required option '--expected <file>' not specified");
  const inputsFile = flags.inputs;
  const expectedFile = flags.expected;
  checkDataFile(inputsFile, '--inputs');
  checkDataFile(expectedFile, '--expected');
  if (flags.report !== undefined) checkOutputFile(flags.report, '--report');
  const model = await loadRunnableModel(modelFile, { optimize: flags.optimize });
  const tol = { rtol: flags.rtol, atol: flags.atol };
  const files = { inputs: basename(inputsFile), expected: basename(expectedFile) };
  const loaded = model.compileMs > 0 ? `Compiled ${basename(modelFile)} in ${formatDuration(model.compileMs)}` : `Loaded ${basename(modelFile)}`;
  print(`${loaded}; comparing its outputs on ${files.inputs} with ${files.expected}`);

  const report = flags.report === undefined ? undefined : JsonReportWriter.open(flags.report, {
    model: modelFile, inputs: inputsFile, expected: expectedFile, tolerance: tol,
  });
  const progress = startProgress('validate');
  const start = performance.now();
  let summary;
  try {
    const opts = {
      model,
      inputsFile,
      expectedFile,
      tolerance: tol,
      onRow: report === undefined ? undefined : (r: RowResult) => report.row(r),
      onProgress: (p: { rows: number; bytes: number; totalBytes: number }) => progress.update(p),
      onWarning: warn,
    };
    summary = model.format === 'pmml' ? await validatePmmlFiles(opts) : model.format === 'pfa' ? await validatePfaFiles(opts) : await validateFiles(opts);
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

/**
 * `mlcompile validate model.pmml` alone: the document's ModelVerification records,
 * scored by the compiled module, each field compared with its precision and zeroThreshold.
 */
async function verifyCommand(modelFile: string, flags: ValidateFlags): Promise<number> {
  const needed = "give --inputs FILE and --expected FILE (only a PMML document with ModelVerification records can be validated without them)";
  if (isCompiledDir(modelFile)) throw new UsageError(`${modelFile} is a compiled directory: ${needed}`);
  const { detectFormat, readPmmlVerification } = await import('../api.js');
  if (detectFormat(readFileSync(modelFile)) !== 'pmml') throw new UsageError(`required option '--inputs <file>' not specified: ${needed}`);
  if (flags.report !== undefined) checkOutputFile(flags.report, '--report');
  const verification = readPmmlVerification(modelFile);
  if (verification === null || verification.rows.length === 0) {
    throw new UsageError(`${basename(modelFile)} has no ModelVerification records to check: give --inputs FILE and --expected FILE`);
  }
  const model = await loadRunnableModel(modelFile, { optimize: flags.optimize });
  const loaded = `Compiled ${basename(modelFile)} in ${formatDuration(model.compileMs)}`;
  print(`${loaded}; checking its ${verification.rows.length} ModelVerification record${verification.rows.length === 1 ? '' : 's'}`);
  const known = new Set([...model.inputs, ...model.outputs].map((f) => f.name));
  const unknown = verification.fields.filter((f) => !known.has(f.field)).map((f) => JSON.stringify(f.field));
  if (unknown.length > 0) warn(`VerificationField${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} name${unknown.length > 1 ? '' : 's'} neither an input nor a result field of the model: not compared`);
  if (!verification.fields.some((f) => model.outputs.some((o) => o.name === f.field))) {
    throw new UsageError(`the ModelVerification of ${basename(modelFile)} names no result field of the model (results: ${model.outputs.map((o) => JSON.stringify(o.name)).join(', ')}): nothing to compare`);
  }
  const report = flags.report === undefined ? undefined : JsonReportWriter.open(flags.report, { model: modelFile, verification: 'ModelVerification' });
  const start = performance.now();
  const rows: RowResult[] = [];
  const summary = validatePmmlVerification(model, verification, report === undefined ? undefined : (r) => { rows.push(r); });
  if (report !== undefined) {
    for (const r of rows) await report.row(r);
    await report.finish(summary);
  }
  print(`${summary.rows} record${summary.rows === 1 ? '' : 's'} compared in ${formatDuration(performance.now() - start)}:`);
  const lines = formatSummary(summary, { inputs: 'ModelVerification', expected: 'ModelVerification' });
  // The verdict line names one tolerance; each field has its own here.
  const verdict = lines.pop() ?? '';
  for (const l of lines) print(l);
  print(verdict.replace(/ \(rtol [^)]*\)\.$/, ' (each field within its precision and zeroThreshold).'));
  if (flags.report !== undefined) print(`Full comparison written to ${flags.report}`);
  return summary.ok ? ExitCode.ok : ExitCode.mismatch;
}
