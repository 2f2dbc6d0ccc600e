// The command line on PMML documents, as users run it (`node bin/mlcompile.mjs ...` in a
// child process): compile, --target server, predict, validate (data files and the
// document's own ModelVerification), inspect, and the exit codes of CONTRACT §1.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { linearPmml, linearY } from './module-fixtures.js';

const BIN = fileURLToPath(new URL('../../bin/mlcompile.mjs', import.meta.url));

interface Run { code: number; stdout: string; stderr: string }

let work = '';
const f = (name: string): string => join(work, name);

function cli(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.MLCOMPILE_DEBUG;
    const child = spawn(process.execPath, [BIN, ...args], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function assertExit(r: Run, code: number): void {
  assert.equal(r.code, code, `exit ${r.code}, expected ${code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `stack trace in:\n${r.stderr}`);
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'mlc-pmml-cli-'));
  writeFileSync(f('lin.pmml'), linearPmml({ modelName: 'lin' }));
  writeFileSync(f('verified.pmml'), linearPmml({ modelName: 'verified', verification: [['1', 'red', String(linearY(1, 'red'))], ['-2.5', 'blue', String(linearY(-2.5, 'blue'))]] }));
  writeFileSync(f('misverified.pmml'), linearPmml({ verification: [['1', 'red', String(linearY(1, 'red') + 0.5)]] }));
  // Inputs: strings as CSV gives them, an extra column, and an invalid value (color "green").
  writeFileSync(f('in.csv'), 'x,color,note\n1,red,a\n2.5,blue,b\n-1,green,c\n');
  writeFileSync(f('expected.csv'), `y\n${linearY(1, 'red')}\n${linearY(2.5, 'blue')}\n\n`);
  writeFileSync(f('wrong.csv'), `y\n${linearY(1, 'red')}\n${linearY(2.5, 'blue') + 1}\n\n`);
  writeFileSync(f('in.jsonl'), '{"x": 1, "color": "red"}\n{"x": "2.5", "color": "blue"}\n');
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('pmml cli', { concurrency: 4 }, () => {
  test('compiles a module directory and lists the fields with their PMML types', async () => {
    const r = await cli(['lin.pmml']);
    assertExit(r, 0);
    assert.match(r.stdout, /Compiled lin\.pmml \(pmml, model "lin"\)/);
    assert.match(r.stdout, /"x"\s+double \(continuous\)/);
    assert.match(r.stdout, /"color"\s+string \(categorical, 2 values\)/);
    assert.match(r.stdout, /"y"\s+double \(continuous, predictedValue\)/);
    for (const file of ['model.mjs', 'model.cjs', 'model.d.ts', 'model.ts', 'package.json']) assert.ok(existsSync(f(`out/lin/${file}`)), file);
    // The runtime sources model.ts imports (type-only ones included) ship beside it, whatever the working directory.
    for (const file of ['document.ts', 'types.ts', 'models/regression.ts']) assert.ok(existsSync(f(`out/lin/runtime/pmml/${file}`)), file);
    assert.ok(!existsSync(f('out/lin/runtime/pmml/models/tree.ts')), 'only the compilers the document uses');
    const mod = (await import(`${join(work, 'out/lin/model.mjs')}`)) as { predict: (r: unknown) => Record<string, unknown> };
    assert.deepEqual(mod.predict({ x: 2, color: 'red' }), { y: linearY(2, 'red') });
  });

  test('an invalid document exits 3 naming the file, the element path and the problem', async () => {
    writeFileSync(f('dangling.pmml'), linearPmml().replace('<NumericPredictor name="x"', '<NumericPredictor name="ghost"'));
    const r = await cli(['dangling.pmml', '--out', 'out/dangling']);
    assertExit(r, 3);
    assert.match(r.stderr, /dangling\.pmml: PMML\/RegressionModel\/RegressionTable\/NumericPredictor\[name="ghost"\]: error MLC2101: .*"ghost"/);
    writeFileSync(f('doctype.pmml'), linearPmml().replace('<PMML', '<!DOCTYPE PMML [<!ENTITY e "e">]>\n<PMML'));
    const d = await cli(['doctype.pmml']);
    assertExit(d, 3);
    assert.match(d.stderr, /doctype\.pmml: error MLC1101/);
    writeFileSync(f('sequence.pmml'), linearPmml().replace(/RegressionModel/g, 'SequenceModel'));
    const u = await cli(['sequence.pmml']);
    assertExit(u, 3);
    assert.match(u.stderr, /sequence\.pmml: PMML\/SequenceModel: error MLC3101/);
  });

  test('predict: CSV cells are strings, an empty cell is missing; JSON Lines out with $error, or CSV out', async () => {
    const r = await cli(['predict', 'lin.pmml', '--inputs', 'in.csv']);
    assertExit(r, 0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines[0], { y: linearY(1, 'red') });
    assert.deepEqual(lines[1], { y: linearY(2.5, 'blue') });
    assert.equal(lines[2].y, null);
    assert.equal(typeof lines[2].$error, 'string');
    assert.match(r.stderr, /ignoring columns that name no input field: note/);
    const c = await cli(['predict', 'lin.pmml', '--inputs', 'in.jsonl', '--out', 'pred.csv']);
    assertExit(c, 0);
    assert.equal(readFileSync(f('pred.csv'), 'utf8'), `y\n${linearY(1, 'red')}\n${linearY(2.5, 'blue')}\n`);
  });

  test('predict runs a compiled PMML directory too', async () => {
    assertExit(await cli(['lin.pmml', '--out', 'compiled']), 0);
    const r = await cli(['predict', 'compiled', '--inputs', 'in.jsonl']);
    assertExit(r, 0);
    assert.equal(r.stdout.trim().split('\n').length, 2);
  });

  test('validate with data files: 0 when every row agrees (empty expected = missing), 1 otherwise', async () => {
    const ok = await cli(['validate', 'lin.pmml', '--inputs', 'in.csv', '--expected', 'expected.csv']);
    assertExit(ok, 0);
    assert.match(ok.stdout, /OK: all 3 rows agree/);
    const bad = await cli(['validate', 'lin.pmml', '--inputs', 'in.csv', '--expected', 'wrong.csv', '--report', 'report.json']);
    assertExit(bad, 1);
    assert.match(bad.stdout, /row 2 .*\n\s+y: got 26, expected "27"/);
    const report = JSON.parse(readFileSync(f('report.json'), 'utf8')) as { rows: { ok: boolean }[] };
    assert.deepEqual(report.rows.map((x) => x.ok), [true, false, true]);
    writeFileSync(f('badcol.csv'), 'nope\n1\n2\n3\n');
    const col = await cli(['validate', 'lin.pmml', '--inputs', 'in.csv', '--expected', 'badcol.csv']);
    assertExit(col, 2);
    assert.match(col.stderr, /"nope" names no output field/);
  });

  test('validate without data files checks the ModelVerification records', async () => {
    const ok = await cli(['validate', 'verified.pmml']);
    assertExit(ok, 0);
    assert.match(ok.stdout, /checking its 2 ModelVerification records/);
    assert.match(ok.stdout, /OK: all 2 rows agree \(each field within its precision and zeroThreshold\)/);
    const bad = await cli(['validate', 'misverified.pmml']);
    assertExit(bad, 1);
    const none = await cli(['validate', 'lin.pmml']);
    assertExit(none, 2);
    assert.match(none.stderr, /no ModelVerification records/);
    const half = await cli(['validate', 'lin.pmml', '--inputs', 'in.csv']);
    assertExit(half, 2);
    assert.match(half.stderr, /--expected/);
  });

  test('inspect prints the model, its types and its fields', async () => {
    const r = await cli(['inspect', 'verified.pmml']);
    assertExit(r, 0);
    assert.match(r.stdout, /model:\s+RegressionModel \(regression\) "verified"/);
    assert.match(r.stdout, /verification:\s+2 ModelVerification records/);
    assert.match(r.stdout, /pmml\.score\(%0, %1\)/);
    assert.match(r.stdout, /inputs:\n\s+"x"\s+double \(continuous\)/);
  });

  test('--target server writes a server directory whose manifest describes the fields', async () => {
    const r = await cli(['lin.pmml', '--target', 'server', '--out', 'srv']);
    assertExit(r, 0);
    assert.ok(existsSync(f('srv/server.mjs')));
    const manifest = JSON.parse(readFileSync(f('srv/models/lin/1/manifest.json'), 'utf8')) as { format: string; platform: string; inputs: { name: string; datatype: string; oipShape: number[] }[]; outputs: { datatype: string }[] };
    assert.equal(manifest.format, 'pmml');
    assert.equal(manifest.platform, 'mlcompile_pmml');
    assert.deepEqual(manifest.inputs.map((p) => [p.name, p.datatype, p.oipShape]), [['x', 'FP64', [-1]], ['color', 'BYTES', [-1]]]);
    assert.deepEqual(manifest.outputs.map((p) => p.datatype), ['FP64']);
  });
});
