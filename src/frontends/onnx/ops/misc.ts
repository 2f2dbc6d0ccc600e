import * as misc from '../../../../runtime/tensor/misc.js';
import { ALL_TYPES } from '../../../../runtime/tensor/tensor.js';
import { kernelsOf, type AnyOpDef } from './types.js';

const k = kernelsOf('tensor/misc', misc);

export const OPS: readonly AnyOpDef[] = [
  { op: 'Identity', since: 1, kernel: k('identity'), constraints: { T: ALL_TYPES }, inputs: ['T'], outputs: ['T'] },
];
