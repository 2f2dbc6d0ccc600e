// Detection ops: NonMaxSuppression (opset 10+) and RoiAlign (opset 10, 16+).

import { fail, type NodeCtx, type Tensor } from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];
type FloatArray = Float32Array | Float64Array;

// ------------------------------------------------------------ NonMaxSuppression

/** The value of an optional scalar input; empty or absent tensors give `absent`. */
function optionalScalar(t: Tensor | undefined, absent: number): number {
  return t === undefined || t.data.length === 0 ? absent : Number(t.data[0]);
}

const f32 = Math.fround;

/**
 * Corner form of every box of one batch as float32 values [xmin, ymin, xmax, ymax, area]:
 * NonMaxSuppression's inputs are float32 and onnxruntime and the ONNX reference compute
 * IoU in float32, so every step is rounded to float32 (IoU ties at the threshold agree).
 */
function boxCorners(boxes: Float32Array, at: number, count: number, centerPointBox: boolean, out: Float64Array): void {
  for (let i = 0; i < count; i++) {
    const b = at + i * 4, o = i * 5;
    let x0: number, y0: number, x1: number, y1: number;
    if (centerPointBox) {
      // [x_center, y_center, width, height]
      const hw = f32(boxes[b + 2] / 2), hh = f32(boxes[b + 3] / 2);
      x0 = f32(boxes[b] - hw); x1 = f32(boxes[b] + hw);
      y0 = f32(boxes[b + 1] - hh); y1 = f32(boxes[b + 1] + hh);
    } else {
      // [y1, x1, y2, x2], any diagonal pair of corners
      y0 = Math.min(boxes[b], boxes[b + 2]); y1 = Math.max(boxes[b], boxes[b + 2]);
      x0 = Math.min(boxes[b + 1], boxes[b + 3]); x1 = Math.max(boxes[b + 1], boxes[b + 3]);
    }
    out[o] = x0; out[o + 1] = y0; out[o + 2] = x1; out[o + 3] = y1;
    out[o + 4] = f32(f32(x1 - x0) * f32(y1 - y0));
  }
}

/** Whether box j overlaps the selected box i by more than the IoU threshold. */
function suppresses(c: Float64Array, i: number, j: number, iouThreshold: number): boolean {
  const a = i * 5, b = j * 5;
  const ix0 = Math.max(c[a], c[b]), ix1 = Math.min(c[a + 2], c[b + 2]);
  if (ix1 <= ix0) return false;
  const iy0 = Math.max(c[a + 1], c[b + 1]), iy1 = Math.min(c[a + 3], c[b + 3]);
  if (iy1 <= iy0) return false;
  const inter = f32(f32(ix1 - ix0) * f32(iy1 - iy0));
  const areaA = c[a + 4], areaB = c[b + 4];
  if (inter <= 0 || areaA <= 0 || areaB <= 0) return false;
  const union = f32(f32(areaA + areaB) - inter);
  if (union <= 0) return false;
  return f32(inter / union) > iouThreshold;
}

/**
 * NonMaxSuppression: per batch and class, greedily keeps the highest-scoring boxes
 * (ties: lower index first) that overlap no kept box by more than iou_threshold,
 * up to max_output_boxes_per_class (absent: 0, no output). Boxes scoring at or
 * below score_threshold (when given) are never candidates. Output: int64
 * [num_selected, 3] rows [batch, class, box], in batch, class, selection order.
 */
