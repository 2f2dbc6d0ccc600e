;; mlcompile WebAssembly SIMD kernels built on exp: softmax. (The LSTM and GRU
;; time loops, which used to keep their cells here, are in recurrent.wat.)
;;
;; A second module beside kernels.wat (each stays under the 4 KB that browsers
;; compile synchronously), importing the main module's memory. Assembled by
;; scripts/build-wasm.mjs into nonlinear-wasm.ts and loaded by
;; runtime/wasm/nonlinear-kernels.ts.
;;
;; exp in float32, as onnxruntime's float kernels: range reduction to r = x − k·ln 2
;; (ln 2 split in two parts, so r is exact) and a degree-7 polynomial for e^r (Cephes'
;; expf coefficients, relative error ~1e-7), times 2^k built in the exponent bits; x
;; clamped to [−87, 88] so 2^k stays a normal float. NaN propagates.
(module
  (import "env" "memory" (memory 1))

  (func $exp (param $v v128) (result v128)
    (local $k v128) (local $r v128)
    (local.set $v (f32x4.pmin (f32x4.pmax (local.get $v) (v128.const f32x4 -87 -87 -87 -87)) (v128.const f32x4 88 88 88 88)))
    (local.set $k (f32x4.nearest (f32x4.mul (local.get $v) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
    (local.set $r (f32x4.sub (local.get $v) (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $k) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (f32x4.mul
      (f32x4.add (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $r))
        (f32x4.mul (f32x4.mul (local.get $r) (local.get $r)) (f32x4.add (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1) (f32x4.mul (local.get $r) (f32x4.add (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1) (f32x4.mul (local.get $r) (f32x4.add (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2) (f32x4.mul (local.get $r) (f32x4.add (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3) (f32x4.mul (local.get $r) (f32x4.add (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3) (f32x4.mul (local.get $r) (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4)))))))))))))
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (i32x4.splat (i32.const 127))) (i32.const 23))))

  ;; Softmax of `rows` contiguous rows of `n` floats at x into y (y may be x): the
  ;; row's max subtracted, exp, the sum in float32 lanes, one reciprocal per row. Terms
  ;; below exp(-87) (where $exp clamps) are 0, as exp underflows to in float32 after
  ;; the division; a -inf input gives 0, a row of -inf or with a NaN gives NaN.
  (func (export "softmax") (param $rows i32) (param $n i32) (param $x i32) (param $y i32)
    (local $r i32) (local $i i32) (local $n4 i32) (local $nb i32) (local $xr i32) (local $yr i32)
    (local $m v128) (local $s v128) (local $v v128) (local $e v128) (local $mx f32) (local $sum f32)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (br_if $done (i32.eqz (local.get $rows)))
      (loop $rowLoop
        (local.set $xr (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $nb))))
        (local.set $yr (i32.add (local.get $y) (i32.mul (local.get $r) (local.get $nb))))
        ;; max (f32x4.max / f32.max propagate NaN)
        (local.set $m (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $i (i32.const 0))
        (block $vmaxDone (loop $vmax
          (br_if $vmaxDone (i32.ge_u (local.get $i) (local.get $n4)))
          (local.set $m (f32x4.max (local.get $m) (v128.load (i32.add (local.get $xr) (i32.shl (local.get $i) (i32.const 2))))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $vmax)))
        (local.set $mx (f32.max
          (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
          (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
        (block $smaxDone (loop $smax
          (br_if $smaxDone (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $mx (f32.max (local.get $mx) (f32.load (i32.add (local.get $xr) (i32.shl (local.get $i) (i32.const 2))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $smax)))
        (local.set $m (f32x4.splat (local.get $mx)))
        ;; exp(x - max) into y, summed
        (local.set $s (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (block $vexpDone (loop $vexp
          (br_if $vexpDone (i32.ge_u (local.get $i) (local.get $n4)))
          (local.set $v (f32x4.sub (v128.load (i32.add (local.get $xr) (i32.shl (local.get $i) (i32.const 2)))) (local.get $m)))
          (local.set $e (v128.andnot (call $exp (local.get $v)) (f32x4.lt (local.get $v) (v128.const f32x4 -87 -87 -87 -87))))
          (v128.store (i32.add (local.get $yr) (i32.shl (local.get $i) (i32.const 2))) (local.get $e))
          (local.set $s (f32x4.add (local.get $s) (local.get $e)))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $vexp)))
        (local.set $sum (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
          (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s)))))
        (block $sexpDone (loop $sexp
          (br_if $sexpDone (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $v (f32x4.splat (f32.sub (f32.load (i32.add (local.get $xr) (i32.shl (local.get $i) (i32.const 2)))) (local.get $mx))))
          (local.set $e (v128.andnot (call $exp (local.get $v)) (f32x4.lt (local.get $v) (v128.const f32x4 -87 -87 -87 -87))))
          (f32.store (i32.add (local.get $yr) (i32.shl (local.get $i) (i32.const 2))) (f32x4.extract_lane 0 (local.get $e)))
          (local.set $sum (f32.add (local.get $sum) (f32x4.extract_lane 0 (local.get $e))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $sexp)))
        ;; scale by 1 / sum
        (local.set $mx (f32.div (f32.const 1) (local.get $sum)))
        (local.set $s (f32x4.splat (local.get $mx)))
        (local.set $i (i32.const 0))
        (block $vscaleDone (loop $vscale
          (br_if $vscaleDone (i32.ge_u (local.get $i) (local.get $n4)))
          (local.set $xr (i32.add (local.get $yr) (i32.shl (local.get $i) (i32.const 2))))
          (v128.store (local.get $xr) (f32x4.mul (v128.load (local.get $xr)) (local.get $s)))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $vscale)))
        (block $sscaleDone (loop $sscale
          (br_if $sscaleDone (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $xr (i32.add (local.get $yr) (i32.shl (local.get $i) (i32.const 2))))
          (f32.store (local.get $xr) (f32.mul (f32.load (local.get $xr)) (local.get $mx)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $sscale)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br_if $rowLoop (i32.lt_u (local.get $r) (local.get $rows))))))
)
