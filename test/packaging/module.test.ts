// The emitted module as users consume it: ESM, CJS, a bare vm context (the
// browser proxy: no require, no process), byte-identical on recompilation,
// and safe against hostile names.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import ts from 'typescript';
import { compileModelToDir } from '../../src/api.js';
import { graph, modelBytes, valueInfo } from '../support/onnx-builder.js';
import { compileBytes } from '../support/run-module.js';

function identityModel(inName: string, outName: string, nodeName: string, graphName = 'g'): Uint8Array {
  return modelBytes(graph({
    name: graphName,
    nodes: [{ op: 'Identity', inputs: [inName], outputs: [outName], name: nodeName }],
    inputs: [valueInfo(inName, 'float32', [2])],
    outputs: [valueInfo(outName, 'float32', [2])],
  }));
}

function writeModel(bytes: Uint8Array): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-pack-'));
  const file = join(dir, 'model.onnx');
  writeFileSync(file, bytes);
  return { dir, file };
}

const feeds = { x: { type: 'float32', dims: [2], data: new Float32Array([1, -2]) } };

test('module directory holds model.ts/.mjs/.cjs/.d.ts and package.json; JS imports nothing', async () => {
  const { dir, file } = writeModel(identityModel('x', 'y', 'n'));
  const out = join(dir, 'out');
  await compileModelToDir(file, out);
  const files = readdirSync(out).sort();
  for (const f of ['model.cjs', 'model.d.ts', 'model.mjs', 'model.ts', 'package.json']) assert.ok(files.includes(f), f);
  for (const f of ['model.mjs', 'model.cjs']) {
    const text = readFileSync(join(out, f), 'utf8');
    assert.doesNotMatch(text, /^\s*import\s/m, `${f} has an import`);
    assert.doesNotMatch(text, /\brequire\s*\(/, `${f} calls require`);
    assert.doesNotMatch(text, /\bimport\s*\(/, `${f} has a dynamic import`);
  }
  const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(pkg.dependencies, undefined);

  const esm = (await import(pathToFileURL(join(out, 'model.mjs')).href)) as { run: (f: unknown) => Record<string, { data: Float32Array }>; metadata: { format: string } };
  assert.deepEqual(Array.from(esm.run(feeds).y.data), [1, -2]);
  assert.equal(esm.metadata.format, 'onnx');

  const require = createRequire(import.meta.url);
  const cjs = require(join(out, 'model.cjs')) as typeof esm;
  assert.deepEqual(Array.from(cjs.run(feeds).y.data), [1, -2]);
});

test('the CJS bundle runs in a vm context with no require and no process', async () => {
  const { files } = await compileBytes(identityModel('x', 'y', 'n'));
  const module = { exports: {} as Record<string, unknown> };
  const context = vm.createContext({ module, exports: module.exports });
  vm.runInContext(files['model.cjs'], context);
  const run = module.exports.run as (f: unknown) => Record<string, { data: ArrayLike<number>; dims: number[] }>;
  // Feeds are built inside the context, as browser code would build them.
  const result = vm.runInContext('(run) => run({ x: { type: "float32", dims: [2], data: [3, 4] } })', context) as (r: typeof run) => ReturnType<typeof run>;
  const y = result(run).y;
  assert.deepEqual(Array.from(y.data), [3, 4]);
  assert.equal(vm.runInContext('typeof process + typeof require', context), 'undefinedundefined');
});

test('compiling the same model twice gives identical bytes', async () => {
  const bytes = identityModel('x', 'y', 'n');
  const a = writeModel(bytes);
  const b = writeModel(bytes);
  await compileModelToDir(a.file, join(a.dir, 'out'));
  await compileModelToDir(b.file, join(b.dir, 'out'));
  for (const f of ['model.ts', 'model.mjs', 'model.cjs', 'model.d.ts', 'package.json']) {
    assert.equal(readFileSync(join(a.dir, 'out', f), 'utf8'), readFileSync(join(b.dir, 'out', f), 'utf8'), f);
  }
});

const HOSTILE = [
  'a"b', "a'b", 'a`b', 'x*/y', '${process.exit(1)}', 'line\nbreak', 'class', 'constructor', '__proto__',
  '"; process.exit(1); //', '*/ process.exit(1) /*', 'return', '0starts_with_digit', '', 'u\u2028v',
];

for (const name of HOSTILE) {
  test(`hostile name ${JSON.stringify(name)} compiles to working code`, async () => {
    const inName = name === '' ? 'in' : name;
    const outName = `${name}_out`;
    // Were a name injected as code, importing or running the module would exit this process.
    const { mod } = await compileBytes(identityModel(inName, outName, name, name || 'g'));
    const result = mod.run({ [inName]: { type: 'float32', dims: [2], data: [5, 6] } });
    assert.deepEqual(Array.from(result[outName].data), [5, 6]);
    assert.deepEqual(Object.keys(result), [outName]);
  });
}

test('TypeScript finds the types of a relative import of model.mjs and a require of model.cjs', async () => {
  const { dir, file } = writeModel(identityModel('x', 'y', 'n'));
  const out = join(dir, 'out');
  await compileModelToDir(file, out);
  for (const f of ['model.d.mts', 'model.d.cts']) assert.equal(readFileSync(join(out, f), 'utf8'), readFileSync(join(out, 'model.d.ts'), 'utf8'), f);
  writeFileSync(join(out, 'use.mts'), [
    "import { metadata, run } from './model.mjs';",
    "const backend: 'wasm-simd' | 'js' = metadata.backend;",
    "const y: Float32Array | unknown = run({ x: { type: 'float32', dims: [2], data: new Float32Array(2) } }).y.data;",
    'export { backend, y };',
  ].join('\n'));
  writeFileSync(join(out, 'use.cts'), "import m = require('./model.cjs');\nexport const name: string = m.metadata.name;\n");
  writeFileSync(join(out, 'wrong.mts'), "import { run } from './model.mjs';\nrun({ nope: 1 });\n");
  const check = (name: string): string[] => {
    const program = ts.createProgram([join(out, name)], { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [] });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  };
  assert.deepEqual(check('use.mts'), []);
  assert.deepEqual(check('use.cts'), []);
  assert.ok(check('wrong.mts').length > 0, 'a wrong feed is a type error: the types are really used');
});
