// A one-node ONNX module (Identity on float32 [N, 2]) for server tests that need a
// real compiled model but not a particular one.

import type { ModelModule } from '../../runtime/server/models-repository.js';
import { graph, modelBytes, valueInfo } from './onnx-builder.js';
import { compileBytes } from './run-module.js';

export async function identModule(): Promise<ModelModule> {
  const bytes = modelBytes(graph({
    name: 'ident',
    nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'], name: 'id' }],
    inputs: [valueInfo('x', 'float32', ['N', 2])],
    outputs: [valueInfo('y', 'float32', ['N', 2])],
  }));
  return (await compileBytes(bytes, 'ident.onnx')).mod as unknown as ModelModule;
}
