// Control flow ops: their subgraphs become IR regions (see lower.ts), and the
// kernels in runtime/tensor/control.ts call them as functions.

import * as control from '../../../../runtime/tensor/control.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import { kernelsOf, type AnyOpDef } from './types.js';

const k = kernelsOf('tensor/control', control);

export const OPS: readonly AnyOpDef[] = [
  { op: 'If', since: 1, kernel: k('ifElse'), inputs: ['bool'], subgraphs: ['then_branch', 'else_branch'] },
  // Carried values may each have their own type ('*'); outputs take the graph's declared types.
  {
    op: 'Loop', since: 1, kernel: k('loop'), inputs: ['int64', 'bool', '*'],
    minInputs: 2, maxInputs: Infinity, subgraphs: ['body'],
  },
  {
    op: 'Scan', since: 8, until: 8, kernel: k('scan'), inputs: ['int64', '*'],
    minInputs: 1, maxInputs: Infinity, subgraphs: ['body'],
    attrs: (a) => scanAttrs(a, true),
  },
  {
    op: 'Scan', since: 9, kernel: k('scan'), inputs: ['*'],
    minInputs: 1, maxInputs: Infinity, subgraphs: ['body'],
    attrs: (a) => scanAttrs(a, false),
  },
];

function scanAttrs(a: import('../attrs.js').AttrReader, legacyBatch: boolean): control.ScanAttrs {
  const numScanInputs = a.int('num_scan_inputs');
  if (numScanInputs < 1) fail('MLC2003', 'attribute "num_scan_inputs" must be at least 1');
  const directions = legacyBatch ? a.ints('directions', []) : a.ints('scan_input_directions', []);
  return {
    numScanInputs,
    inputAxes: legacyBatch ? [] : a.ints('scan_input_axes', []),
    inputDirections: directions,
    outputAxes: legacyBatch ? [] : a.ints('scan_output_axes', []),
    outputDirections: legacyBatch ? [] : a.ints('scan_output_directions', []),
    legacyBatch,
  };
}
