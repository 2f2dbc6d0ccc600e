// The command line as users run it: `node bin/mlcompile.mjs ...` in a child process,
// checking exit codes (CONTRACT §1), messages and the files written (CONTRACT §2).
// Required cases use only the Identity op.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { graph, modelBytes, valueInfo } from '../support/onnx-builder.js';

const BIN = fileURLToPath(new URL('../../bin/mlcompile.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

interface Run { code: number; stdout: string; stderr: string }

/** Runs the CLI with `args` in `cwd` (a temp dir by default: it must work from anywhere). */
function cli(args: readonly string[], cwd = work): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.MLCOMPILE_DEBUG;
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
}

/** No stack trace reaches the user for expected failures. */
function assertNoStack(r: Run): void {
  assert.doesNotMatch(r.stderr, /^\s+at /m, `stack trace in:\n${r.stderr}`);
}

let work = '';
const f = (name: string): string => join(work, name);

function writeModel(name: string, spec: Parameters<typeof graph>[0]): string {
  const path = f(name);
  writeFileSync(path, modelBytes(graph(spec)));
  return path;
}

const identitySpec = {
  name: 'ident',
  nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
  inputs: [valueInfo('x', 'float32', ['N', 4])],
  outputs: [valueInfo('y', 'float32', ['N', 4])],
};

let ident = '';

before(() => {
  work = mkdtempSync(join(tmpdir(), 'mlcompile-cli-test-'));
  ident = writeModel('ident.onnx', identitySpec);
  writeFileSync(f('inputs.jsonl'), [
    '{"x": {"type": "float32", "dims": [1, 4], "data": [1, 2, 3, 4]}}',
    '{"x": [[0.5, -1.25, "NaN", 1e30]]}',
    '',
    '{"x": {"data": [5, 6, 7, 8]}}',
  ].join('\n') + '\n');
  writeFileSync(f('expected.jsonl'), [
    '{"y": {"type": "float32", "dims": [1, 4], "data": [1, 2, 3, 4]}}',
    '{"y": [0.5, -1.25, "NaN", 1e30]}',
    '{"y": {"data": [5, 6, 7, 8]}}',
  ].join('\n') + '\n');
  writeFileSync(f('wrong.jsonl'), [
    '{"y": {"type": "float32", "dims": [1, 4], "data": [1, 2, 3, 4]}}',
    '{"y": [0.5, -1.5, "NaN", 1e30]}',
    '{"y": {"type": "float32", "dims": [1, 4], "data": [5, 6, 7, 80]}}',
  ].join('\n') + '\n');
  writeFileSync(f('inputs.csv'), 'a,b,c,d\n1,2,3,4\n0.5,-1.25,NaN,1e30\n5,6,7,8\n');
  writeFileSync(f('expected.csv'), 'y[0],y[1],y[2],y[3]\n1,2,3,4\n0.5,-1.25,nan,1e30\n5,6,7,8\n');
  writeFileSync(f('wrong.csv'), 'y[0],y[1],y[2],y[3]\n1,2,3,4\n0.5,-1.25,nan,1e30\n5,6,7.5,8\n');
});

after(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('help and flags', { concurrency: 4 }, () => {
  test('--help prints every command form and the data conventions', async () => {
    const r = await cli(['--help']);
    assertExit(r, 0);
    for (const s of ['mlcompile <model-file>', 'mlcompile validate', 'mlcompile predict', 'mlcompile inspect', '--target', '--out', '--name', '--model-version', '--no-optimize', '"y[0]"', 'Exit codes']) {
      assert.ok(r.stdout.includes(s), `--help lacks ${s}:\n${r.stdout}`);
    }
  });

  test('validate --help documents tolerances and the CSV columns', async () => {
    const r = await cli(['validate', '--help']);
    assertExit(r, 0);
    for (const s of ['--inputs', '--expected', '--rtol', '--atol', '--report', 'y[0]', 'atol + rtol']) assert.ok(r.stdout.includes(s), s);
  });

  test('npx mlcompile --help works from the repository root', async () => {
    const r = await new Promise<Run>((resolve, reject) => {
      const child = spawn('npx', ['--no-install', 'mlcompile', '--help'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    assertExit(r, 0);
    assert.match(r.stdout, /mlcompile validate/);
  });

  test('--version prints the version', async () => {
    const r = await cli(['--version']);
    assertExit(r, 0);
    assert.match(r.stdout, /^\d+\.\d+\.\d+/);
  });

  test('an unknown flag is a usage error (2)', async () => {
    const r = await cli([ident, '--no-such-flag']);
    assertExit(r, 2);
    assert.match(r.stderr, /unknown option '--no-such-flag'/);
  });

  test('no model file is a usage error (2) with the usage', async () => {
    const r = await cli([]);
    assertExit(r, 2);
    assert.match(r.stderr, /Usage: mlcompile/);
  });

  test('--target server writes a server directory with a version and a bundled server', async () => {
    const r = await cli([ident, '--target', 'server', '--out', f('server-out'), '--name', 'ident', '--model-version', '3']);
    assertExit(r, 0);
    for (const file of ['server.mjs', 'Dockerfile', 'openapi.json', 'models/ident/3/model.mjs', 'models/ident/3/manifest.json']) {
      assert.ok(existsSync(join(f('server-out'), file)), file);
    }
    assert.match(r.stdout, /ident\/3/);
  });

  test('an unknown --target is a usage error (2)', async () => {
    const r = await cli([ident, '--target', 'wasm']);
    assertExit(r, 2);
    assert.match(r.stderr, /module, server/);
  });

  test('a missing model file is a usage error (2)', async () => {
    const r = await cli([f('nope.onnx')]);
    assertExit(r, 2);
    assert.match(r.stderr, /not found: .*nope\.onnx/);
  });
});

describe('compile', { concurrency: 4 }, () => {
  test('writes the module files; the JavaScript imports nothing and runs', async () => {
    const out = f('out-ident');
    const r = await cli([ident, '--out', out, '--model-version', '7']);
    assertExit(r, 0);
    for (const name of ['model.mjs', 'model.cjs', 'model.d.ts', 'model.ts', 'package.json']) {
      assert.ok(existsSync(join(out, name)), `${name} missing`);
      assert.ok(r.stdout.includes(name), `summary lacks ${name}`);
    }
    assert.match(r.stdout, /"x"\s+float32\[N,4\]/);
    assert.match(r.stdout, /"y"\s+float32\[N,4\]/);
    for (const name of ['model.mjs', 'model.cjs']) {
      const js = readFileSync(join(out, name), 'utf8');
      assert.doesNotMatch(js, /^\s*import[\s{*'"]/m, `${name} has an import statement`);
      assert.doesNotMatch(js, /\bimport\s*\(/, `${name} has a dynamic import`);
      assert.doesNotMatch(js, /\brequire\s*\(/, `${name} calls require`);
    }
    const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(pkg.dependencies, undefined);
    const mod = (await import(pathToFileURL(join(out, 'model.mjs')).href)) as {
      run(feeds: Record<string, unknown>): Record<string, { type: string; dims: number[]; data: ArrayLike<number> }>;
      metadata: { name: string; version: string };
    };
    assert.equal(mod.metadata.version, '7');
    const y = mod.run({ x: { type: 'float32', dims: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8] } }).y;
    assert.deepEqual(y.dims, [2, 4]);
    assert.deepEqual(Array.from(y.data), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('--out defaults to ./out/<model name>; --name renames it', async () => {
    const cwd = mkdtempSync(join(work, 'cwd-'));
    const r1 = await cli([ident], cwd);
    assertExit(r1, 0);
    assert.ok(existsSync(join(cwd, 'out', 'ident', 'model.mjs')), r1.stdout);
    const r2 = await cli([ident, '--name', 'iris classifier'], cwd);
    assertExit(r2, 0);
    const meta = readFileSync(join(cwd, 'out', 'iris_classifier', 'model.d.ts'), 'utf8') + readFileSync(join(cwd, 'out', 'iris_classifier', 'model.mjs'), 'utf8');
    assert.match(meta, /iris classifier/);
  });

  test('a model file that is garbage exits 3 naming the file', async () => {
    writeFileSync(f('garbage.onnx'), 'this is not a model at all');
    const r = await cli([f('garbage.onnx')]);
    assertExit(r, 3);
    assert.match(r.stderr, /garbage\.onnx/);
    assert.match(r.stderr, /MLC1002/);
    assertNoStack(r);
  });

  test('a truncated .onnx exits 3 naming the file', async () => {
    const bytes = modelBytes(graph(identitySpec));
    writeFileSync(f('truncated.onnx'), bytes.subarray(0, bytes.length - 9));
    const r = await cli([f('truncated.onnx'), '--out', f('out-trunc')]);
    assertExit(r, 3);
    assert.match(r.stderr, /truncated\.onnx/);
    assert.match(r.stderr, /MLC1003/);
    assertNoStack(r);
  });

  test('an unknown op exits 3 naming the node and the op', async () => {
    const path = writeModel('unknown-op.onnx', {
      name: 'bad',
      nodes: [{ op: 'NoSuchOp', name: 'mystery_node', inputs: ['x'], outputs: ['y'] }],
      inputs: [valueInfo('x', 'float32', [1, 4])],
      outputs: [valueInfo('y', 'float32', [1, 4])],
    });
    const r = await cli([path, '--out', f('out-unknown')]);
    assertExit(r, 3);
    assert.match(r.stderr, /unknown-op\.onnx/);
    assert.match(r.stderr, /mystery_node/);
    assert.match(r.stderr, /NoSuchOp/);
    assert.match(r.stderr, /MLC3001/);
    assertNoStack(r);
  });

  test('a dangling input name exits 3 naming the value', async () => {
    const path = writeModel('dangling.onnx', {
      name: 'bad',
      nodes: [{ op: 'Identity', name: 'copy', inputs: ['not_defined_anywhere'], outputs: ['y'] }],
      inputs: [valueInfo('x', 'float32', [1, 4])],
      outputs: [valueInfo('y', 'float32', [1, 4])],
    });
    const r = await cli([path, '--out', f('out-dangling')]);
    assertExit(r, 3);
    assert.match(r.stderr, /dangling\.onnx/);
    assert.match(r.stderr, /not_defined_anywhere/);
    assert.match(r.stderr, /MLC2002/);
    assertNoStack(r);
  });
});

describe('validate', { concurrency: 4 }, () => {
  test('JSON Lines that match exit 0', async () => {
    const r = await cli(['validate', ident, '--inputs', f('inputs.jsonl'), '--expected', f('expected.jsonl')]);
    assertExit(r, 0);
    assert.match(r.stdout, /^\s+y\s+3\s+0\s+0\s/m);
    assert.match(r.stdout, /OK: all 3 rows agree/);
  });

  test('JSON Lines that differ exit 1 and show the worst rows first; --report has every row', async () => {
    const report = f('report.json');
    const r = await cli(['validate', ident, '--inputs', f('inputs.jsonl'), '--expected', f('wrong.jsonl'), '--report', report]);
    assertExit(r, 1);
    assert.match(r.stdout, /FAILED: 2 of 3 rows disagree/);
    const worst = r.stdout.slice(r.stdout.indexOf('worst first'));
    // Row 3 (error 72) is worse than row 2 (error 0.25); line numbers skip the blank line.
    assert.match(worst, /row 3 \(inputs\.jsonl line 4, wrong\.jsonl line 3\): off by 72\n\s+y: 1 of 4 elements differ; first at index 3: got 8, expected 80/);
    assert.ok(worst.indexOf('row 3') < worst.indexOf('row 2'), worst);
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      rows: { row: number; ok: boolean; checks: { output: string; actual?: unknown }[] }[]; summary: { ok: boolean; mismatchedRows: number };
    };
    assert.deepEqual(json.rows.map((x) => [x.row, x.ok]), [[1, true], [2, false], [3, false]]);
    assert.ok(json.rows[1].checks[0].actual !== undefined);
    assert.equal(json.summary.ok, false);
    assert.equal(json.summary.mismatchedRows, 2);
  });

  test('CSV that matches exits 0; a single-input model takes all columns', async () => {
    const r = await cli(['validate', ident, '--inputs', f('inputs.csv'), '--expected', f('expected.csv')]);
    assertExit(r, 0);
    assert.match(r.stdout, /OK: all 3 rows agree/);
  });

  test('CSV that differs exits 1 with the worst row', async () => {
    const r = await cli(['validate', ident, '--inputs', f('inputs.csv'), '--expected', f('wrong.csv')]);
    assertExit(r, 1);
    assert.match(r.stdout, /row 3 \(inputs\.csv line 4, wrong\.csv line 4\)/);
    assert.match(r.stdout, /got 7, expected 7\.5/);
  });

  test('--rtol/--atol loosen the comparison', async () => {
    const r = await cli(['validate', ident, '--inputs', f('inputs.csv'), '--expected', f('wrong.csv'), '--atol', '0.6']);
    assertExit(r, 0);
  });

  test('a missing --inputs file is a usage error (2)', async () => {
    const r = await cli(['validate', ident, '--inputs', f('missing.jsonl'), '--expected', f('expected.jsonl')]);
    assertExit(r, 2);
    assert.match(r.stderr, /--inputs file not found: .*missing\.jsonl/);
  });

  test('a missing --expected flag, a bad tolerance and an unknown extension are usage errors (2)', async () => {
    const r1 = await cli(['validate', ident, '--inputs', f('inputs.jsonl')]);
    assertExit(r1, 2);
    assert.match(r1.stderr, /--expected/);
    const r2 = await cli(['validate', ident, '--inputs', f('inputs.jsonl'), '--expected', f('expected.jsonl'), '--rtol', 'lots']);
    assertExit(r2, 2);
    writeFileSync(f('inputs.txt'), 'x\n');
    const r3 = await cli(['validate', ident, '--inputs', f('inputs.txt'), '--expected', f('expected.jsonl')]);
    assertExit(r3, 2);
    assert.match(r3.stderr, /\.csv .*\.jsonl/);
  });

  test('malformed data files are usage errors (2) naming the file and line', async () => {
    writeFileSync(f('broken.jsonl'), '{"x": [1, 2, 3, 4]}\n{"x": [1, 2, \n');
    const r1 = await cli(['validate', ident, '--inputs', f('broken.jsonl'), '--expected', f('expected.jsonl')]);
    assertExit(r1, 2);
    assert.match(r1.stderr, /broken\.jsonl: line 2: error MLC6001: invalid JSON/);
    writeFileSync(f('short.jsonl'), '{"y": [1, 2, 3, 4]}\n');
    const r2 = await cli(['validate', ident, '--inputs', f('inputs.jsonl'), '--expected', f('short.jsonl')]);
    assertExit(r2, 2);
    assert.match(r2.stderr, /inputs\.jsonl has 3 rows but short\.jsonl has 1/);
    writeFileSync(f('badcol.csv'), 'z\n1\n2\n3\n');
    const r3 = await cli(['validate', ident, '--inputs', f('inputs.csv'), '--expected', f('badcol.csv')]);
    assertExit(r3, 2);
    assert.match(r3.stderr, /column "z" names no output/);
    assertNoStack(r3);
  });
});

describe('predict', { concurrency: 4 }, () => {
  test('writes one JSON line per row to stdout', async () => {
    const r = await cli(['predict', ident, '--inputs', f('inputs.jsonl')]);
    assertExit(r, 0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { y: { type: string; dims: number[]; data: unknown[] } });
    assert.equal(lines.length, 3);
    assert.deepEqual(lines[0], { y: { type: 'float32', dims: [1, 4], data: [1, 2, 3, 4] } });
    assert.deepEqual(lines[1].y.data, [0.5, -1.25, 'NaN', 1e30]);
  });

  test('--out FILE.jsonl and FILE.csv; the output validates as expected values', async () => {
    const r1 = await cli(['predict', ident, '--inputs', f('inputs.csv'), '--out', f('pred.jsonl')]);
    assertExit(r1, 0);
    assert.equal(r1.stdout, '');
    assert.match(r1.stderr, /Wrote 3 predictions/);
    assert.equal(readFileSync(f('pred.jsonl'), 'utf8').trim().split('\n').length, 3);
    const r2 = await cli(['predict', ident, '--inputs', f('inputs.jsonl'), '--out', f('pred.csv')]);
    assertExit(r2, 0);
    assert.equal(readFileSync(f('pred.csv'), 'utf8'), 'y[0],y[1],y[2],y[3]\n1,2,3,4\n0.5,-1.25,NaN,1e+30\n5,6,7,8\n');
    const r3 = await cli(['validate', ident, '--inputs', f('inputs.jsonl'), '--expected', f('pred.csv')]);
    assertExit(r3, 0);
  });

  test('runs a compiled directory', async () => {
    const out = f('out-for-predict');
    assertExit(await cli([ident, '--out', out]), 0);
    const r = await cli(['predict', out, '--inputs', f('inputs.csv')]);
    assertExit(r, 0);
    assert.equal(r.stdout.trim().split('\n').length, 3);
  });

  test('a row the model rejects is a usage error (2) naming the line', async () => {
    writeFileSync(f('wrong-type.jsonl'), '{"x": [1, 2, 3, 4]}\n{"x": {"type": "float64", "dims": [1, 4], "data": [1, 2, 3, 4]}}\n');
    const r = await cli(['predict', ident, '--inputs', f('wrong-type.jsonl'), '--out', f('rejected.jsonl')]);
    assertExit(r, 2);
    assert.match(r.stderr, /wrong-type\.jsonl: line 2: .*must have type float32/);
    assert.equal(existsSync(f('rejected.jsonl')), false, 'no partial output is left behind');
  });

  test('a missing --inputs file is a usage error (2)', async () => {
    const r = await cli(['predict', ident, '--inputs', f('missing.csv')]);
    assertExit(r, 2);
  });
});

describe('failures at run time', { concurrency: 4 }, () => {
  /** A compiled directory by hand: its run() misbehaves as told. */
  function fakeModule(name: string, run: string): string {
    const out = f(name);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'model.mjs'), `export const metadata = { name: ${JSON.stringify(name)}, format: "onnx",
  inputs: [{ name: "x", type: "float32", shape: [1, 4] }], outputs: [{ name: "y", type: "float32", shape: [1, 4] }] };
export function run(feeds) { ${run} }
`);
    return out;
  }

  test('the model failing on a row: predict exits 3 naming the line, validate counts a mismatch', async () => {
    const dir = fakeModule('fails', 'const e = new Error(\'node "r": boom\'); e.code = "MLR_ERR_KERNEL"; throw e;');
    const r1 = await cli(['predict', dir, '--inputs', f('inputs.csv')]);
    assertExit(r1, 3);
    assert.match(r1.stderr, /inputs\.csv: line 2: error: row 1: the model failed: node "r": boom/);
    assertNoStack(r1);
    const r2 = await cli(['validate', dir, '--inputs', f('inputs.csv'), '--expected', f('expected.csv')]);
    assertExit(r2, 1);
    assert.match(r2.stdout, /the model failed: node "r": boom/);
  });

  test('an internal error exits 70; the stack trace only with --verbose', async () => {
    const dir = fakeModule('broken', 'return null;');
    const r1 = await cli(['predict', dir, '--inputs', f('inputs.csv')]);
    assertExit(r1, 70);
    assert.match(r1.stderr, /internal error/);
    assertNoStack(r1);
    const r2 = await cli(['predict', dir, '--inputs', f('inputs.csv'), '--verbose']);
    assertExit(r2, 70);
    assert.match(r2.stderr, /^\s+at /m);
  });
});

describe('inspect', { concurrency: 4 }, () => {
  test('prints the IR after lowering and the inputs and outputs', async () => {
    const r = await cli(['inspect', ident]);
    assertExit(r, 0);
    assert.match(r.stdout, /IR after lowering/);
    assert.match(r.stdout, /tensor\.identity\(%0\)/);
    assert.match(r.stdout, /inputs:\n\s+"x"\s+float32\[N,4\]/);
  });

  test('--print-after a pass; an unknown pass is a usage error (2)', async () => {
    const r = await cli(['inspect', ident, '--print-after', 'dead-code']);
    assertExit(r, 0);
    assert.match(r.stdout, /IR after pass dead-code/);
    const bad = await cli(['inspect', ident, '--print-after', 'no-such-pass']);
    assertExit(bad, 2);
    assert.match(bad.stderr, /unknown pass "no-such-pass"/);
  });
});
