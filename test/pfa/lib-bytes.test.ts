// PFA bytes library (bytes.*): the conformance suite's direct trials, the catalogue
// signatures, and edge cases the suite leaves out (invalid UTF-8 and UTF-16 of every
// kind, byte-order marks, characters beyond the BMP, strict Base64, no aliasing).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as bytes from '../../runtime/pfa/lib/bytes.js';
import { PfaError, type LibFunction, type LibImpl, type PfaType } from '../../runtime/pfa/types.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { PFA_DATA, runDirect } from './support/direct.js';

const FUNCTIONS = Object.values(bytes).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);

function impl(fn: LibFunction, ...args: PfaType[]): LibImpl {
  const types = matchCall(fn, args);
  assert.ok(types, `${fn.name} accepts ${args.map((a) => a.kind).join(', ')}`);
  return fn.make(types, { random: Math.random, log: () => undefined });
}

const STR: PfaType = { kind: 'string' }, INT: PfaType = { kind: 'int' }, BYTES: PfaType = { kind: 'bytes' };
const b = (...xs: number[]): Uint8Array => new Uint8Array(xs);

function throwsCode(f: () => unknown, code: number): void {
  assert.throws(f, (e: unknown) => e instanceof PfaError && e.code === code);
}

test('bytes.*: every function of the catalogue, with its signatures', () => {
  const catalogue = JSON.parse(readFileSync(join(PFA_DATA, 'functions.json'), 'utf8')) as { functions: { name: string; family: string; signatures: { params: unknown; ret: unknown }[] }[] };
  const expected = catalogue.functions.filter((f) => f.family === 'bytes');
  assert.deepEqual(FUNCTIONS.map((f) => f.name).sort(), expected.map((f) => f.name).sort());
  for (const f of expected) {
    const mine = FUNCTIONS.find((x) => x.name === f.name) as LibFunction;
    assert.deepEqual(JSON.parse(JSON.stringify(mine.sigs)), f.signatures.map((sig) => ({ params: sig.params, ret: sig.ret })), f.name);
  }
});

test('bytes.*: conformance trials (direct)', () => {
  for (const fn of FUNCTIONS) {
    const r = runDirect('bytes', fn);
    assert.ok(r.tests > 0, `${fn.name} has tests`);
    assert.deepEqual(r.failures, [], fn.name);
    assert.equal(r.passed, r.trials, fn.name);
  }
});

test('slices follow Python and never alias their input', () => {
  const x = b(1, 2, 3, 4, 5);
  const subseq = impl(bytes.bytesSubseq, BYTES, INT, INT);
  assert.deepEqual(subseq(x, -3, -1), b(3, 4));
  assert.deepEqual(subseq(x, 4, 2), b());
  const whole = subseq(x, 0, 100) as Uint8Array;
  whole[0] = 99;
  assert.equal(x[0], 1);
  const subseqto = impl(bytes.bytesSubseqto, BYTES, INT, INT, BYTES);
  assert.deepEqual(subseqto(x, 1, 3, b(9)), b(1, 9, 4, 5));
  assert.deepEqual(subseqto(x, 3, 1, b(9)), b(1, 2, 3, 9, 4, 5)); // end <= start: insert
  assert.deepEqual(subseqto(x, -100, 100, b()), b());
  assert.deepEqual(x, b(1, 2, 3, 4, 5));
});

test('UTF-8: strict decoding (overlongs, surrogates, truncation, beyond U+10FFFF), BOM kept', () => {
  const decode = impl(bytes.bytesDecodeUtf8, BYTES);
  const isUtf8 = impl(bytes.bytesIsUtf8, BYTES);
  for (const bad of [b(0xc0, 0x80), b(0xed, 0xa0, 0x80), b(0xe6, 0x9c), b(0xf4, 0x90, 0x80, 0x80), b(0x80), b(0xff)]) {
    assert.equal(isUtf8(bad), false);
    throwsCode(() => decode(bad), 16110);
  }
  assert.equal(decode(b(0xef, 0xbb, 0xbf, 0x61)), '\uFEFFa');
  assert.equal(decode(b(0xf0, 0x9f, 0x98, 0x80)), '😀');
  const encode = impl(bytes.bytesEncodeUtf8, STR);
  assert.deepEqual(encode('é😀'), b(0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80));
  throwsCode(() => encode('a\uD800'), 16170); // a lone surrogate has no UTF-8 form
  assert.equal(impl(bytes.bytesIsUtf8, STR)('a\uDC00'), false);
  assert.equal(impl(bytes.bytesIsUtf8, STR)('😀'), true);
});

