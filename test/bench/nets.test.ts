// The bench networks (bench/support/nets): deterministic bytes, the full-size CNNs
// have exactly torchvision's parameter counts and layer structure, and tiny versions
// of every network run in onnxruntime-node and agree with the compiled module within
// the conformance tolerance.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { cachedNet, netInput } from '../../bench/support/nets/index.js';
import { buildMlp } from '../../bench/support/nets/mlp.js';
import { buildMobileNetV2 } from '../../bench/support/nets/mobilenet-v2.js';
import type { BuiltNet } from '../../bench/support/nets/net-builder.js';
import { buildResNet18 } from '../../bench/support/nets/resnet18.js';
import { generateModule, loadProgramFromBytes } from '../../src/api.js';
import { onnx } from '../../src/frontends/onnx/proto.js';
import { compareTensors, DEFAULT_TOLERANCE, type ComparableTensor } from '../../src/validate/compare.js';
import { TINY_NETS } from '../support/tiny-nets.js';

interface Ort {
  InferenceSession: { create(bytes: Uint8Array, opts: object): Promise<{ run(f: object): Promise<Record<string, ComparableTensor>> }> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => object;
}
// Loaded before any test is registered: the root after() hook must see every test.
const ort = await import('onnxruntime-node').then((m) => m as unknown as Ort, () => undefined);

const dir = mkdtempSync(join(tmpdir(), 'mlcompile-nets-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Learnable parameters (torchvision's count: BatchNorm running statistics and Clip bounds are not parameters) and op counts. */
function summary(net: BuiltNet): { params: number; ops: Record<string, number> } {
  const model = onnx.ModelProto.decode(net.bytes);
  let params = 0;
  for (const t of model.graph?.initializer ?? []) {
    if (/running_(mean|var)$|^relu6\./.test(t.name ?? '')) continue;
    params += (t.dims ?? []).reduce((a: number, d) => a * Number(d), 1);
  }
  const ops: Record<string, number> = {};
  for (const n of model.graph?.node ?? []) ops[n.opType ?? ''] = (ops[n.opType ?? ''] ?? 0) + 1;
  return { params, ops };
}

test('networks are deterministic: same seed, same bytes; another seed, other weights', () => {
  const bytes = (seed: number): Buffer => Buffer.from(buildMlp({ widths: [6, 5, 3], seed }).bytes);
  assert.equal(Buffer.compare(bytes(1), bytes(1)), 0);
  assert.notEqual(Buffer.compare(bytes(1), bytes(2)), 0);
});

test('ResNet-18 at 224 has torchvision\'s 11,689,512 parameters and layer structure', () => {
  const { params, ops } = summary(buildResNet18());
  assert.equal(params, 11_689_512);
  // 1 stem + 16 block convs + 3 downsample shortcuts, each with its BatchNorm.
  assert.deepEqual(ops, { Conv: 20, BatchNormalization: 20, Relu: 17, MaxPool: 1, Add: 8, GlobalAveragePool: 1, Flatten: 1, Gemm: 1 });
});

test('MobileNetV2 (width 1.0) at 224 has torchvision\'s 3,504,872 parameters and layer structure', () => {
  const { params, ops } = summary(buildMobileNetV2());
  assert.equal(params, 3_504_872);
  // Stem + 17 blocks (the first without expansion: 2 convs, the others 3) + the 1×1 to 1280; 10 residual Adds.
  assert.deepEqual(ops, { Conv: 52, BatchNormalization: 52, Clip: 35, Add: 10, GlobalAveragePool: 1, Flatten: 1, Gemm: 1 });
});

test('cachedNet writes the model once and reuses identical bytes', () => {
  const spec = { name: 'tiny-mlp', description: 'test', build: () => buildMlp({ widths: [4, 3, 2] }) };
  const a = cachedNet(spec, dir);
  assert.equal(Buffer.compare(readFileSync(a.path), spec.build().bytes), 0);
  const b = cachedNet(spec, dir);
  assert.equal(b.path, a.path);
  assert.equal(b.weightBytes, (4 * 3 + 3 + 3 * 2 + 2) * 4);
});

const tiny = TINY_NETS;


for (const [name, build] of tiny) {
  test(`tiny ${name}: onnxruntime-node runs it and the compiled module agrees`, { skip: ort === undefined && 'onnxruntime-node is not installed' }, async () => {
    const net = build();
    const x = netInput(net.inputDims);
    const session = await (ort as Ort).InferenceSession.create(net.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const expected = await session.run({ [net.inputName]: new (ort as Ort).Tensor('float32', x, net.inputDims.slice()) });
    const compiled = await generateModule(loadProgramFromBytes(net.bytes, `${name}.onnx`));
    const file = join(dir, `${name}.mjs`);
    writeFileSync(file, compiled.files['model.mjs']);
    const mod = (await import(pathToFileURL(file).href)) as { run(f: object): Record<string, ComparableTensor> };
    const actual = mod.run({ [net.inputName]: { type: 'float32', dims: net.inputDims, data: x } });
    const outputs = Object.keys(expected);
    assert.equal(outputs.length, 1);
    const c = compareTensors(actual[outputs[0]], expected[outputs[0]], DEFAULT_TOLERANCE);
    assert.ok(c.ok, `${name}: ${c.message}`);
  });
}
