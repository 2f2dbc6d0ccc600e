// The baseline written beside a compiled server model version (server-api.ts):
// from `--baseline <data file>` when given, else, for PMML models, from what the
// document declares (baseline-pmml.ts); none otherwise (then the version is served
// without drift monitoring).

import { basename } from 'node:path';
import type { El } from '../runtime/pmml/types.js';
import type { Baseline } from '../runtime/server/baseline.js';
import { programFields, type Program } from './api.js';
import { baselineOfTable, readBaselineTable } from './baseline.js';
import { outputBaselines } from './baseline-outputs.js';
import { baselineFromPmmlTree } from './baseline-pmml.js';
import { pmmlMeta } from './frontends/pmml/lower.js';

/** The PMML element tree a PMML program carries (its `document` constant), if any. */
function pmmlTreeOf(program: Program): El | undefined {
  const c = program.constants.find((k) => k.name === 'document');
  const v = c?.value as unknown;
  return typeof v === 'object' && v !== null && (v as El).n === 'PMML' ? (v as El) : undefined;
}

/**
 * The baseline of `program`; with `moduleText` (the compiled model.mjs) and a data file,
 * the model is also run on the data for the prediction distribution's bins.
 */
export async function compileBaseline(program: Program, dataFile: string | undefined, moduleText?: string): Promise<Baseline | undefined> {
  const { inputs, outputs } = programFields(program);
  if (dataFile !== undefined) {
    const optypes = program.format === 'pmml' ? new Map(pmmlMeta(program).fields.inputs.map((f) => [f.name, f.optype])) : undefined;
    const table = await readBaselineTable(dataFile, inputs, { optypes });
    const baseline = baselineOfTable(table, basename(dataFile));
    if (moduleText === undefined) return baseline;
    const bins = await outputBaselines(moduleText, program.format, inputs, outputs, table);
    return bins.length === 0 ? baseline : { ...baseline, outputs: bins };
  }
  if (program.format !== 'pmml') return undefined;
  const tree = pmmlTreeOf(program);
  return tree === undefined ? undefined : baselineFromPmmlTree(tree, inputs);
}
