;; mlcompile WebAssembly SIMD pooling kernel: MaxPool with a 2×2 window and stride 2
;; (LeNet's, VGG's and many CNNs' pooling), four outputs per f32x4.
;;
;; A companion module beside kernels.wat (each stays under the 4 KB that browsers
;; compile synchronously), importing the main module's memory. Assembled by
;; scripts/build-wasm.mjs into pool-wasm.ts and loaded by runtime/wasm/pool-kernels.ts.
;;
;; The same results, bit for bit, as the JavaScript kernel (runtime/tensor/pool.ts
;; maxPool2d): each window is reduced in its reading order (top-left, top-right,
;; bottom-left, bottom-right) by MaxPool's step, under which the first maximum wins
;; (so of -0 and +0 the first stays) and the first NaN wins over everything.
(module
  (import "env" "memory" (memory 1))

  ;; MaxPool's step: v where v > m, or where v is NaN and m is not; else m.
  (func $step1 (param $m f32) (param $v f32) (result f32)
    (select (local.get $v)
      (select (local.get $v) (local.get $m) (f32.lt (local.get $m) (local.get $v)))
      (i32.and (f32.ne (local.get $v) (local.get $v)) (f32.eq (local.get $m) (local.get $m)))))

  ;; `planes` planes of inH × inW floats at x (byte pointer) into planes of
  ;; outH × outW at y, outH ≤ inH / 2 and outW ≤ inW / 2 (every window wholly inside):
  ;; y[p][oh][ow] = max of x[p][2oh .. 2oh+1][2ow .. 2ow+1], four outputs per f32x4.
  (func (export "maxPool2x2") (param $planes i32) (param $inH i32) (param $inW i32) (param $outH i32) (param $outW i32) (param $x i32) (param $y i32)
    (local $p i32) (local $oh i32) (local $ow i32) (local $r0 i32) (local $r1 i32) (local $ow4 i32) (local $rowB i32) (local $planeB i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $m v128) (local $v v128)
    (local.set $rowB (i32.shl (local.get $inW) (i32.const 2)))
    (local.set $planeB (i32.mul (local.get $rowB) (local.get $inH)))
    (local.set $ow4 (i32.and (local.get $outW) (i32.const -4)))
    (block $done
      (br_if $done (i32.eqz (i32.mul (local.get $planes) (i32.mul (local.get $outH) (local.get $outW)))))
      (loop $planeLoop
        (local.set $oh (i32.const 0))
        (loop $rowLoop
          (local.set $r0 (i32.add (i32.add (local.get $x) (i32.mul (local.get $p) (local.get $planeB))) (i32.mul (i32.shl (local.get $oh) (i32.const 1)) (local.get $rowB))))
          (local.set $r1 (i32.add (local.get $r0) (local.get $rowB)))
          (local.set $ow (i32.const 0))
          (block $vecDone
            (br_if $vecDone (i32.eqz (local.get $ow4)))
            (loop $vecLoop
              ;; Row 0's eight floats as its windows' left (even lanes) and right (odd) taps, then row 1's.
              (local.set $a0 (v128.load (local.get $r0)))
              (local.set $a1 (v128.load offset=16 (local.get $r0)))
              (local.set $b0 (v128.load (local.get $r1)))
              (local.set $b1 (v128.load offset=16 (local.get $r1)))
              ;; $step written out three times: V8 does not inline WebAssembly calls.
              (local.set $m (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a0) (local.get $a1)))
              (local.set $v (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a0) (local.get $a1)))
              (local.set $m (v128.bitselect (local.get $v) (f32x4.pmax (local.get $m) (local.get $v))
                (v128.and (f32x4.ne (local.get $v) (local.get $v)) (f32x4.eq (local.get $m) (local.get $m)))))
              (local.set $v (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $b0) (local.get $b1)))
              (local.set $m (v128.bitselect (local.get $v) (f32x4.pmax (local.get $m) (local.get $v))
                (v128.and (f32x4.ne (local.get $v) (local.get $v)) (f32x4.eq (local.get $m) (local.get $m)))))
              (local.set $v (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $b0) (local.get $b1)))
              (local.set $m (v128.bitselect (local.get $v) (f32x4.pmax (local.get $m) (local.get $v))
                (v128.and (f32x4.ne (local.get $v) (local.get $v)) (f32x4.eq (local.get $m) (local.get $m)))))
              (v128.store (local.get $y) (local.get $m))
              (local.set $r0 (i32.add (local.get $r0) (i32.const 32)))
              (local.set $r1 (i32.add (local.get $r1) (i32.const 32)))
              (local.set $y (i32.add (local.get $y) (i32.const 16)))
              (local.set $ow (i32.add (local.get $ow) (i32.const 4)))
              (br_if $vecLoop (i32.lt_u (local.get $ow) (local.get $ow4)))))
          (block $tailDone
            (br_if $tailDone (i32.ge_u (local.get $ow) (local.get $outW)))
            (loop $tailLoop
              (f32.store (local.get $y)
                (call $step1
                  (call $step1 (call $step1 (f32.load (local.get $r0)) (f32.load offset=4 (local.get $r0))) (f32.load (local.get $r1)))
                  (f32.load offset=4 (local.get $r1))))
              (local.set $r0 (i32.add (local.get $r0) (i32.const 8)))
              (local.set $r1 (i32.add (local.get $r1) (i32.const 8)))
              (local.set $y (i32.add (local.get $y) (i32.const 4)))
              (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
              (br_if $tailLoop (i32.lt_u (local.get $ow) (local.get $outW)))))
          (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
          (br_if $rowLoop (i32.lt_u (local.get $oh) (local.get $outH))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $planeLoop (i32.lt_u (local.get $p) (local.get $planes))))))
)
