;; mlcompile WebAssembly SIMD kernels (128-bit, f32x4).
;;
;; Source of runtime/wasm/kernels-wasm.ts: `node scripts/build-wasm.mjs` assembles
;; this file with wabt and writes the bytes as base64; test/wasm/build.test.ts
;; checks that the committed bytes are exactly what this file assembles to.
;;
;; Why hand-written WAT rather than WASM generated from TypeScript: the hot loops
;; are a few dozen instructions whose register use decides the speed (eight f32x4
;; accumulators must stay in registers), so writing them out is the most direct
;; way to control that, it needs only the wabt dev dependency, and it keeps the
;; module small (under the 4 KB that browsers allow to compile synchronously).
;;
;; Memory is owned by the module and grown by the JavaScript side
;; (runtime/wasm/kernels.ts), which packs the operands in and copies results out.
;; Every pointer argument is a byte offset into that memory.
(module
  (memory (export "memory") 1)

  ;; C = A · B, A packed, B row-major (one KC-long slice of K at a time):
  ;;   A: for each K slice, Mp/4 row panels of kc×4 floats (A[i0+r, p] at [p·4 + r]);
  ;;      the slice starting at K index pc begins at float pc·Mp.
  ;;   B: K rows of `ldb` floats (ldb ≥ Np), read in place. B is the big operand of a
  ;;      convolution (the im2col matrix, written straight here by the caller), so not
  ;;      packing it saves a pass over it; the kc×8 strip a tile column reads is kc
  ;;      cache lines that stay in L1 while every A panel of the slice streams past.
  ;;   C: Mp×Np floats, row-major. Mp is a multiple of 4 and Np of 8; rows of A past M
  ;;      and columns of B past N are padding whose results the caller drops (column j
  ;;      of C depends on column j of B only), so every tile is full and no edge code
  ;;      is needed here.
  ;; The 4×8 micro-kernel keeps the tile in eight f32x4 accumulators and does a
  ;; broadcast-multiply-add per A element: 32 multiply-adds per 2 B loads and 4 A loads.
  ;; A elements are broadcast by v128.load32_splat (one vbroadcastss load on x86,
  ;; where f32.load + f32x4.splat costs a shuffle on the ports the multiplies need).
  ;; The tile is as large as 128-bit registers allow: x86-64 has 16 XMM registers,
  ;; V8 keeps one as scratch, and 8 accumulators + 2 B + 1 A + 1 product use 12; a
  ;; 6×8 or 4×12 tile (15 + 2) makes V8 spill accumulators in the k loop, and so does
  ;; unrolling k (V8 hoists the next step's loads), both measured slower.
  ;; With bit 2 of `flags` set, each tile gets the fused epilogue (as `epilogue` below:
  ;; bias, residual rows laid out like C, mode, p0, p1) after its last K slice: for
  ;; mode 0 (clamp) in the accumulators before the one store, for mode 1 (leaky relu)
  ;; by calling `epilogue` on the stored tile while it is still in L1. With bit 3 also
  ;; set (mode 0 only), `res` is ONE row added to every row: a per-column bias, as a
  ;; MatMul + Add of a [N] bias needs. The full sums are scaled by `alpha` first.
  (func (export "sgemm")
    (param $mp i32) (param $np i32) (param $k i32) (param $kcMax i32)
    (param $pa i32) (param $b i32) (param $ldb i32) (param $c i32)
    (param $bias i32) (param $res i32) (param $flags i32) (param $mode i32) (param $p0 f32) (param $p1 f32)
    (param $alpha f32)
    (local $pc i32) (local $kc i32) (local $jp i32) (local $ip i32) (local $p i32)
    (local $ai i32) (local $bi i32) (local $cp i32) (local $ldc i32)
    (local $aBlock i32) (local $bBlock i32) (local $fuse i32) (local $last i32)
    (local $a v128) (local $b0 v128) (local $b1 v128) (local $lo v128) (local $hi v128) (local $al v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $ldc (i32.shl (local.get $np) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $lo (f32x4.splat (local.get $p0)))
    (local.set $hi (f32x4.splat (local.get $p1)))
    (local.set $al (f32x4.splat (local.get $alpha)))
    (loop $slices
      (local.set $kc (i32.sub (local.get $k) (local.get $pc)))
      (if (i32.gt_u (local.get $kc) (local.get $kcMax)) (then (local.set $kc (local.get $kcMax))))
      ;; Alpha and the epilogue apply to the full sums: after the last slice only.
      (local.set $last (i32.ge_u (i32.add (local.get $pc) (local.get $kc)) (local.get $k)))
      (local.set $fuse (i32.and (i32.ne (i32.and (local.get $flags) (i32.const 4)) (i32.const 0)) (local.get $last)))
      (local.set $aBlock (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $pc) (local.get $mp)) (i32.const 2))))
      (local.set $bBlock (i32.add (local.get $b) (i32.mul (local.get $pc) (local.get $ldb))))
      (local.set $jp (i32.const 0))
      (loop $cols
        (local.set $ip (i32.const 0))
        (loop $rows
          (local.set $ai (i32.add (local.get $aBlock) (i32.shl (i32.mul (local.get $ip) (local.get $kc)) (i32.const 2))))
          (local.set $bi (i32.add (local.get $bBlock) (i32.shl (local.get $jp) (i32.const 2))))
          (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
          (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
          (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
          (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
          (local.set $p (local.get $kc))
          (loop $k
            (local.set $b0 (v128.load (local.get $bi)))
            (local.set $b1 (v128.load offset=16 (local.get $bi)))
            (local.set $a (v128.load32_splat (local.get $ai)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
            (local.set $a (v128.load32_splat offset=4 (local.get $ai)))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
            (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
            (local.set $a (v128.load32_splat offset=8 (local.get $ai)))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
            (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
            (local.set $a (v128.load32_splat offset=12 (local.get $ai)))
            (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
            (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
            (local.set $ai (i32.add (local.get $ai) (i32.const 16)))
            (local.set $bi (i32.add (local.get $bi) (local.get $ldb)))
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (br_if $k (local.get $p)))
          (local.set $cp (i32.add (local.get $c)
            (i32.add (i32.mul (local.get $ip) (local.get $ldc)) (i32.shl (local.get $jp) (i32.const 2)))))
          ;; The first K slice stores the tile; later slices add to it.
          (if (local.get $pc)
            (then
              (local.set $c00 (f32x4.add (local.get $c00) (v128.load (local.get $cp))))
              (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (local.get $cp))))
              (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
              (local.set $c10 (f32x4.add (local.get $c10) (v128.load (local.get $cp))))
              (local.set $c11 (f32x4.add (local.get $c11) (v128.load offset=16 (local.get $cp))))
              (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
              (local.set $c20 (f32x4.add (local.get $c20) (v128.load (local.get $cp))))
              (local.set $c21 (f32x4.add (local.get $c21) (v128.load offset=16 (local.get $cp))))
              (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
              (local.set $c30 (f32x4.add (local.get $c30) (v128.load (local.get $cp))))
              (local.set $c31 (f32x4.add (local.get $c31) (v128.load offset=16 (local.get $cp))))
              (local.set $cp (i32.sub (local.get $cp) (i32.mul (local.get $ldc) (i32.const 3))))))
          (if (local.get $last)
            (then
              (local.set $c00 (f32x4.mul (local.get $c00) (local.get $al)))
              (local.set $c01 (f32x4.mul (local.get $c01) (local.get $al)))
              (local.set $c10 (f32x4.mul (local.get $c10) (local.get $al)))
              (local.set $c11 (f32x4.mul (local.get $c11) (local.get $al)))
              (local.set $c20 (f32x4.mul (local.get $c20) (local.get $al)))
              (local.set $c21 (f32x4.mul (local.get $c21) (local.get $al)))
              (local.set $c30 (f32x4.mul (local.get $c30) (local.get $al)))
              (local.set $c31 (f32x4.mul (local.get $c31) (local.get $al)))))
          (if (i32.and (local.get $fuse) (i32.eqz (local.get $mode)))
            (then
              ;; v = clamp(v + bias[row] + res[row][j], p0, p1), as `epilogue` computes it.
              (if (i32.and (local.get $flags) (i32.const 1))
                (then
                  (local.set $p (i32.add (local.get $bias) (i32.shl (local.get $ip) (i32.const 2))))
                  (local.set $a (v128.load32_splat (local.get $p)))
                  (local.set $c00 (f32x4.add (local.get $c00) (local.get $a)))
                  (local.set $c01 (f32x4.add (local.get $c01) (local.get $a)))
                  (local.set $a (v128.load32_splat offset=4 (local.get $p)))
                  (local.set $c10 (f32x4.add (local.get $c10) (local.get $a)))
                  (local.set $c11 (f32x4.add (local.get $c11) (local.get $a)))
                  (local.set $a (v128.load32_splat offset=8 (local.get $p)))
                  (local.set $c20 (f32x4.add (local.get $c20) (local.get $a)))
                  (local.set $c21 (f32x4.add (local.get $c21) (local.get $a)))
                  (local.set $a (v128.load32_splat offset=12 (local.get $p)))
                  (local.set $c30 (f32x4.add (local.get $c30) (local.get $a)))
                  (local.set $c31 (f32x4.add (local.get $c31) (local.get $a)))))
              (if (i32.and (local.get $flags) (i32.const 2))
                (then
                  ;; Rows laid out like C, or (flags bit 3) one row added to every row: a per-column bias.
                  (local.set $p (i32.add (local.get $res) (i32.sub (local.get $cp) (local.get $c))))
                  (local.set $ai (local.get $ldc))
                  (if (i32.and (local.get $flags) (i32.const 8))
                    (then
                      (local.set $p (i32.add (local.get $res) (i32.shl (local.get $jp) (i32.const 2))))
                      (local.set $ai (i32.const 0))))
                  (local.set $c00 (f32x4.add (local.get $c00) (v128.load (local.get $p))))
                  (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (local.get $p))))
                  (local.set $p (i32.add (local.get $p) (local.get $ai)))
                  (local.set $c10 (f32x4.add (local.get $c10) (v128.load (local.get $p))))
                  (local.set $c11 (f32x4.add (local.get $c11) (v128.load offset=16 (local.get $p))))
                  (local.set $p (i32.add (local.get $p) (local.get $ai)))
                  (local.set $c20 (f32x4.add (local.get $c20) (v128.load (local.get $p))))
                  (local.set $c21 (f32x4.add (local.get $c21) (v128.load offset=16 (local.get $p))))
                  (local.set $p (i32.add (local.get $p) (local.get $ai)))
                  (local.set $c30 (f32x4.add (local.get $c30) (v128.load (local.get $p))))
                  (local.set $c31 (f32x4.add (local.get $c31) (v128.load offset=16 (local.get $p))))))
              (local.set $c00 (f32x4.pmin (f32x4.pmax (local.get $c00) (local.get $lo)) (local.get $hi)))
              (local.set $c01 (f32x4.pmin (f32x4.pmax (local.get $c01) (local.get $lo)) (local.get $hi)))
              (local.set $c10 (f32x4.pmin (f32x4.pmax (local.get $c10) (local.get $lo)) (local.get $hi)))
              (local.set $c11 (f32x4.pmin (f32x4.pmax (local.get $c11) (local.get $lo)) (local.get $hi)))
              (local.set $c20 (f32x4.pmin (f32x4.pmax (local.get $c20) (local.get $lo)) (local.get $hi)))
              (local.set $c21 (f32x4.pmin (f32x4.pmax (local.get $c21) (local.get $lo)) (local.get $hi)))
              (local.set $c30 (f32x4.pmin (f32x4.pmax (local.get $c30) (local.get $lo)) (local.get $hi)))
              (local.set $c31 (f32x4.pmin (f32x4.pmax (local.get $c31) (local.get $lo)) (local.get $hi)))))
          (v128.store (local.get $cp) (local.get $c00))
          (v128.store offset=16 (local.get $cp) (local.get $c01))
          (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
          (v128.store (local.get $cp) (local.get $c10))
          (v128.store offset=16 (local.get $cp) (local.get $c11))
          (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
          (v128.store (local.get $cp) (local.get $c20))
          (v128.store offset=16 (local.get $cp) (local.get $c21))
          (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
          (v128.store (local.get $cp) (local.get $c30))
          (v128.store offset=16 (local.get $cp) (local.get $c31))
          (if (i32.and (local.get $fuse) (i32.ne (local.get $mode) (i32.const 0)))
            (then
              (local.set $cp (i32.add (local.get $c)
                (i32.add (i32.mul (local.get $ip) (local.get $ldc)) (i32.shl (local.get $jp) (i32.const 2)))))
              (call $epilogue (local.get $cp) (i32.const 4) (i32.const 2) (local.get $np)
                (i32.add (local.get $bias) (i32.shl (local.get $ip) (i32.const 2)))
                (i32.add (local.get $res) (i32.sub (local.get $cp) (local.get $c)))
                (local.get $flags) (local.get $mode) (local.get $p0) (local.get $p1))))
          (local.set $ip (i32.add (local.get $ip) (i32.const 4)))
          (br_if $rows (i32.lt_u (local.get $ip) (local.get $mp))))
        (local.set $jp (i32.add (local.get $jp) (i32.const 8)))
        (br_if $cols (i32.lt_u (local.get $jp) (local.get $np))))
      (local.set $pc (i32.add (local.get $pc) (local.get $kc)))
      (br_if $slices (i32.lt_u (local.get $pc) (local.get $k)))))

  ;; Depthwise 3×3 convolution, dilation 1, column stride 1 or 2, any row stride,
  ;; over `ch` channel planes at once, four output columns per f32x4.
  ;;   x: ch planes of xH×xW floats, already zero-padded by the caller so every tap
  ;;      of every (padded) output column is in range: no bounds checks here.
  ;;   w: ch records of 12 floats: the filter's 9 taps (row-major 3×3), then the
  ;;      channel's epilogue: bias, lo, hi; every output is stored as
  ;;      pmin(pmax(acc + bias, lo), hi) (`epilogue` mode 0), so a fused bias + Relu or
  ;;      Clip costs no second pass. bias −0, lo −inf, hi +inf store acc unchanged
  ;;      (x + −0 = x for every x, −0 and NaN included).
  ;;   y: ch planes of oh×(owv·4) floats.
  ;; The nine weights of a channel live in registers as splats. For stride 2 the
  ;; taps of four outputs are every other input: two loads and an even-lane shuffle.
  (func (export "dw3x3")
    (param $ch i32) (param $oh i32) (param $owv i32) (param $sh i32) (param $sw i32)
    (param $x i32) (param $xH i32) (param $xW i32) (param $w i32) (param $y i32)
    (local $c i32) (local $oy i32) (local $v i32) (local $ldx i32)
    (local $xc i32) (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $yp i32)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $w4 v128)
    (local $w5 v128) (local $w6 v128) (local $w7 v128) (local $w8 v128) (local $acc v128)
    (local $bv v128) (local $lo v128) (local $hi v128)
    (local.set $ldx (i32.shl (local.get $xW) (i32.const 2)))
    (local.set $yp (local.get $y))
    (loop $channels
      (local.set $w0 (f32x4.splat (f32.load (local.get $w))))
      (local.set $w1 (f32x4.splat (f32.load offset=4 (local.get $w))))
      (local.set $w2 (f32x4.splat (f32.load offset=8 (local.get $w))))
      (local.set $w3 (f32x4.splat (f32.load offset=12 (local.get $w))))
      (local.set $w4 (f32x4.splat (f32.load offset=16 (local.get $w))))
      (local.set $w5 (f32x4.splat (f32.load offset=20 (local.get $w))))
      (local.set $w6 (f32x4.splat (f32.load offset=24 (local.get $w))))
      (local.set $w7 (f32x4.splat (f32.load offset=28 (local.get $w))))
      (local.set $w8 (f32x4.splat (f32.load offset=32 (local.get $w))))
      (local.set $bv (v128.load32_splat offset=36 (local.get $w)))
      (local.set $lo (v128.load32_splat offset=40 (local.get $w)))
      (local.set $hi (v128.load32_splat offset=44 (local.get $w)))
      (local.set $xc (i32.add (local.get $x) (i32.mul (i32.mul (local.get $c) (local.get $xH)) (local.get $ldx))))
      (local.set $oy (i32.const 0))
      (loop $outRows
        (local.set $r0 (i32.add (local.get $xc) (i32.mul (i32.mul (local.get $oy) (local.get $sh)) (local.get $ldx))))
        (local.set $r1 (i32.add (local.get $r0) (local.get $ldx)))
        (local.set $r2 (i32.add (local.get $r1) (local.get $ldx)))
        (local.set $v (local.get $owv))
        (if (i32.eq (local.get $sw) (i32.const 1))
          (then
            (loop $vec1
              (local.set $acc (f32x4.mul (v128.load (local.get $r0)) (local.get $w0)))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=4 (local.get $r0)) (local.get $w1))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=8 (local.get $r0)) (local.get $w2))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (local.get $r1)) (local.get $w3))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=4 (local.get $r1)) (local.get $w4))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=8 (local.get $r1)) (local.get $w5))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load (local.get $r2)) (local.get $w6))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=4 (local.get $r2)) (local.get $w7))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load offset=8 (local.get $r2)) (local.get $w8))))
              (v128.store (local.get $yp)
                (f32x4.pmin (f32x4.pmax (f32x4.add (local.get $acc) (local.get $bv)) (local.get $lo)) (local.get $hi)))
              (local.set $r0 (i32.add (local.get $r0) (i32.const 16)))
              (local.set $r1 (i32.add (local.get $r1) (i32.const 16)))
              (local.set $r2 (i32.add (local.get $r2) (i32.const 16)))
              (local.set $yp (i32.add (local.get $yp) (i32.const 16)))
              (local.set $v (i32.sub (local.get $v) (i32.const 1)))
              (br_if $vec1 (local.get $v))))
          (else
            (loop $vec2
              (local.set $acc (f32x4.mul (local.get $w0) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (v128.load (local.get $r0)) (v128.load offset=16 (local.get $r0)))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w1) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                (v128.load (local.get $r0)) (v128.load offset=16 (local.get $r0))))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w2) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (v128.load offset=8 (local.get $r0)) (v128.load offset=24 (local.get $r0))))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w3) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (v128.load (local.get $r1)) (v128.load offset=16 (local.get $r1))))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w4) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                (v128.load (local.get $r1)) (v128.load offset=16 (local.get $r1))))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w5) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (v128.load offset=8 (local.get $r1)) (v128.load offset=24 (local.get $r1))))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w6) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (v128.load (local.get $r2)) (v128.load offset=16 (local.get $r2))))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w7) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                (v128.load (local.get $r2)) (v128.load offset=16 (local.get $r2))))))
              (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w8) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                (v128.load offset=8 (local.get $r2)) (v128.load offset=24 (local.get $r2))))))
              (v128.store (local.get $yp)
                (f32x4.pmin (f32x4.pmax (f32x4.add (local.get $acc) (local.get $bv)) (local.get $lo)) (local.get $hi)))
              (local.set $r0 (i32.add (local.get $r0) (i32.const 32)))
              (local.set $r1 (i32.add (local.get $r1) (i32.const 32)))
              (local.set $r2 (i32.add (local.get $r2) (i32.const 32)))
              (local.set $yp (i32.add (local.get $yp) (i32.const 16)))
              (local.set $v (i32.sub (local.get $v) (i32.const 1)))
              (br_if $vec2 (local.get $v)))))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br_if $outRows (i32.lt_u (local.get $oy) (local.get $oh))))
      (local.set $w (i32.add (local.get $w) (i32.const 48)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $channels (i32.lt_u (local.get $c) (local.get $ch)))))

  ;; im2col for a 2-D convolution over zero-padded planes (so no bounds checks):
  ;; col[r·ld + (oy − oy0)·ow + ox] = x[ci][(oy·sh + ky·dh)·xW + ox·sw + kx·dw]
  ;; for r = (ci·kh + ky)·kw + kx and output rows [oy0, oy0 + rows). `ld` is in
  ;; floats. With column stride 1 each output row is a contiguous run of the input,
  ;; copied four floats at a time; with stride 2, four outputs are the even lanes of
  ;; two loads. The last four are done whole: a row may read up to 7 floats past its
  ;; input row and write up to 3 past its end. Those land on the next output row
  ;; (written after it), on column padding, or past the last row of `col`; the
  ;; caller keeps 7 floats of readable memory after the planes and nothing it needs
  ;; within 3 floats after the last row of `col`.
  (func (export "im2col")
    (param $x i32) (param $c i32) (param $xH i32) (param $xW i32) (param $kh i32) (param $kw i32)
    (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $oy0 i32) (param $rows i32) (param $ow i32) (param $col i32) (param $ld i32)
    (local $ci i32) (local $ky i32) (local $kx i32) (local $oy i32) (local $ox i32)
    (local $src i32) (local $dst i32) (local $rowDst i32) (local $plane i32) (local $ldx i32) (local $step i32)
    (local.set $ldx (i32.shl (local.get $xW) (i32.const 2)))
    (local.set $plane (i32.mul (local.get $xH) (local.get $ldx)))
    (local.set $ld (i32.shl (local.get $ld) (i32.const 2)))
    (local.set $step (i32.shl (local.get $sw) (i32.const 2)))
    (local.set $rowDst (local.get $col))
    (loop $channels
      (local.set $ky (i32.const 0))
      (loop $kys
        (local.set $kx (i32.const 0))
        (loop $kxs
          (local.set $oy (i32.const 0))
          (loop $outRows
            (local.set $src (i32.add
              (i32.add (local.get $x) (i32.mul (local.get $ci) (local.get $plane)))
              (i32.add
                (i32.mul (i32.add (i32.mul (i32.add (local.get $oy0) (local.get $oy)) (local.get $sh))
                                  (i32.mul (local.get $ky) (local.get $dh))) (local.get $ldx))
                (i32.shl (i32.mul (local.get $kx) (local.get $dw)) (i32.const 2)))))
            (local.set $dst (i32.add (local.get $rowDst) (i32.shl (i32.mul (local.get $oy) (local.get $ow)) (i32.const 2))))
            (local.set $ox (i32.const 0))
            (if (i32.eq (local.get $sw) (i32.const 1))
              (then
                (block $vecDone
                  (loop $vec
                    (br_if $vecDone (i32.ge_u (local.get $ox) (local.get $ow)))
                    (v128.store (local.get $dst) (v128.load (local.get $src)))
                    (local.set $src (i32.add (local.get $src) (i32.const 16)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                    (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
                    (br $vec))))
              (else (if (i32.eq (local.get $sw) (i32.const 2))
                (then
                  (block $vec2Done
                    (loop $vec2
                      (br_if $vec2Done (i32.ge_u (local.get $ox) (local.get $ow)))
                      (v128.store (local.get $dst) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                        (v128.load (local.get $src)) (v128.load offset=16 (local.get $src))))
                      (local.set $src (i32.add (local.get $src) (i32.const 32)))
                      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                      (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
                      (br $vec2)))))))
            (block $done
              (loop $scalar
                (br_if $done (i32.ge_u (local.get $ox) (local.get $ow)))
                (f32.store (local.get $dst) (f32.load (local.get $src)))
                (local.set $src (i32.add (local.get $src) (local.get $step)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
                (br $scalar)))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br_if $outRows (i32.lt_u (local.get $oy) (local.get $rows))))
          (local.set $rowDst (i32.add (local.get $rowDst) (local.get $ld)))
          (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
          (br_if $kxs (i32.lt_u (local.get $kx) (local.get $kw))))
        (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
        (br_if $kys (i32.lt_u (local.get $ky) (local.get $kh))))
      (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
      (br_if $channels (i32.lt_u (local.get $ci) (local.get $c)))))

  ;; Epilogue of a fused convolution, in place over `rows` rows of `n4` f32x4 each
  ;; (row stride `ld` floats) at `c`: v = act(v + bias[row] + res[row][j]).
  ;;   flags: bit 0 adds bias (one float per row at `bias`), bit 1 adds the residual
  ;;          (rows of stride `ld` at `res`).
  ;;   mode 0: clamp to [p0, p1] (none: ±inf; relu: [0, inf]; clip), as
  ;;           pmin(pmax(v, p0), p1) = p1 < max' ? p1 : max', max' = v < p0 ? p0 : v:
  ;;           NaN stays NaN, exactly as the JavaScript `v < 0 ? 0 : v` and Math.min/max.
  ;;   mode 1: leaky relu, v < 0 ? p0·v : v.
  (func $epilogue (export "epilogue")
    (param $c i32) (param $rows i32) (param $n4 i32) (param $ld i32)
    (param $bias i32) (param $res i32) (param $flags i32) (param $mode i32) (param $p0 f32) (param $p1 f32)
    (local $i i32) (local $j i32) (local $cp i32) (local $rp i32)
    (local $b v128) (local $lo v128) (local $hi v128) (local $v v128)
    (local.set $ld (i32.shl (local.get $ld) (i32.const 2)))
    (local.set $lo (f32x4.splat (local.get $p0)))
    (local.set $hi (f32x4.splat (local.get $p1)))
    (block $done
      (br_if $done (i32.eqz (local.get $rows)))
      (br_if $done (i32.eqz (local.get $n4)))
      (loop $rowLoop
        (local.set $b (v128.const i32x4 0 0 0 0))
        (if (i32.and (local.get $flags) (i32.const 1))
          (then (local.set $b (f32x4.splat (f32.load (i32.add (local.get $bias) (i32.shl (local.get $i) (i32.const 2))))))))
        (local.set $cp (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ld))))
        (local.set $rp (i32.add (local.get $res) (i32.mul (local.get $i) (local.get $ld))))
        (local.set $j (local.get $n4))
        (loop $vec
          (local.set $v (f32x4.add (v128.load (local.get $cp)) (local.get $b)))
          (if (i32.and (local.get $flags) (i32.const 2))
            (then (local.set $v (f32x4.add (local.get $v) (v128.load (local.get $rp))))))
          (if (local.get $mode)
            (then
              (local.set $v (v128.bitselect
                (f32x4.mul (local.get $v) (local.get $lo)) (local.get $v)
                (f32x4.lt (local.get $v) (v128.const i32x4 0 0 0 0)))))
            (else
              (local.set $v (f32x4.pmin (f32x4.pmax (local.get $v) (local.get $lo)) (local.get $hi)))))
          (v128.store (local.get $cp) (local.get $v))
          (local.set $cp (i32.add (local.get $cp) (i32.const 16)))
          (local.set $rp (i32.add (local.get $rp) (i32.const 16)))
          (local.set $j (i32.sub (local.get $j) (i32.const 1)))
          (br_if $vec (local.get $j)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $rowLoop (i32.lt_u (local.get $i) (local.get $rows))))))

  ;; Copies `ch` planes of h×w floats at `src` into planes of xH×xW at `dst`, shifted
  ;; by (pt, pl) rows/columns, zero elsewhere (the border the im2col and depthwise
  ;; loops read instead of bounds checks). The caller copies the input in with one
  ;; memcpy; doing the strided part here avoids a JavaScript call per row.
  (func (export "pad")
    (param $src i32) (param $ch i32) (param $h i32) (param $w i32)
    (param $dst i32) (param $xH i32) (param $xW i32) (param $pt i32) (param $pl i32)
    (local $c i32) (local $y i32) (local $s i32) (local $d i32) (local $rowBytes i32) (local $ldx i32)
    (local.set $ldx (i32.shl (local.get $xW) (i32.const 2)))
    (local.set $rowBytes (i32.shl (local.get $w) (i32.const 2)))
    (memory.fill (local.get $dst) (i32.const 0)
      (i32.mul (i32.mul (local.get $ch) (local.get $xH)) (local.get $ldx)))
    (local.set $s (local.get $src))
    (block $done
      (br_if $done (i32.eqz (local.get $ch)))
      (br_if $done (i32.eqz (local.get $h)))
      (loop $planes
        (local.set $d (i32.add
          (i32.add (local.get $dst) (i32.mul (i32.mul (local.get $c) (local.get $xH)) (local.get $ldx)))
          (i32.add (i32.mul (local.get $pt) (local.get $ldx)) (i32.shl (local.get $pl) (i32.const 2)))))
        (local.set $y (i32.const 0))
        (loop $rowsLoop
          (memory.copy (local.get $d) (local.get $s) (local.get $rowBytes))
          (local.set $s (i32.add (local.get $s) (local.get $rowBytes)))
          (local.set $d (i32.add (local.get $d) (local.get $ldx)))
          (local.set $y (i32.add (local.get $y) (i32.const 1)))
          (br_if $rowsLoop (i32.lt_u (local.get $y) (local.get $h))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br_if $planes (i32.lt_u (local.get $c) (local.get $ch))))))

  ;; Gathers `rows` rows of `n` floats, `ld` floats apart at `src`, into one contiguous
  ;; block at `dst` (which must not overlap rows not yet copied: dst ≤ src works in
  ;; place), so that JavaScript copies a padded result out with a single memcpy.
  (func (export "compact")
    (param $src i32) (param $rows i32) (param $n i32) (param $ld i32) (param $dst i32)
    (local $i i32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (local.set $ld (i32.shl (local.get $ld) (i32.const 2)))
    (block $done
      (br_if $done (i32.eqz (local.get $rows)))
      (loop $rowLoop
        (memory.copy (local.get $dst) (local.get $src) (local.get $bytes))
        (local.set $src (i32.add (local.get $src) (local.get $ld)))
        (local.set $dst (i32.add (local.get $dst) (local.get $bytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $rowLoop (i32.lt_u (local.get $i) (local.get $rows))))))

  ;; y = act(alpha · W·x (+ b)): the matrix-vector product of a batch-1 Gemm or
  ;; MatMul, or of one recurrent step, with W resident in this memory (packed once by
  ;; runtime/wasm/gemv-wasm.ts, so a call copies only x in and y out).
  ;;   W: np/8 panels of 8 rows; within a panel, for each 4-float chunk of K, that chunk
  ;;      of each of the 8 rows (8 × 16 bytes): the whole matrix is one forward stream.
  ;;   x: kp floats, zero past K. y, b: np floats.
  ;; Eight f32x4 accumulators, one per row (lane l sums the products p ≡ l mod 4), give
  ;; eight independent add chains; a transpose-add then turns each four into one vector
  ;; of four row sums. flags bit 0 adds b; mode, p0, p1 as in `epilogue`.
  (func (export "gemv")
    (param $np i32) (param $kp i32) (param $w i32) (param $x i32) (param $y i32) (param $b i32)
    (param $flags i32) (param $alpha f32) (param $mode i32) (param $p0 f32) (param $p1 f32)
    (local $j i32) (local $xp i32) (local $xe i32)
    (local $xv v128) (local $s0 v128) (local $s1 v128) (local $lo v128) (local $hi v128) (local $al v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $xe (i32.add (local.get $x) (i32.shl (local.get $kp) (i32.const 2))))
    (local.set $lo (f32x4.splat (local.get $p0)))
    (local.set $hi (f32x4.splat (local.get $p1)))
    (local.set $al (f32x4.splat (local.get $alpha)))
    (block $done
      (br_if $done (i32.eqz (local.get $np)))
      (br_if $done (i32.eqz (local.get $kp)))
      (loop $panels
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $a4 (v128.const i32x4 0 0 0 0))
        (local.set $a5 (v128.const i32x4 0 0 0 0))
        (local.set $a6 (v128.const i32x4 0 0 0 0))
        (local.set $a7 (v128.const i32x4 0 0 0 0))
        (local.set $xp (local.get $x))
        (loop $k
          (local.set $xv (v128.load (local.get $xp)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $xv) (v128.load offset=0 (local.get $w)))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $xv) (v128.load offset=16 (local.get $w)))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $xv) (v128.load offset=32 (local.get $w)))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $xv) (v128.load offset=48 (local.get $w)))))
          (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $xv) (v128.load offset=64 (local.get $w)))))
          (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $xv) (v128.load offset=80 (local.get $w)))))
          (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $xv) (v128.load offset=96 (local.get $w)))))
          (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $xv) (v128.load offset=112 (local.get $w)))))
          (local.set $w (i32.add (local.get $w) (i32.const 128)))
          (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
          (br_if $k (i32.lt_u (local.get $xp) (local.get $xe))))
        (local.set $s0 (f32x4.mul (local.get $al)
          (call $rowSums (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3))))
        (local.set $s1 (f32x4.mul (local.get $al)
          (call $rowSums (local.get $a4) (local.get $a5) (local.get $a6) (local.get $a7))))
        (if (i32.and (local.get $flags) (i32.const 1))
          (then
            (local.set $s0 (f32x4.add (local.get $s0) (v128.load (local.get $b))))
            (local.set $s1 (f32x4.add (local.get $s1) (v128.load offset=16 (local.get $b))))))
        (v128.store (local.get $y) (call $activate (local.get $s0) (local.get $mode) (local.get $lo) (local.get $hi)))
        (v128.store offset=16 (local.get $y) (call $activate (local.get $s1) (local.get $mode) (local.get $lo) (local.get $hi)))
        (local.set $y (i32.add (local.get $y) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br_if $panels (i32.lt_u (local.get $j) (local.get $np))))))

  ;; [Σ a0, Σ a1, Σ a2, Σ a3] (each the sum of its four lanes): pairwise lane sums of
  ;; (a0, a1) and (a2, a3) interleaved, then the two halves added.
  (func $rowSums (param $a0 v128) (param $a1 v128) (param $a2 v128) (param $a3 v128) (result v128)
    (local $v01 v128) (local $v23 v128)
    (local.set $v01 (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1))))
    (local.set $v23 (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3))
      (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3))))
    (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $v01) (local.get $v23))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $v01) (local.get $v23))))

  ;; The activations of `epilogue` on one vector: mode 0 clamps to [lo, hi] (NaN stays
  ;; NaN), mode 1 is leaky relu with slope lo.
  (func $activate (param $v v128) (param $mode i32) (param $lo v128) (param $hi v128) (result v128)
    (if (result v128) (local.get $mode)
      (then (v128.bitselect
        (f32x4.mul (local.get $v) (local.get $lo)) (local.get $v)
        (f32x4.lt (local.get $v) (v128.const i32x4 0 0 0 0))))
      (else (f32x4.pmin (f32x4.pmax (local.get $v) (local.get $lo)) (local.get $hi)))))
)
