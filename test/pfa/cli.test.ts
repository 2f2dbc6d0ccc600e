// `mlcompile predict` and `mlcompile validate` on PFA documents, through the real CLI:
// one engine scores the file in order (cells carried over), JSON Lines and CSV inputs,
// emit results as arrays, PFA errors as {"$error": CODE}, a whole-engine case of the
// conformance suite validated against its expected outputs, a mismatch (exit 1) and an
// input that does not match the input type (a data error naming the line).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin', 'mlcompile.mjs');
const ENGINES = join(ROOT, '..', 'shared', 'conformance', 'pfa', 'engines');
const dir = mkdtempSync(join(tmpdir(), 'mlc-pfa-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

const EMITTER = {
  name: 'tagger', method: 'emit', output: 'string',
  input: { type: 'record', name: 'I', fields: [{ name: 'x', type: 'double' }, { name: 'tags', type: { type: 'array', items: 'string' } }] },
  cells: { n: { type: 'int', init: 0 } },
  action: [
    { if: { '<': ['input.x', 0] }, then: { error: 'negative', code: -3 } },
    { cell: 'n', to: { params: [{ v: 'int' }], ret: 'int', do: { '+': ['v', 1] } } },
    { foreach: 't', in: 'input.tags', do: { emit: [{ 's.concat': ['t', { 's.int': { cell: 'n' } }] }] } },
  ],
};

test('predict: one engine in order, JSON Lines and CSV inputs, errors as $error', () => {
  const model = file('tagger.pfa', JSON.stringify(EMITTER));
  const jsonl = file('in.jsonl', '{"x": 1, "tags": ["a", "b"]}\n{"x": -1, "tags": ["z"]}\n\n{"x": 2, "tags": ["c"]}\n');
  const csv = file('in.csv', 'x,tags\n1,"[""a"",""b""]"\n-1,"[""z""]"\n2,"[""c""]"\n');
  const expected = ['["a1","b1"]', '{"$error":-3,"message":"negative"}', '["c2"]'];
  for (const inputs of [jsonl, csv]) {
    const r = cli('predict', model, '--inputs', inputs);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), expected);
  }
  const bad = cli('predict', model, '--inputs', file('bad.jsonl', '{"x": 1, "tags": []}\n{"x": "no", "tags": []}\n'));
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /bad\.jsonl: line 2: .*input\.x/);
});

test('validate: expected JSON Lines with errors; a mismatch exits 1 naming the row', () => {
  const model = file('tagger.pfa', JSON.stringify(EMITTER));
  const inputs = file('v.jsonl', '{"x": 1, "tags": ["a"]}\n{"x": -5, "tags": []}\n{"x": 0.5, "tags": ["q", "r"]}\n');
  const good = cli('validate', model, '--inputs', inputs, '--expected', file('good.jsonl', '["a1"]\n{"$error": -3}\n["q2", "r2"]\n'));
  assert.equal(good.status, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /all 3 rows agree/);
  const wrong = cli('validate', model, '--inputs', inputs, '--expected', file('wrong.jsonl', '["a1"]\n["x"]\n["q2", "r2"]\n'));
  assert.equal(wrong.status, 1, wrong.stdout + wrong.stderr);
  assert.match(wrong.stdout, /row 2 .*\n.*PFA error -3: negative/);
  const short = cli('validate', model, '--inputs', inputs, '--expected', file('short.jsonl', '["a1"]\n'));
  assert.notEqual(short.status, 0);
  assert.match(short.stderr, /more rows than/);
});

test('validate: a whole-engine case of the conformance suite (fold engine with tolerance)', (t) => {
  const name = 'prettypfa_testTutorial_TestTutorial_testTutorial1_6';
  const dirCase = join(ENGINES, name);
  if (!existsSync(dirCase)) {
    t.skip(`the PFA conformance data (${dirCase}) is absent`);
    return;
  }
  const r = cli('validate', join(dirCase, 'engine.pfa'), '--inputs', join(dirCase, 'inputs.jsonl'), '--expected', join(dirCase, 'outputs.jsonl'), '--rtol', '1e-9', '--atol', '1e-12');
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('predict and validate: longs are exact to ±2^63 in and out', () => {
  const model = file('inc.pfa', JSON.stringify({ input: 'long', output: 'long', action: { '+': ['input', 1] } }));
  const inputs = file('big.jsonl', '9223372036854775806\n-9223372036854775808\n9223372036854775807\n');
  const r = cli('predict', model, '--inputs', inputs);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['9223372036854775807', '-9223372036854775807', '{"$error":18001,"message":"long overflow"}']);
  const v = cli('validate', model, '--inputs', inputs, '--expected', file('big-expected.jsonl', '9223372036854775807\n-9223372036854775807\n{"$error": 18001}\n'));
  assert.equal(v.status, 0, v.stdout + v.stderr);
  const off = cli('validate', model, '--inputs', inputs, '--expected', file('big-off.jsonl', '9223372036854775806\n-9223372036854775807\n{"$error": 18001}\n'));
  assert.equal(off.status, 1, off.stdout + off.stderr);
});
