// `mlcompile inspect`: the IR after lowering, or after a named pass (STYLE §8.5).

import { basename } from 'node:path';
import type { Command } from 'commander';
import type { LoadOptions, Program } from '../api.js';
import { ExitCode, UsageError } from './errors.js';
import { checkModelPath, formatFields } from './format.js';
import { print } from './output.js';

export interface InspectFlags {
  readonly printAfter?: string;
  readonly optimize: boolean;
}

const LOWER = 'lower';

export function defineInspectCommand(cmd: Command): Command {
  return cmd
    .description('print the IR of a model (after lowering, or after a pass) and its inputs and outputs')
    .argument('<model-file>', 'the model')
    .option('--print-after <pass>', 'print the IR after this pass instead of after lowering ("lower"); an unknown name lists the passes')
    .option('--no-optimize', 'run no passes (only with the default, --print-after lower)');
}

export async function inspectCommand(modelFile: string, flags: InspectFlags): Promise<number> {
  const { fieldSpec, loadProgram, passNames, printProgram } = await import('../api.js');
  const passes = passNames();
  const after = flags.printAfter ?? LOWER;
  if (after !== LOWER && !passes.includes(after)) {
    throw new UsageError(`--print-after: unknown pass ${JSON.stringify(after)}; choose one of ${[LOWER, ...passes].join(', ')}`);
  }
  if (after !== LOWER && !flags.optimize) throw new UsageError(`--print-after ${after} needs the passes to run; drop --no-optimize`);
  checkModelPath(modelFile, false);
  let shown: Program | undefined;
  const opts: LoadOptions = after === LOWER
    ? { optimize: false }
    : { optimize: true, afterPass: (name, p) => { if (name === after) shown = p; } };
  const final = loadProgram(modelFile, opts);
  const program = after === LOWER ? final : shown;
  if (program === undefined) throw new Error(`pass ${after} did not run`);
  print(`# ${basename(modelFile)}: IR after ${after === LOWER ? 'lowering' : `pass ${after}`}`);
  process.stdout.write(printProgram(program));
  print();
  print('inputs:');
  for (const l of formatFields(program.inputs.map((i) => fieldSpec(i.name, i.type)))) print(l);
  print('outputs:');
  for (const l of formatFields(program.outputs.map((o) => fieldSpec(o.name, o.type)))) print(l);
  return ExitCode.ok;
}