export function nonMaxSuppression(ctx: NodeCtx, inputs: Inputs, attrs: { centerPointBox: boolean }): Tensor[] {
  const boxesT = inputs[0] as Tensor, scoresT = inputs[1] as Tensor;
  if (boxesT.dims.length !== 3 || boxesT.dims[2] !== 4) fail(`NonMaxSuppression boxes must have shape [batches, boxes, 4], got [${boxesT.dims.join(',')}]`);
  const [B, S] = boxesT.dims;
  if (scoresT.dims.length !== 3 || scoresT.dims[0] !== B || scoresT.dims[2] !== S) {
    fail(`NonMaxSuppression scores must have shape [${B}, classes, ${S}], got [${scoresT.dims.join(',')}]`);
  }
  const C = scoresT.dims[1];
  const maxPerClass = Math.max(0, optionalScalar(inputs[2], 0));
  const iouThreshold = optionalScalar(inputs[3], 0);
  const hasScoreThreshold = inputs[4] !== undefined && inputs[4].data.length > 0;
  const scoreThreshold = optionalScalar(inputs[4], 0);
  const boxes = boxesT.data as Float32Array, scores = scoresT.data as Float32Array;

  const corners = new Float64Array(S * 5);
  const order = new Int32Array(S);
  const kept = new Int32Array(Math.min(S, maxPerClass));
  const selected: number[] = [];
  for (let b = 0; b < B && maxPerClass > 0; b++) {
    boxCorners(boxes, b * S * 4, S, attrs.centerPointBox, corners);
    for (let c = 0; c < C; c++) {
      const at = (b * C + c) * S;
      let n = 0;
      for (let i = 0; i < S; i++) if (!hasScoreThreshold || scores[at + i] > scoreThreshold) order[n++] = i;
      const cand = order.subarray(0, n).sort((i, j) => scores[at + j] - scores[at + i] || i - j);
      let k = 0;
      for (let t = 0; t < cand.length && k < maxPerClass; t++) {
        const j = cand[t];
        let keep = true;
        for (let s = 0; s < k && keep; s++) keep = !suppresses(corners, kept[s], j, iouThreshold);
        if (keep) { kept[k++] = j; selected.push(b, c, j); }
      }
    }
  }
  const out = ctx.alloc(0, 'int64', [selected.length / 3, 3]).data as BigInt64Array;
  for (let i = 0; i < selected.length; i++) out[i] = BigInt(selected[i]);
  return ctx.done(1);
}

// -------------------------------------------------------------------- RoiAlign

export interface RoiAlignAttrs {
  readonly mode: 'avg' | 'max';
  readonly outputHeight: number;
  readonly outputWidth: number;
  readonly samplingRatio: number;
  readonly spatialScale: number;
  /** half_pixel (opset 16+ default) shifts ROI coordinates by -0.5; opset 10 never does. */
  readonly halfPixel: boolean;
}

/** Bilinear sample positions and weights of one ROI, shared by all channels. */
interface RoiSamples {
  /** 4 flat offsets into an H×W plane per sample point. */
  pos: Int32Array;
  /** 4 weights per sample point (all 0 for points outside the feature map). */
  w: Float64Array;
  gridH: number;
  gridW: number;
}

/**
 * RoiAlign: for each ROI, each output bin averages (or takes the max of) a
 * gridH×gridW lattice of bilinear samples. As in onnxruntime and the ONNX reference,
 * max mode takes the max over sample points of the largest weighted corner value.
 */
export function roiAlign(ctx: NodeCtx, inputs: Inputs, attrs: RoiAlignAttrs): Tensor[] {
  const x = inputs[0] as Tensor, rois = inputs[1] as Tensor, bi = inputs[2] as Tensor;
  if (x.dims.length !== 4) fail(`RoiAlign input must be 4-D [N, C, H, W], got [${x.dims.join(',')}]`);
  if (rois.dims.length !== 2 || rois.dims[1] !== 4) fail(`RoiAlign rois must have shape [num_rois, 4], got [${rois.dims.join(',')}]`);
  const R = rois.dims[0];
  if (bi.dims.length !== 1 || bi.dims[0] !== R) fail(`RoiAlign batch_indices must have shape [${R}], got [${bi.dims.join(',')}]`);
  const [N, C, H, W] = x.dims;
  const oh = attrs.outputHeight, ow = attrs.outputWidth;
  const out = ctx.alloc(0, x.type, [R, C, oh, ow]);
  const xd = x.data as FloatArray, yd = out.data as FloatArray, rd = rois.data as FloatArray;
  const batch = bi.data as BigInt64Array;
  if (H * W === 0) { yd.fill(0); return ctx.done(1); } // nothing to sample: every bin is empty
  const samples: RoiSamples = { pos: new Int32Array(0), w: new Float64Array(0), gridH: 0, gridW: 0 };
  for (let r = 0; r < R; r++) {
    const n = Number(batch[r]);
    if (!(n >= 0 && n < N)) fail(`RoiAlign batch index ${n} of ROI ${r} is out of range [0, ${N})`);
    const s = roiSamples(rd, r * 4, H, W, attrs, samples);
    const perBin = s.gridH * s.gridW;
    for (let c = 0; c < C; c++) {
      const plane = (n * C + c) * H * W, o = (r * C + c) * oh * ow;
      if (attrs.mode === 'avg') poolAverage(xd, plane, s, perBin, yd, o, oh * ow);
      else poolMax(xd, plane, s, perBin, yd, o, oh * ow);
    }
  }
  return ctx.done(1);
}

