// The generated PMML module as users consume it: predict/predictBatch on records,
// metadata, model.d.ts, a bare vm context (no require, no process), byte-identical
// recompilation, and field names that are hostile as code.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';
import ts from 'typescript';
import { generateModule, loadProgramFromBytes } from '../../src/api.js';
import { compileBytes } from '../support/run-module.js';
import { linearPmml, linearY, sameName, treePmml } from './module-fixtures.js';

interface PmmlModule {
  predict(record: Record<string, unknown>): Record<string, unknown>;
  predictBatch(records: Record<string, unknown>[]): Record<string, unknown>[];
  metadata: { name: string; format: string; inputs: { name: string; type: string; optype: string; values?: unknown[] }[]; outputs: { name: string; type: string; feature: string }[] };
}

/** Syntax errors of TypeScript source (what an injected name would cause). */
function syntaxErrors(text: string, file: string): string[] {
  // Declarations are valid in a .ts file too (transpileModule writes no output for a .d.ts).
  const out = ts.transpileModule(text, { fileName: file.replace(/\.d\.ts$/, '.types.ts'), reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
  return (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

async function load(text: string, file = 'model.pmml'): Promise<{ mod: PmmlModule; files: Readonly<Record<string, string>> }> {
  const r = await compileBytes(bytes(text), file);
  return { mod: r.mod as unknown as PmmlModule, files: r.files };
}

test('predict scores a record; strings are converted by dataType; predictBatch scores each', async () => {
  const { mod } = await load(linearPmml({ modelName: 'lin' }));
  assert.deepEqual(mod.predict({ x: 3, color: 'red' }), { y: linearY(3, 'red') });
  assert.deepEqual(mod.predict({ x: '2.5', color: 'blue' }), { y: linearY(2.5, 'blue') });
  assert.deepEqual(mod.predictBatch([{ x: 0, color: 'red' }, { x: -1, color: 'blue', extra: 'ignored' }]), [{ y: linearY(0, 'red') }, { y: linearY(-1, 'blue') }]);
  assert.equal(mod.metadata.name, 'lin');
  assert.equal(mod.metadata.format, 'pmml');
  assert.deepEqual(mod.metadata.inputs.map((f) => [f.name, f.type, f.optype]), [['x', 'double', 'continuous'], ['color', 'string', 'categorical']]);
  assert.deepEqual(mod.metadata.inputs[1].values, ['red', 'blue']);
  assert.deepEqual(mod.metadata.outputs.map((f) => [f.name, f.type, f.feature]), [['y', 'double', 'predictedValue']]);
});

test('an invalid value (returnInvalid) gives null outputs and $error; predict never throws on bad data', async () => {
  const { mod } = await load(linearPmml());
  const r = mod.predict({ x: 1, color: 'green' });
  assert.equal(r.y, null);
  assert.equal(typeof r.$error, 'string');
  assert.doesNotThrow(() => mod.predict({ x: { not: 'a number' } as unknown, color: [1, 2] as unknown }));
  assert.doesNotThrow(() => mod.predict(null as unknown as Record<string, unknown>));
});

test('a classifier without Output gives the target and probability(<class>) fields', async () => {
  const { mod } = await load(treePmml());
  assert.deepEqual(Object.keys(mod.predict({ x: 1 })), ['label', 'probability(neg)', 'probability(pos)']);
  const r = mod.predict({ x: -2 });
  assert.equal(r.label, 'neg');
  assert.ok(Math.abs((r['probability(neg)'] as number) - 0.8) < 1e-12);
});

test('the name defaults to modelName, else the file stem; --name wins', () => {
  assert.equal(loadProgramFromBytes(bytes(linearPmml({ modelName: 'given' })), 'dir/file.pmml').name, 'given');
  assert.equal(loadProgramFromBytes(bytes(linearPmml()), 'dir/file.pmml').name, 'file');
  assert.equal(loadProgramFromBytes(bytes(linearPmml({ modelName: 'given' })), 'file.pmml', { name: 'chosen' }).name, 'chosen');
});

test('model.ts imports compileDocument and only the compilers the document uses; JS bundles import nothing', async () => {
  const { files } = await load(treePmml());
  const ts = files['model.ts'];
  assert.match(ts, /import \{ compileDocument \} from "\.\/runtime\/pmml\/document\.js";/);
  assert.match(ts, /import \{ treeModel \} from "\.\/runtime\/pmml\/models\/tree\.js";/);
  assert.deepEqual([...ts.matchAll(/from "\.\/runtime\/pmml\/models\/([a-z-]+)\.js"/g)].map((m) => m[1]), ['tree']);
  for (const f of ['model.mjs', 'model.cjs']) {
    assert.doesNotMatch(files[f], /^\s*import\s/m, `${f} has an import`);
    assert.doesNotMatch(files[f], /\brequire\s*\(/, `${f} calls require`);
    assert.doesNotMatch(files[f], /\bimport\s*\(/, `${f} has a dynamic import`);
  }
});

test('build-only elements (ModelVerification) are not embedded', async () => {
  const { files } = await load(linearPmml({ verification: [['1', 'red', '13']] }));
  assert.doesNotMatch(files['model.ts'], /ModelVerification|InlineTable/);
});

test('the CJS bundle runs in a vm context with no require and no process', async () => {
  const { files } = await load(linearPmml());
  const module = { exports: {} as Record<string, unknown> };
  const context = vm.createContext({ module, exports: module.exports });
  vm.runInContext(files['model.cjs'], context);
  const predict = module.exports.predict as (r: unknown) => Record<string, unknown>;
  const run = vm.runInContext('(predict) => predict({ x: 4, color: "blue" })', context) as (p: typeof predict) => Record<string, unknown>;
  assert.equal(run(predict).y, linearY(4, 'blue'));
  assert.equal(vm.runInContext('typeof process + typeof require', context), 'undefinedundefined');
});

test('compiling the same document twice gives identical bytes', async () => {
  const text = linearPmml({ modelName: 'same', outputs: ['out'] });
  const a = await generateModule(loadProgramFromBytes(bytes(text), 'm.pmml'));
  const b = await generateModule(loadProgramFromBytes(bytes(text), 'm.pmml'));
  for (const f of ['model.ts', 'model.mjs', 'model.cjs', 'model.d.ts', 'package.json']) assert.equal(a.files[f], b.files[f], f);
});

test('model.d.ts: Input and Output named after the fields, categorical values as unions, $error', async () => {
  const { files } = await load(linearPmml({ x: 'sepal length', outputs: ['Predicted'] }));
  const dts = files['model.d.ts'];
  assert.match(dts, /export interface Input \{[^}]*"sepal length"\?: number \| null;[^}]*color\?: "red" \| "blue" \| null;[^}]*\}/s);
  assert.match(dts, /export interface Output \{[^}]*Predicted: number \| null;[^}]*\$error\?: string;[^}]*\}/s);
  assert.match(dts, /export declare function predict\(record: Input\): Output;/);
  assert.match(dts, /export declare function predictBatch\(records: readonly Input\[\]\): Output\[\];/);
  assert.match(dts, /export declare const metadata: \{ "name": /);
  const tree = (await load(treePmml())).files['model.d.ts'];
  assert.match(tree, /label: "neg" \| "pos" \| null;/);
  assert.match(tree, /"probability\(neg\)": number \| null;/);
});

const HOSTILE = [
  'a"b', "a'b", 'a`b', 'back\\slash', 'line\nbreak', 'x*/y', '*/ globalThis.__pwned = 1; /*', '</script><script>globalThis.__pwned = 1</script>',
  '${globalThis.__pwned = 1}', '"; globalThis.__pwned = 1; //', 'ünï 😀 \u2028', '__proto__', 'constructor', '0digit',
];

test('hostile field names compile, load and score correctly; no name becomes code', async () => {
  const g = globalThis as { __pwned?: number };
  for (const [k, name] of HOSTILE.entries()) {
    const x = name;
    const color = `${name} color`;
    const y = `${name} y`;
    const out = `${name} out`;
    const { mod, files } = await load(linearPmml({ x, color, y, modelName: name, outputs: [out] }), `${k}.pmml`);
    // The names as the document spells them once read (an XML processor may turn a line break into a space).
    const [ix, icolor] = mod.metadata.inputs.map((f) => f.name);
    const oout = mod.metadata.outputs[0].name;
    assert.ok(sameName(ix, x) && sameName(icolor, color) && sameName(oout, out), `${JSON.stringify(name)}: ${JSON.stringify([ix, icolor, oout])}`);
    const rec: Record<string, unknown> = {};
    Object.defineProperty(rec, ix, { value: 3, enumerable: true });
    rec[icolor] = 'red';
    const r = mod.predict(rec);
    assert.deepEqual(Object.keys(r), [oout], name);
    assert.equal(r[oout], linearY(3, 'red'), name);
    assert.equal(g.__pwned, undefined, `${JSON.stringify(name)} ran as code`);
    // The sources parse cleanly: a name that escaped its string literal or comment would break them.
    for (const f of ['model.ts', 'model.d.ts']) assert.deepEqual(syntaxErrors(files[f], f), [], `${f} for ${JSON.stringify(name)}`);
  }
});
