;; mlcompile WebAssembly SIMD LayerNormalization over the last axis, with the
;; residual Add that src/passes/fuse-layernorm.ts merges into it.
;;
;; A companion of kernels.wat (each module stays under the 4 KB browsers compile
;; synchronously) importing the main module's memory. Assembled by
;; scripts/build-wasm.mjs into layernorm-wasm.ts and loaded by
;; runtime/wasm/layernorm-kernels.ts; runtime/tensor/norm.ts copies the rows in and
;; the result out.
;;
;; Arithmetic as the JavaScript path (runtime/tensor/norm.ts normalizeLayers): the
;; residual sum is rounded to float32 (as the Add node would store it); the mean and
;; the variance are accumulated in float64 (two f64x2 accumulators each, mean first
;; and then squared deviations, so no cancellation); each output is
;; ((x − mean)·inv·scale + bias) in float64, rounded once to float32. onnxruntime
;; accumulates in float32, so this is at least as accurate. Everything is written
;; inline: V8 (Node 20) does not inline WebAssembly calls, and a call per four
;; elements cost more than the arithmetic.
(module
  (import "env" "memory" (memory 1))

  ;; `rows` rows of `cols` floats (a multiple of 4; pointers are byte offsets, 16-byte
  ;; alignment not required): y = LayerNorm(x (+ r when flags bit 0)) · s (+ b when
  ;; flags bit 1). With a residual the sum is stored in y first (y may be x or r).
  (func (export "layerNorm")
    (param $rows i32) (param $cols i32) (param $x i32) (param $r i32) (param $s i32) (param $b i32) (param $y i32)
    (param $eps f64) (param $flags i32)
    (local $rb i32) (local $i i32) (local $src i32) (local $v v128) (local $w v128)
    (local $a0 v128) (local $a1 v128) (local $m v128) (local $inv v128) (local $mean f64)
    (local.set $rb (i32.shl (local.get $cols) (i32.const 2)))
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $rows)) (i32.eqz (local.get $cols))))
      (loop $row
        (local.set $src (local.get $x))
        (if (i32.and (local.get $flags) (i32.const 1))
          (then
            (local.set $i (i32.const 0))
            (loop $add
              (v128.store (i32.add (local.get $y) (local.get $i))
                (f32x4.add (v128.load (i32.add (local.get $x) (local.get $i))) (v128.load (i32.add (local.get $r) (local.get $i)))))
              (local.set $i (i32.add (local.get $i) (i32.const 16)))
              (br_if $add (i32.lt_u (local.get $i) (local.get $rb))))
            (local.set $src (local.get $y))))
        ;; mean
        (local.set $a0 (v128.const i64x2 0 0)) (local.set $a1 (v128.const i64x2 0 0))
        (local.set $i (i32.const 0))
        (loop $sum
          (local.set $v (v128.load (i32.add (local.get $src) (local.get $i))))
          (local.set $a0 (f64x2.add (local.get $a0) (f64x2.promote_low_f32x4 (local.get $v))))
          (local.set $a1 (f64x2.add (local.get $a1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $sum (i32.lt_u (local.get $i) (local.get $rb))))
        (local.set $mean (f64.div (f64.add (f64x2.extract_lane 0 (local.tee $a0 (f64x2.add (local.get $a0) (local.get $a1)))) (f64x2.extract_lane 1 (local.get $a0))) (f64.convert_i32_u (local.get $cols))))
        (local.set $m (f64x2.splat (local.get $mean)))
        ;; variance: squared deviations from the mean
        (local.set $a0 (v128.const i64x2 0 0)) (local.set $a1 (v128.const i64x2 0 0))
        (local.set $i (i32.const 0))
        (loop $sq
          (local.set $v (v128.load (i32.add (local.get $src) (local.get $i))))
          (local.set $w (f64x2.sub (f64x2.promote_low_f32x4 (local.get $v)) (local.get $m)))
          (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $w) (local.get $w))))
          (local.set $w (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))) (local.get $m)))
          (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $w) (local.get $w))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $sq (i32.lt_u (local.get $i) (local.get $rb))))
        (local.set $inv (f64x2.splat (f64.div (f64.const 1) (f64.sqrt (f64.add
          (f64.div (f64.add (f64x2.extract_lane 0 (local.tee $a0 (f64x2.add (local.get $a0) (local.get $a1)))) (f64x2.extract_lane 1 (local.get $a0))) (f64.convert_i32_u (local.get $cols)))
          (local.get $eps))))))
        ;; y = (x − mean)·inv·s (+ b), rounded once
        (local.set $i (i32.const 0))
        (loop $out
          (local.set $v (v128.load (i32.add (local.get $src) (local.get $i))))
          (local.set $w (v128.load (i32.add (local.get $s) (local.get $i))))
          (local.set $a0 (f64x2.mul (f64x2.mul (f64x2.sub (f64x2.promote_low_f32x4 (local.get $v)) (local.get $m)) (local.get $inv)) (f64x2.promote_low_f32x4 (local.get $w))))
          (local.set $a1 (f64x2.mul (f64x2.mul (f64x2.sub (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))) (local.get $m)) (local.get $inv)) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $w) (local.get $w)))))
          (if (i32.and (local.get $flags) (i32.const 2))
            (then
              (local.set $w (v128.load (i32.add (local.get $b) (local.get $i))))
              (local.set $a0 (f64x2.add (local.get $a0) (f64x2.promote_low_f32x4 (local.get $w))))
              (local.set $a1 (f64x2.add (local.get $a1) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $w) (local.get $w)))))))
          (v128.store (i32.add (local.get $y) (local.get $i))
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
              (f32x4.demote_f64x2_zero (local.get $a0)) (f32x4.demote_f64x2_zero (local.get $a1))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $out (i32.lt_u (local.get $i) (local.get $rb))))
        (local.set $x (i32.add (local.get $x) (local.get $rb)))
        (local.set $r (i32.add (local.get $r) (local.get $rb)))
        (local.set $y (i32.add (local.get $y) (local.get $rb)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br_if $row (local.get $rows)))))
)
