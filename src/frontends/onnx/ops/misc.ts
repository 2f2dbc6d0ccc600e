import * as misc from '../../../../runtime/tensor/misc.js';
import { EVERY_TYPE } from '../../../../runtime/tensor/tensor.js';
import { kernelsOf, type AnyOpDef } from './types.js';

const k = kernelsOf('tensor/misc', misc);

export const OPS: readonly AnyOpDef[] = [
  { op: 'Identity', since: 1, aliasesInputs: true, outputsAreViews: true, kernel: k('identity'), constraints: { T: EVERY_TYPE }, inputs: ['T'], outputs: ['T'] },
];
