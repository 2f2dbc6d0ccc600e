// The Constant op's value: exactly one of value, value_float(s), value_int(s), value_string(s).

import type { Tensor } from '../../../runtime/tensor/tensor.js';
import { fail } from '../../diagnostics/diagnostic.js';
import type { AttrReader } from './attrs.js';

export function constantNodeValue(a: AttrReader): Tensor {
  const present = ['value', 'value_float', 'value_floats', 'value_int', 'value_ints', 'value_string', 'value_strings', 'sparse_value']
    .filter((n) => a.has(n));
  if (present.length !== 1) fail('MLC2003', `Constant needs exactly one value attribute, has ${present.length ? present.join(', ') : 'none'}`);
  switch (present[0]) {
    case 'value': return a.tensor('value');
    case 'value_float': return { type: 'float32', dims: [], data: Float32Array.of(a.float('value_float')) };
    case 'value_floats': { const v = a.floats('value_floats'); return { type: 'float32', dims: [v.length], data: Float32Array.from(v) }; }
    case 'value_int': return { type: 'int64', dims: [], data: BigInt64Array.of(BigInt(a.int('value_int'))) };
    case 'value_ints': { const v = a.ints('value_ints'); return { type: 'int64', dims: [v.length], data: BigInt64Array.from(v.map(BigInt)) }; }
    case 'value_string': return { type: 'string', dims: [], data: [a.string('value_string')] };
    case 'value_strings': { const v = a.strings('value_strings'); return { type: 'string', dims: [v.length], data: v }; }
    default: return fail('MLC3005', 'Constant with a sparse_value is not supported yet');
  }
}
