// `mlcompile predict`: score every row of a data file with a model file (compiled in
// memory) or a compiled module directory; one JSON line (or CSV row) per prediction.

import { rmSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { predictPfaFile } from '../validate/pfa.js';
import { predictPmmlFile } from '../validate/pmml.js';
import { fileSink, loadRunnableModel, predictFile, streamSink } from '../validate/predict.js';
import { ExitCode } from './errors.js';
import { checkDataFile, checkModelPath, checkOutputFile, formatDuration } from './format.js';
import { DATA_FILES_HELP } from './help.js';
import { printErr, warn } from './output.js';
import { startProgress } from './progress.js';

export interface PredictFlags {
  readonly inputs: string;
  readonly out?: string;
  readonly optimize: boolean;
}

export function definePredictCommand(cmd: Command): Command {
  return cmd
    .description('score every row of a data file; one JSON line (or CSV row) per prediction')
    .argument('<model>', 'a model file (compiled in memory) or a directory written by "mlcompile <model-file>"')
    .requiredOption('--inputs <file>', 'input rows (.csv or .jsonl)')
    .option('--out <file>', 'write predictions here instead of stdout (.csv: CSV, otherwise JSON Lines)')
    .option('--no-optimize', 'skip the optimisation passes')
    .addHelpText('after', `
Output: JSON Lines, one object per input row mapping each output to
{"type", "dims", "data"} with plain arrays (float16 as values, bool as true/false,
64-bit integers as numbers when exact, else as strings, NaN/Infinity as strings).
With --out FILE.csv: a column per output ("y") or per element ("y[0]", "y[1]", ...).
PMML models: one record per CSV row or JSON line (columns name input fields, an empty
cell is a missing value); JSON Lines out hold the output fields (and "$error" for a
refused record), CSV out a column per output field.
PFA models: one engine scores the file in order (begin first, cells and fold tallies
carried over); JSON Lines in hold one input value a line in the PFA conformance JSON
encoding (CSV: one column per field of a record input); JSON Lines out hold one result
a line (an emit engine: the values emitted), {"$error": CODE, "message"} for an error.
${DATA_FILES_HELP}`);
}

export async function predictCommand(model: string, flags: PredictFlags): Promise<number> {
  checkModelPath(model, true);
  checkDataFile(flags.inputs, '--inputs');
  if (flags.out !== undefined) checkOutputFile(flags.out, '--out');
  const loaded = await loadRunnableModel(model, { optimize: flags.optimize });
  const start = performance.now();
  const run = loaded.format === 'pmml' ? predictPmmlFile : loaded.format === 'pfa' ? predictPfaFile : predictFile;
  if (flags.out === undefined) {
    // Predictions on stdout: a bar on stderr only when stdout goes elsewhere (a file, a pipe), not over the lines it would interleave with.
    const progress = startProgress('predict', process.stderr.isTTY === true && process.stdout.isTTY !== true);
    try {
      await run({ model: loaded, inputsFile: flags.inputs, sink: streamSink(process.stdout), csv: false, onWarning: warn, onProgress: (p) => progress.update(p) });
    } finally {
      progress.stop();
    }
    return ExitCode.ok;
  }
  const csv = extname(flags.out).toLowerCase() === '.csv';
  const out = fileSink(flags.out);
  const progress = startProgress('predict');
  let rows: number;
  try {
    rows = await run({
      model: loaded, inputsFile: flags.inputs, sink: out.sink, csv, onWarning: warn, onProgress: (p) => progress.update(p),
    });
    await out.close();
  } catch (e) {
    await out.close().catch(() => undefined);
    try {
      rmSync(flags.out, { force: true }); // no partial results
    } catch {
      // keep the first error
    }
    throw e;
  } finally {
    progress.stop();
  }
  const compiled = loaded.compileMs > 0 ? `compiled in ${formatDuration(loaded.compileMs)}, ` : '';
  printErr(`Wrote ${rows} prediction${rows === 1 ? '' : 's'} of ${basename(model)} to ${flags.out} (${compiled}scored in ${formatDuration(performance.now() - start)})`);
  return ExitCode.ok;
}
