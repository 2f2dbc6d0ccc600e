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
  ;; With bit 2 of `flags` set, each tile gets the fused epilogue (see `epilogue` below;
  ;; bias, residual rows laid out like C, mode, p0, p1) right after its last K slice is
  ;; stored, while the tile is still in L1, instead of in a separate pass over C.
  (func (export "sgemm")
    (param $mp i32) (param $np i32) (param $k i32) (param $kcMax i32)
    (param $pa i32) (param $b i32) (param $ldb i32) (param $c i32)
    (param $bias i32) (param $res i32) (param $flags i32) (param $mode i32) (param $p0 f32) (param $p1 f32)
    (local $pc i32) (local $kc i32) (local $jp i32) (local $ip i32) (local $p i32)
    (local $ai i32) (local $bi i32) (local $cp i32) (local $ldc i32)
    (local $aBlock i32) (local $bBlock i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $ldc (i32.shl (local.get $np) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (loop $slices
      (local.set $kc (i32.sub (local.get $k) (local.get $pc)))
      (if (i32.gt_u (local.get $kc) (local.get $kcMax)) (then (local.set $kc (local.get $kcMax))))
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
            (local.set $a (f32x4.splat (f32.load (local.get $ai))))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
            (local.set $a (f32x4.splat (f32.load offset=4 (local.get $ai))))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
            (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
            (local.set $a (f32x4.splat (f32.load offset=8 (local.get $ai))))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
            (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
            (local.set $a (f32x4.splat (f32.load offset=12 (local.get $ai))))
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
          (if (i32.and
                (i32.ne (i32.and (local.get $flags) (i32.const 4)) (i32.const 0))
                (i32.ge_u (i32.add (local.get $pc) (local.get $kc)) (local.get $k)))
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
  ;;   w: ch filters of 9 floats (row-major 3×3).
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
              (v128.store (local.get $yp) (local.get $acc))
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
              (v128.store (local.get $yp) (local.get $acc))
              (local.set $r0 (i32.add (local.get $r0) (i32.const 32)))
              (local.set $r1 (i32.add (local.get $r1) (i32.const 32)))
              (local.set $r2 (i32.add (local.get $r2) (i32.const 32)))
              (local.set $yp (i32.add (local.get $yp) (i32.const 16)))
              (local.set $v (i32.sub (local.get $v) (i32.const 1)))
              (br_if $vec2 (local.get $v)))))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br_if $outRows (i32.lt_u (local.get $oy) (local.get $oh))))
      (local.set $w (i32.add (local.get $w) (i32.const 36)))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br_if $channels (i32.lt_u (local.get $c) (local.get $ch)))))

  ;; im2col for a 2-D convolution over zero-padded planes (so no bounds checks):
  ;; col[r·ld + (oy − oy0)·ow + ox] = x[ci][(oy·sh + ky·dh)·xW + ox·sw + kx·dw]
  ;; for r = (ci·kh + ky)·kw + kx and output rows [oy0, oy0 + rows). `ld` is in
  ;; floats. With column stride 1 each output row is a contiguous run of the input,
  ;; copied four floats at a time.
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
                    (br_if $vecDone (i32.gt_u (i32.add (local.get $ox) (i32.const 4)) (local.get $ow)))
                    (v128.store (local.get $dst) (v128.load (local.get $src)))
                    (local.set $src (i32.add (local.get $src) (i32.const 16)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                    (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
                    (br $vec)))))
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
)
