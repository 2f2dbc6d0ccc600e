// The committed kernel bytes (runtime/wasm/kernels-wasm.ts, winograd-wasm.ts) must be
// exactly what runtime/wasm/kernels.wat and winograd.wat assemble to, so neither is
// edited without the other; and each module stays under the 4 KB browsers compile
// synchronously (the build refuses more).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeBase64 } from '../../runtime/io/base64.js';
import { KERNELS_WASM_BASE64 } from '../../runtime/wasm/kernels-wasm.js';
import { WINOGRAD_WASM_BASE64 } from '../../runtime/wasm/winograd-wasm.js';

const root = join(import.meta.dirname, '..', '..');
/** The project's TypeScript libs do not declare WebAssembly (see runtime/wasm/kernels.ts). */
const wasmApi = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

test('runtime/wasm/kernels-wasm.ts and winograd-wasm.ts are the assembly of their .wat files', () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-wasm.mjs'), '--check'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined, String(r.error));
  assert.equal(r.status, 0, r.stderr || r.stdout);
});

test('each WebAssembly module is valid and under 4 KB', () => {
  for (const [name, b64] of [['kernels', KERNELS_WASM_BASE64], ['winograd', WINOGRAD_WASM_BASE64]] as const) {
    const bytes = decodeBase64(b64);
    assert.ok(bytes.length <= 4096, `${name}: ${bytes.length} bytes`);
    assert.ok(wasmApi.validate(bytes), `${name} validates (Node 20 has SIMD)`);
  }
});

test('build-wasm.mjs names an unknown module instead of writing anything', () => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'build-wasm.mjs'), '--check', 'nope'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown module\(s\): nope/);
});