/** y[o + bin] = the mean of the bin's samples (an empty bin gives 0). */
function poolAverage(xd: FloatArray, plane: number, s: RoiSamples, perBin: number, yd: FloatArray, o: number, bins: number): void {
  const pos = s.pos, w = s.w, count = Math.max(perBin, 1);
  for (let bin = 0, k = 0; bin < bins; bin++) {
    let sum = 0;
    for (const end = k + perBin * 4; k < end; k += 4) {
      sum += w[k] * xd[plane + pos[k]] + w[k + 1] * xd[plane + pos[k + 1]] + w[k + 2] * xd[plane + pos[k + 2]] + w[k + 3] * xd[plane + pos[k + 3]];
    }
    yd[o + bin] = sum / count;
  }
}

/** y[o + bin] = the max over the bin's samples of their largest weighted corner (an empty bin gives 0). */
function poolMax(xd: FloatArray, plane: number, s: RoiSamples, perBin: number, yd: FloatArray, o: number, bins: number): void {
  const pos = s.pos, w = s.w;
  for (let bin = 0, k = 0; bin < bins; bin++) {
    let best = perBin > 0 ? -Infinity : 0;
    for (const end = k + perBin * 4; k < end; k += 4) {
      const v = Math.max(w[k] * xd[plane + pos[k]], w[k + 1] * xd[plane + pos[k + 1]], w[k + 2] * xd[plane + pos[k + 2]], w[k + 3] * xd[plane + pos[k + 3]]);
      if (v > best || v !== v) best = v;
    }
    yd[o + bin] = best;
  }
}

/** Computes one ROI's sample lattice (bins in row-major order, samples row-major inside each bin). */
function roiSamples(rd: FloatArray, at: number, H: number, W: number, attrs: RoiAlignAttrs, s: RoiSamples): RoiSamples {
  const shift = attrs.halfPixel ? 0.5 : 0;
  const x0 = rd[at] * attrs.spatialScale - shift, y0 = rd[at + 1] * attrs.spatialScale - shift;
  const x1 = rd[at + 2] * attrs.spatialScale - shift, y1 = rd[at + 3] * attrs.spatialScale - shift;
  let roiW = x1 - x0, roiH = y1 - y0;
  if (!attrs.halfPixel) { roiW = Math.max(roiW, 1); roiH = Math.max(roiH, 1); } // malformed ROIs become 1×1
  const oh = attrs.outputHeight, ow = attrs.outputWidth;
  const binH = roiH / oh, binW = roiW / ow;
  const gh = attrs.samplingRatio > 0 ? attrs.samplingRatio : Math.max(0, Math.ceil(roiH / oh));
  const gw = attrs.samplingRatio > 0 ? attrs.samplingRatio : Math.max(0, Math.ceil(roiW / ow));
  const n = oh * ow * gh * gw;
  if (s.pos.length < n * 4) { s.pos = new Int32Array(n * 4); s.w = new Float64Array(n * 4); }
  s.gridH = gh; s.gridW = gw;
  let k = 0;
  for (let ph = 0; ph < oh; ph++) {
    for (let pw = 0; pw < ow; pw++) {
      for (let iy = 0; iy < gh; iy++) {
        const y = y0 + ph * binH + ((iy + 0.5) * binH) / gh;
        for (let ix = 0; ix < gw; ix++, k += 4) {
          const xx = x0 + pw * binW + ((ix + 0.5) * binW) / gw;
          bilinearCorners(y, xx, H, W, s.pos, s.w, k);
        }
      }
    }
  }
  return s;
}

/** The 4 corner offsets and weights of a bilinear sample at (y, x); zero weights outside the map. */
function bilinearCorners(y: number, x: number, H: number, W: number, pos: Int32Array, w: Float64Array, k: number): void {
  if (y < -1 || y > H || x < -1 || x > W) {
    pos[k] = pos[k + 1] = pos[k + 2] = pos[k + 3] = 0;
    w[k] = w[k + 1] = w[k + 2] = w[k + 3] = 0;
    return;
  }
  if (y < 0) y = 0;
  if (x < 0) x = 0;
  let yl = Math.floor(y), xl = Math.floor(x), yh: number, xh: number;
  if (yl >= H - 1) { yl = yh = H - 1; y = yl; } else yh = yl + 1;
  if (xl >= W - 1) { xl = xh = W - 1; x = xl; } else xh = xl + 1;
  const ly = y - yl, lx = x - xl, hy = 1 - ly, hx = 1 - lx;
  pos[k] = yl * W + xl; pos[k + 1] = yl * W + xh; pos[k + 2] = yh * W + xl; pos[k + 3] = yh * W + xh;
  w[k] = hy * hx; w[k + 1] = hy * lx; w[k + 2] = ly * hx; w[k + 3] = ly * lx;
}
