// The bench's network set, built on demand into a cache under the OS temp directory
// (never committed: ResNet-18's weights alone are ~45 MB). A cached file is reused
// only when its bytes hash to what the builder produced for the same definition, so
// a changed builder never benchmarks a stale model.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLeNet } from './lenet.js';
import { buildMlp } from './mlp.js';
import { buildMobileNetV2 } from './mobilenet-v2.js';
import { seededRandom, type BuiltNet } from './net-builder.js';
import { buildRecurrent } from './recurrent.js';
import { buildResNet18 } from './resnet18.js';
import { buildTransformer } from './transformer.js';

export interface NetSpec {
  readonly name: string;
  readonly description: string;
  readonly build: () => BuiltNet;
}

export const BENCH_NETS: readonly NetSpec[] = [
  { name: 'mlp', description: 'MLP 784-512-256-10 (Gemm + Relu), batch symbolic', build: () => buildMlp() },
  { name: 'lenet5', description: 'LeNet-5, 1×28×28, batch symbolic', build: () => buildLeNet() },
  { name: 'lstm', description: '2-layer LSTM, input 64, hidden 128, seq 32', build: () => buildRecurrent({ cell: 'LSTM' }) },
  { name: 'gru', description: '2-layer GRU, input 64, hidden 128, seq 32', build: () => buildRecurrent({ cell: 'GRU' }) },
  { name: 'transformer', description: 'transformer encoder, 2 layers, d 128, 4 heads, ff 512, seq 64', build: () => buildTransformer() },
  { name: 'mobilenetv2-224', description: 'MobileNetV2 1.0, 3×224×224, BatchNorm unfused, Relu6 as Clip', build: () => buildMobileNetV2() },
  { name: 'resnet18-224', description: 'ResNet-18 (BasicBlock [2,2,2,2]), 3×224×224, BatchNorm unfused', build: () => buildResNet18() },
];

export interface CachedNet extends Omit<BuiltNet, 'bytes'> {
  readonly name: string;
  readonly path: string;
  readonly fileBytes: number;
}

export const NET_CACHE_DIR = join(tmpdir(), 'mlcompile-bench-nets');

/** Builds the network and writes it to the cache (atomically) when the cached copy differs. */
export function cachedNet(spec: NetSpec, dir = NET_CACHE_DIR): CachedNet {
  const net = spec.build();
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${spec.name}.onnx`);
  const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  if (!existsSync(path) || digest(readFileSync(path)) !== digest(net.bytes)) {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, net.bytes);
    renameSync(tmp, path);
  }
  const { bytes, ...rest } = net;
  return { ...rest, name: spec.name, path, fileBytes: bytes.length };
}

/** A deterministic input in [-1, 1) for a net (batch 1). */
export function netInput(dims: readonly number[], seed = 42): Float32Array {
  const random = seededRandom(seed);
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = random() * 2 - 1;
  return data;
}
