// Conv, ConvTranspose, ConvInteger against naive direct implementations: layouts
// and attribute combinations the conformance suite does not cover (SAME_LOWER,
// groups with dilation, 3-D asymmetric pads, pointwise path, float64, zero points).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOp, assertClose } from './helpers.js';
import { runOpOnBothBackends } from '../wasm/run-both.js';

function rand(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function prod(d: readonly number[]): number {
  return d.reduce((a, b) => a * b, 1);
}

/** Row-major coordinates of flat index i in dims. */
function coords(i: number, dims: readonly number[]): number[] {
  const c = new Array<number>(dims.length);
  for (let k = dims.length - 1; k >= 0; k--) { c[k] = i % dims[k]; i = Math.floor(i / dims[k]); }
  return c;
}

function flat(c: readonly number[], dims: readonly number[]): number {
  let o = 0;
  for (let k = 0; k < dims.length; k++) o = o * dims[k] + c[k];
  return o;
}

interface Geo { strides: number[]; dil: number[]; padBegin: number[]; outSp: number[]; group: number }

/** Direct convolution: y[n,m,o] = b[m] + Σ_{c,k} x[n, g·Cg+c, o·s − p + k·d] · w[m, c, k]. */
function refConv(x: number[], xd: number[], w: number[], wd: number[], b: number[] | null, g: Geo): number[] {
  const [N, C] = xd, [M, Cg] = wd, nd = xd.length - 2;
  const kSp = wd.slice(2), inSp = xd.slice(2), Mg = M / g.group;
  const yd = [N, M, ...g.outSp];
  const y = new Array<number>(prod(yd)).fill(0);
  for (let yi = 0; yi < y.length; yi++) {
    const [n, m, ...o] = coords(yi, yd);
    const gi = Math.floor(m / Mg);
    let s = b ? b[m] : 0;
    for (let c = 0; c < Cg; c++) {
      for (let ki = 0; ki < prod(kSp); ki++) {
        const k = coords(ki, kSp);
        const pos = o.map((ov, i) => ov * g.strides[i] - g.padBegin[i] + k[i] * g.dil[i]);
        if (pos.some((p, i) => p < 0 || p >= inSp[i])) continue;
        s += x[flat([n, gi * Cg + c, ...pos], xd)] * w[flat([m, c, ...k], wd)];
      }
    }
    y[yi] = s;
  }
  void C; void nd;
  return y;
}

/** Direct transposed convolution by scattering every input element. */
function refConvTranspose(x: number[], xd: number[], w: number[], wd: number[], b: number[] | null, g: Geo): number[] {
  const [N, C] = xd, Mg = wd[1], Cg = C / g.group, M = Mg * g.group;
  const kSp = wd.slice(2), inSp = xd.slice(2);
  const yd = [N, M, ...g.outSp];
  const y = new Array<number>(prod(yd)).fill(0);
  for (let xi = 0; xi < x.length; xi++) {
    const [n, c, ...ip] = coords(xi, xd);
    const gi = Math.floor(c / Cg);
    for (let m = 0; m < Mg; m++) {
      for (let ki = 0; ki < prod(kSp); ki++) {
        const k = coords(ki, kSp);
        const pos = ip.map((iv, i) => iv * g.strides[i] - g.padBegin[i] + k[i] * g.dil[i]);
        if (pos.some((p, i) => p < 0 || p >= g.outSp[i])) continue;
        y[flat([n, gi * Mg + m, ...pos], yd)] += x[xi] * w[flat([c, m, ...k], wd)];
      }
    }
  }
  void inSp;
  if (b) for (let i = 0; i < y.length; i++) y[i] += b[coords(i, yd)[1]];
  return y;
}


test('Conv 2-D: groups, strides, dilations, asymmetric pads, bias', async () => {
  const xd = [2, 4, 11, 9], wd = [6, 2, 3, 2];
  const x = rand(prod(xd), 1), w = rand(prod(wd), 2), b = rand(6, 3);
  const attrs = { group: 2, strides: [2, 1], dilations: [2, 3], pads: [1, 0, 2, 3] };
  const outSp = [Math.floor((11 + 3 - 5) / 2) + 1, Math.floor((9 + 3 - 4) / 1) + 1];
  const [y] = await runOp('Conv', [{ type: 'float32', dims: xd, data: x }, { type: 'float32', dims: wd, data: w }, { type: 'float32', dims: [6], data: b }], attrs, { opset: 11 });
  assert.deepEqual(y.dims, [2, 6, ...outSp]);
  assertClose(y.data, refConv(x, xd, w, wd, b, { strides: [2, 1], dil: [2, 3], padBegin: [1, 0], outSp, group: 2 }));
});

test('Conv auto_pad SAME_LOWER puts the odd padding at the start', async () => {
  const xd = [1, 1, 4, 4], wd = [1, 1, 2, 2];
  const x = rand(16, 4), w = rand(4, 5);
  const [y] = await runOp('Conv', [{ type: 'float32', dims: xd, data: x }, { type: 'float32', dims: wd, data: w }], { auto_pad: 'SAME_LOWER' }, { opset: 11 });
  assert.deepEqual(y.dims, [1, 1, 4, 4]);
  assertClose(y.data, refConv(x, xd, w, wd, null, { strides: [1, 1], dil: [1, 1], padBegin: [1, 1], outSp: [4, 4], group: 1 }));
});

test('Conv pointwise (1x1) path and depthwise with multiplier, float64', async () => {
  const xd = [1, 3, 5, 7], wd = [4, 3, 1, 1];
  const x = rand(prod(xd), 6), w = rand(prod(wd), 7);
  const [y] = await runOp('Conv', [{ type: 'float64', dims: xd, data: x }, { type: 'float64', dims: wd, data: w }], {}, { opset: 11 });
  assert.equal(y.type, 'float64');
  assertClose(y.data, refConv(x, xd, w, wd, null, { strides: [1, 1], dil: [1, 1], padBegin: [0, 0], outSp: [5, 7], group: 1 }), 1e-12, 1e-12);
  const dw = [6, 1, 3, 3], wv = rand(prod(dw), 8);
  const [z] = await runOp('Conv', [{ type: 'float32', dims: xd, data: x }, { type: 'float32', dims: dw, data: wv }], { group: 3, pads: [1, 1, 1, 1] }, { opset: 11 });
  assertClose(z.data, refConv(x, xd, wv, dw, null, { strides: [1, 1], dil: [1, 1], padBegin: [1, 1], outSp: [5, 7], group: 3 }));
});

test('Conv 3-D with asymmetric pads and strides; 1-D with SAME_UPPER and stride 2', async () => {
  const xd = [1, 2, 5, 4, 6], wd = [3, 2, 2, 3, 2];
  const x = rand(prod(xd), 9), w = rand(prod(wd), 10);
  const outSp = [Math.floor((5 + 1 - 2) / 2) + 1, Math.floor((4 + 2 - 3) / 1) + 1, Math.floor((6 + 1 - 2) / 3) + 1];
  const [y] = await runOp('Conv', [{ type: 'float32', dims: xd, data: x }, { type: 'float32', dims: wd, data: w }],
    { strides: [2, 1, 3], pads: [1, 0, 0, 0, 2, 1] }, { opset: 11 });
  assert.deepEqual(y.dims, [1, 3, ...outSp]);
  assertClose(y.data, refConv(x, xd, w, wd, null, { strides: [2, 1, 3], dil: [1, 1, 1], padBegin: [1, 0, 0], outSp, group: 1 }));
  const x1 = rand(2 * 2 * 9, 11), w1 = rand(2 * 2 * 4, 12);
  const [z] = await runOp('Conv', [{ type: 'float32', dims: [2, 2, 9], data: x1 }, { type: 'float32', dims: [2, 2, 4], data: w1 }], { auto_pad: 'SAME_UPPER', strides: [2] }, { opset: 11 });
  // out = ceil(9/2) = 5, total pad = (5-1)*2 + 4 - 9 = 3: 1 at the start, 2 at the end
  assert.deepEqual(z.dims, [2, 2, 5]);
  assertClose(z.data, refConv(x1, [2, 2, 9], w1, [2, 2, 4], null, { strides: [2], dil: [1], padBegin: [1], outSp: [5], group: 1 }));
});

test('Conv rejects channel counts that do not fit the group', async () => {
  await assert.rejects(runOp('Conv', [{ type: 'float32', dims: [1, 3, 4, 4], data: rand(48, 1) }, { type: 'float32', dims: [2, 2, 1, 1], data: [1, 1, 1, 1] }], { group: 2 }, { opset: 11 }), /group/);
});

test('ConvTranspose: groups, dilations, strides, pads, bias against a scatter reference', async () => {
  const xd = [2, 4, 3, 5], wd = [4, 3, 3, 2];
  const x = rand(prod(xd), 13), w = rand(prod(wd), 14), b = rand(6, 15);
  const strides = [2, 3], dil = [2, 1], pads = [1, 0, 2, 1];
  const outSp = [2 * 2 + 5 - 3, 3 * 4 + 2 - 1];
  const [y] = await runOp('ConvTranspose', [{ type: 'float32', dims: xd, data: x }, { type: 'float32', dims: wd, data: w }, { type: 'float32', dims: [6], data: b }],
    { group: 2, strides, dilations: dil, pads }, { opset: 11 });
  assert.deepEqual(y.dims, [2, 6, ...outSp]);
  assertClose(y.data, refConvTranspose(x, xd, w, wd, b, { strides, dil, padBegin: [1, 0], outSp, group: 2 }));
});

test('ConvTranspose auto_pad SAME_LOWER and output_shape with SAME_UPPER', async () => {
  const xd = [1, 1, 3, 3], wd = [1, 2, 3, 3];
  const x = rand(9, 16), w = rand(18, 17);
  // SAME_*: output = input·stride = 6; total pad = 2·2 + 3 − 6 = 1.
  const [lo] = await runOp('ConvTranspose', [{ type: 'float32', dims: xd, data: x }, { type: 'float32', dims: wd, data: w }], { auto_pad: 'SAME_LOWER', strides: [2, 2] }, { opset: 11 });
  assert.deepEqual(lo.dims, [1, 2, 6, 6]);
  assertClose(lo.data, refConvTranspose(x, xd, w, wd, null, { strides: [2, 2], dil: [1, 1], padBegin: [1, 1], outSp: [6, 6], group: 1 }));
  // output_shape 5x7: total pads 2 and 0 -> SAME_UPPER start pads 1 and 0.
  const [up] = await runOp('ConvTranspose', [{ type: 'float32', dims: xd, data: x }, { type: 'float32', dims: wd, data: w }],
    { auto_pad: 'SAME_UPPER', strides: [2, 2], output_shape: [5, 7] }, { opset: 11 });
  assert.deepEqual(up.dims, [1, 2, 5, 7]);
  assertClose(up.data, refConvTranspose(x, xd, w, wd, null, { strides: [2, 2], dil: [1, 1], padBegin: [1, 0], outSp: [5, 7], group: 1 }));
});

test('ConvTranspose 1-D with output_padding', async () => {
  const x = rand(2 * 4, 18), w = rand(2 * 1 * 3, 19);
  const [y] = await runOp('ConvTranspose', [{ type: 'float32', dims: [1, 2, 4], data: x }, { type: 'float32', dims: [2, 1, 3], data: w }],
    { strides: [3], output_padding: [2] }, { opset: 11 });
  const out = 3 * 3 + 2 + 3;
  assert.deepEqual(y.dims, [1, 1, out]);
  assertClose(y.data, refConvTranspose(x, [1, 2, 4], w, [2, 1, 3], null, { strides: [3], dil: [1], padBegin: [0], outSp: [out], group: 1 }));
});

test('ConvInteger with x_zero_point, per-channel w_zero_point and padding', async () => {
  const xd = [1, 2, 3, 3], wd = [2, 2, 2, 2];
  const x = Array.from({ length: 18 }, (_, i) => (i * 37) % 256), w = Array.from({ length: 16 }, (_, i) => ((i * 53) % 256) - 128);
  const zx = 100, zw = [3, -5];
  const [y] = await runOp('ConvInteger', [
    { type: 'uint8', dims: xd, data: x }, { type: 'int8', dims: wd, data: w },
    { type: 'uint8', dims: [], data: [zx] }, { type: 'int8', dims: [2], data: zw },
  ], { pads: [1, 1, 0, 0] }, { opset: 10 });
  assert.equal(y.type, 'int32');
  assert.deepEqual(y.dims, [1, 2, 3, 3]);
  const xs = x.map((v) => v - zx), ws = w.map((v, i) => v - zw[Math.floor(i / 8)]);
  const exp = refConv(xs, xd, ws, wd, null, { strides: [1, 1], dil: [1, 1], padBegin: [1, 1], outSp: [3, 3], group: 1 });
  assert.deepEqual(Array.from(y.data, Number), exp);
});

test('Conv 3x3 stride-1 (Winograd path): odd output sizes, asymmetric pads, bias, two images', async () => {
  const xd = [2, 16, 9, 7], wd = [12, 16, 3, 3];
  const x = rand(prod(xd), 20), w = rand(prod(wd), 21), b = rand(12, 22);
  const pads = [1, 0, 2, 1];
  const outSp = [9 + 1 + 2 - 2, 7 + 0 + 1 - 2];
  const [y] = await runOp('Conv', [{ type: 'float32', dims: xd, data: x }, { type: 'float32', dims: wd, data: w }, { type: 'float32', dims: [12], data: b }], { pads }, { opset: 11 });
  assert.deepEqual(y.dims, [2, 12, ...outSp]);
  assertClose(y.data, refConv(x, xd, w, wd, b, { strides: [1, 1], dil: [1, 1], padBegin: [1, 0], outSp, group: 1 }), 1e-4, 1e-5);
  const [z] = await runOp('Conv', [{ type: 'float64', dims: xd, data: x }, { type: 'float64', dims: wd, data: w }], { auto_pad: 'SAME_UPPER' }, { opset: 11 });
  assertClose(z.data, refConv(x, xd, w, wd, null, { strides: [1, 1], dil: [1, 1], padBegin: [1, 1], outSp: [9, 7], group: 1 }), 1e-12, 1e-12);
});

test('Depthwise conv: 3x3 fast rows, strides, dilation, images too narrow for an interior', async () => {
  for (const [xd, attrs, seed] of [
    [[1, 4, 9, 11], { group: 4, pads: [1, 1, 1, 1], strides: [2, 2] }, 30],
    [[2, 2, 6, 2], { group: 2, pads: [1, 1, 1, 1] }, 31],
    [[1, 3, 8, 9], { group: 3, pads: [2, 0, 1, 2], dilations: [2, 1] }, 32],
  ] as const) {
    const C = xd[1];
    const wd = [C, 1, 3, 3];
    const x = rand(prod(xd), seed), w = rand(prod(wd), seed + 100);
    const strides = 'strides' in attrs ? [...attrs.strides] : [1, 1];
    const dil = 'dilations' in attrs ? [...attrs.dilations] : [1, 1];
    const p = attrs.pads;
    const outSp = [0, 1].map((i) => Math.floor((xd[2 + i] + p[i] + p[i + 2] - (2 * dil[i] + 1)) / strides[i]) + 1);
    const [y] = await runOp('Conv', [{ type: 'float32', dims: [...xd], data: x }, { type: 'float32', dims: wd, data: w }], { ...attrs, pads: [...p], strides, dilations: dil }, { opset: 11 });
    assert.deepEqual(y.dims, [xd[0], C, ...outSp]);
    assertClose(y.data, refConv(x, [...xd], w, wd, null, { strides, dil, padBegin: [p[0], p[1]], outSp, group: C }));
  }
});

test('Conv on the WebAssembly SIMD kernels and on the JavaScript fallback agree with the direct reference', async () => {
  // Shapes big enough for the SIMD paths (GEMM work ≥ 4096) with ragged edges:
  // M not a multiple of 4, pixels not a multiple of 8, K over one 256-long slice.
  const cases: { xd: number[]; wd: number[]; attrs: Record<string, number[] | number>; bias: boolean }[] = [
    { xd: [2, 8, 13, 11], wd: [12, 8, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true }, // Winograd
    { xd: [1, 3, 17, 19], wd: [10, 3, 5, 5], attrs: { strides: [2, 2], pads: [2, 1, 2, 1] }, bias: true }, // im2col
    { xd: [1, 32, 9, 10], wd: [7, 32, 3, 3], attrs: { strides: [2, 1], pads: [1, 1, 0, 0] }, bias: false }, // K = 288
    { xd: [1, 20, 9, 10], wd: [33, 20, 1, 1], attrs: {}, bias: true }, // pointwise
    { xd: [1, 8, 10, 9], wd: [6, 4, 3, 3], attrs: { group: 2, pads: [1, 1, 1, 1] }, bias: false }, // grouped
    { xd: [1, 6, 15, 14], wd: [6, 1, 3, 3], attrs: { group: 6, strides: [2, 2], pads: [0, 1, 1, 0] }, bias: true }, // depthwise s2
    { xd: [2, 5, 7, 9], wd: [5, 1, 3, 3], attrs: { group: 5, pads: [1, 1, 1, 1] }, bias: false }, // depthwise s1
    { xd: [1, 4, 6, 13], wd: [4, 1, 3, 3], attrs: { group: 4, strides: [3, 1], pads: [2, 0, 0, 2] }, bias: false }, // row stride 3
    // One input channel per group feeding several filters: SGEMM over im2col on the SIMD kernels.
    { xd: [2, 1, 28, 27], wd: [6, 1, 5, 5], attrs: { pads: [2, 2, 2, 2] }, bias: true }, // LeNet's first conv, odd width
    { xd: [1, 2, 12, 13], wd: [10, 1, 3, 3], attrs: { group: 2, pads: [1, 0, 1, 1] }, bias: false }, // grouped, Mg = 5
    // Column stride 2 (im2col's shuffle path): ResNet's 7×7 stem and 1×1 downsample, small and ragged.
    { xd: [1, 3, 23, 21], wd: [8, 3, 7, 7], attrs: { strides: [2, 2], pads: [3, 3, 3, 3] }, bias: true },
    { xd: [1, 16, 14, 13], wd: [24, 16, 1, 1], attrs: { strides: [2, 2] }, bias: false },
  ];
  for (const [i, c] of cases.entries()) {
    const x = rand(prod(c.xd), 40 + i), w = rand(prod(c.wd), 60 + i), b = rand(c.wd[0], 80 + i);
    const strides = (c.attrs.strides as number[] | undefined) ?? [1, 1];
    const pads = (c.attrs.pads as number[] | undefined) ?? [0, 0, 0, 0];
    const group = (c.attrs.group as number | undefined) ?? 1;
    const outSp = [0, 1].map((a) => Math.floor((c.xd[2 + a] + pads[a] + pads[a + 2] - c.wd[2 + a]) / strides[a]) + 1);
    const want = refConv(x, c.xd, w, c.wd, c.bias ? b : null, { strides, dil: [1, 1], padBegin: [pads[0], pads[1]], outSp, group });
    const inputs = [{ type: 'float32' as const, dims: c.xd, data: x }, { type: 'float32' as const, dims: c.wd, data: w }];
    if (c.bias) inputs.push({ type: 'float32', dims: [c.wd[0]], data: b });
    const runs = await runOpOnBothBackends('Conv', inputs, c.attrs, 11);
    assert.deepEqual(runs.map((r) => r.backend), ['wasm-simd', 'js'], 'one module per backend');
    for (const r of runs) {
      assert.deepEqual(r.outputs[0].dims, [c.xd[0], c.wd[0], ...outSp], `case ${i} on ${r.backend}`);
      assertClose(r.outputs[0].data, want, 1e-4, 1e-5);
    }
  }
});
