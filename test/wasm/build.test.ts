// The committed kernel bytes (runtime/wasm/kernels-wasm.ts) must be exactly what
// runtime/wasm/kernels.wat assembles to, so neither is edited without the other.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');

test('runtime/wasm/kernels-wasm.ts is the assembly of kernels.wat', () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-wasm.mjs'), '--check'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined, String(r.error));
  assert.equal(r.status, 0, r.stderr || r.stdout);
});
