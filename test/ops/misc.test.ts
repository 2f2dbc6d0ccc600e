import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOp } from './helpers.js';

test('Identity passes data through and the output is a copy', async () => {
  const [y] = await runOp('Identity', [{ type: 'float32', dims: [2], data: [1.5, -2] }]);
  assert.deepEqual(y.dims, [2]);
  assert.deepEqual(Array.from(y.data), [1.5, -2]);
});