test('UTF-16: byte orders, byte-order marks, surrogate pairs, invalid input', () => {
  const be = impl(bytes.bytesEncodeUtf16be, STR), le = impl(bytes.bytesEncodeUtf16le, STR);
  assert.deepEqual(be('a😀'), b(0x00, 0x61, 0xd8, 0x3d, 0xde, 0x00));
  assert.deepEqual(le('a😀'), b(0x61, 0x00, 0x3d, 0xd8, 0x00, 0xde));
  throwsCode(() => be('\uD800'), 16190);
  throwsCode(() => le('\uDFFF'), 16200);
  throwsCode(() => impl(bytes.bytesEncodeUtf16, STR)('\uD800x'), 16180);
  const decode = impl(bytes.bytesDecodeUtf16, BYTES);
  assert.equal(decode(b(0xfe, 0xff, 0x00, 0x61)), 'a');
  assert.equal(decode(b(0xff, 0xfe, 0x61, 0x00)), 'a');
  assert.equal(decode(b(0x00, 0x61)), 'a'); // no byte-order mark: big-endian
  // encodeUtf16 writes a byte-order mark, so its output decodes back whatever the order.
  assert.equal(decode(impl(bytes.bytesEncodeUtf16, STR)('x😀y')), 'x😀y');
  throwsCode(() => decode(b(0xd8, 0x3d, 0x00, 0x61)), 16120); // high surrogate, no low one
  throwsCode(() => impl(bytes.bytesDecodeUtf16be, BYTES)(b(0xdc, 0x00)), 16130);
  throwsCode(() => impl(bytes.bytesDecodeUtf16le, BYTES)(b(0x61, 0x00, 0x62)), 16140);
  assert.equal(impl(bytes.bytesDecodeUtf16be, BYTES)(b(0xd8, 0x3d, 0xde, 0x00)), '😀');
  assert.equal(impl(bytes.bytesIsUtf16le, BYTES)(b(0x00, 0xd8)), false);
  assert.equal(impl(bytes.bytesIsUtf16, STR)('\uD800'), false);
});

test('ASCII and Latin-1: ranges of bytes and code points', () => {
  assert.equal(impl(bytes.bytesDecodeLatin1, BYTES)(b(0x41, 0xe9, 0xff)), 'Aéÿ');
  throwsCode(() => impl(bytes.bytesDecodeAscii, BYTES)(b(0x41, 0x80)), 16090);
  assert.deepEqual(impl(bytes.bytesEncodeLatin1, STR)('Aéÿ'), b(0x41, 0xe9, 0xff));
  throwsCode(() => impl(bytes.bytesEncodeLatin1, STR)('Ā'), 16160);
  throwsCode(() => impl(bytes.bytesEncodeAscii, STR)('é'), 16150);
  assert.equal(impl(bytes.bytesIsAscii, STR)('\u007f'), true);
  assert.equal(impl(bytes.bytesIsAscii, STR)('😀'), false);
  assert.equal(impl(bytes.bytesIsLatin1, STR)('ÿ'), true);
  assert.equal(impl(bytes.bytesIsLatin1, STR)('😀'), false);
  assert.equal(impl(bytes.bytesIsLatin1, BYTES)(b(0x00, 0xff)), true);
});

test('Base64: standard alphabet, optional padding and whitespace, everything else invalid', () => {
  const to = impl(bytes.bytesToBase64, BYTES), from = impl(bytes.bytesFromBase64, STR);
  const all = new Uint8Array(256).map((_, i) => i);
  assert.deepEqual(from(to(all)), all);
  assert.equal(to(b(0xfb, 0xff)), '+/8=');
  assert.deepEqual(from('aGVsbG8'), from('aGVsbG8='));
  assert.deepEqual(from(' aGVs\nbG8= '), b(0x68, 0x65, 0x6c, 0x6c, 0x6f));
  assert.deepEqual(from(''), b());
  for (const bad of ['a', 'ab=c', '*abc', 'aGVsbG8==', '-_==', 'aGVsbG9=', '====']) throwsCode(() => from(bad), 16220);
});
