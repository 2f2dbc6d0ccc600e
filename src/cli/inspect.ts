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
  const { programFields, loadProgram, passNames, printProgram } = await import('../api.js');
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
  if (program.format === 'pmml') {
    for (const l of pmmlSummary(program)) print(l);
    print();
  }
  print(`# ${basename(modelFile)}: IR after ${after === LOWER ? 'lowering' : `pass ${after}`}`);
  // PMML field types are listed below; the IR need not repeat them.
  const { fields: _fields, ...meta } = program.meta;
  process.stdout.write(printProgram(program.format === 'pmml' ? { ...program, meta } : program));
  print();
  const fields = programFields(program);
  print('inputs:');
  for (const l of formatFields(fields.inputs)) print(l);
  print('outputs:');
  for (const l of formatFields(fields.outputs)) print(l);
  return ExitCode.ok;
}

/** What a PMML document holds: the model, its producer and the verification records. */
function pmmlSummary(p: Program): string[] {
  const m = p.meta;
  const text = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '-' : JSON.stringify(v));
  const elements = Array.isArray(m.modelElements) ? m.modelElements.join(', ') : '-';
  return [
    `# ${p.source.file}: PMML ${text(m.pmmlVersion)}${typeof m.producer === 'string' ? `, produced by ${m.producer}` : ''}`,
    `model:         ${text(m.modelElement)} (${text(m.functionName)})${typeof m.modelName === 'string' ? ` "${m.modelName}"` : ''}`,
    `model types:   ${elements}`,
    `verification:  ${typeof m.verificationRows === 'number' && m.verificationRows > 0 ? `${m.verificationRows} ModelVerification records (mlcompile validate ${p.source.file})` : 'none'}`,
  ];
}
