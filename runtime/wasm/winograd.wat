;; mlcompile WebAssembly SIMD kernels for Winograd convolutions (128-bit, f32x4).
;;
;; Source of runtime/wasm/winograd-wasm.ts (assembled by scripts/build-wasm.mjs, checked
;; by test/wasm/build.test.ts). A separate module from kernels.wat so that each stays
;; under the 4 KB browsers compile synchronously; it imports kernels.wat's memory, and
;; its transforms read and write the operands the `sgemm` export multiplies there
;; (runtime/wasm/winograd-conv.ts lays them out). Pointers are byte offsets.
;;
;; F(2×2, 3×3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks",
;; 2016): a 2×2 block of outputs is Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A for its 4×4 input patch d,
;;   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  Aᵀ = [1 1 1 0; 0 1 −1 −1].
;; Both transforms only add and subtract, so they are exact up to the rounding of
;; each sum. Four neighbouring tiles of a tile row go through together, one per lane.
;; F(4×4, 3×3) (in4/out4: 6×6 patches, 36 products) follows the same layout; its
;; transforms scale by up to 8, and its larger rounding error keeps it off by default
;; (runtime/wasm/winograd-conv.ts, winogradTileFor).
(module
  (import "env" "memory" (memory 1))

  ;; Input transform: V[ξ][ci][ty·tW + tx] = (Bᵀ d B)[ξ] for the patch d of tile
  ;; (ty, tx) of channel ci, ξ = 4·row + column; V[ξ] starts at v + ξ·vs (vs bytes),
  ;; its rows are ldb floats apart (the B operand of `sgemm`, K = channels).
  ;;   x: ch zero-padded planes of xH×xW floats; tile (ty, tx) reads rows 2ty..2ty+3,
  ;;      columns 2tx..2tx+3. The caller makes xW ≥ 2·tW' + 2 and xH ≥ 2·tH + 2 with
  ;;      tW' = tW rounded up to 4, so whole groups of four tiles read in range.
  ;;   A group past the end of a tile row computes lanes for tiles that do not exist
  ;;   and stores them over the next row's first tiles, which are written afterwards;
  ;;   past the last row they land in the padding columns (or the next channel's row,
  ;;   also written afterwards): the caller leaves ≥ 3 floats after each V[ξ].
  (func (export "in2")
    (param $x i32) (param $ch i32) (param $xH i32) (param $xW i32) (param $tH i32) (param $tW i32)
    (param $v i32) (param $ldb i32) (param $vs i32)
    (local $ci i32) (local $ty i32) (local $tx i32) (local $ldx i32) (local $row i32) (local $vrow i32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $q i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128)
    (local.set $ldx (i32.shl (local.get $xW) (i32.const 2)))
    (loop $planes
      (local.set $ty (i32.const 0))
      (loop $tileRows
        (local.set $row (i32.add (local.get $x) (i32.mul
          (i32.add (i32.mul (local.get $ci) (local.get $xH)) (i32.shl (local.get $ty) (i32.const 1))) (local.get $ldx))))
        (local.set $vrow (i32.add (local.get $v) (i32.shl
          (i32.add (i32.mul (local.get $ci) (local.get $ldb)) (i32.mul (local.get $ty) (local.get $tW))) (i32.const 2))))
        (local.set $tx (i32.const 0))
        (loop $groups
          (local.set $s0 (i32.add (local.get $row) (i32.shl (local.get $tx) (i32.const 3))))
          (local.set $s1 (i32.add (local.get $s0) (local.get $ldx)))
          (local.set $s2 (i32.add (local.get $s1) (local.get $ldx)))
          (local.set $s3 (i32.add (local.get $s2) (local.get $ldx)))
          (local.set $q (i32.add (local.get $vrow) (i32.shl (local.get $tx) (i32.const 2))))
          ;; Bᵀ d on whole input rows first (row combinations commute with the lane
          ;; gathers), then per combined row the even/odd gathers and d B.
          (local.set $a (f32x4.sub (v128.load (local.get $s0)) (v128.load (local.get $s2))))
          (local.set $b (f32x4.sub (v128.load offset=16 (local.get $s0)) (v128.load offset=16 (local.get $s2))))
          (local.set $c (f32x4.sub (v128.load offset=8 (local.get $s0)) (v128.load offset=8 (local.get $s2))))
          (local.set $d (f32x4.sub (v128.load offset=24 (local.get $s0)) (v128.load offset=24 (local.get $s2))))
          (local.set $d0 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
          (local.set $d1 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))
          (local.set $d2 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $c) (local.get $d)))
          (local.set $d3 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $c) (local.get $d)))
          (v128.store (local.get $q) (f32x4.sub (local.get $d0) (local.get $d2)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (v128.store (local.get $q) (f32x4.add (local.get $d1) (local.get $d2)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (v128.store (local.get $q) (f32x4.sub (local.get $d2) (local.get $d1)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (v128.store (local.get $q) (f32x4.sub (local.get $d1) (local.get $d3)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (local.set $a (f32x4.add (v128.load (local.get $s1)) (v128.load (local.get $s2))))
          (local.set $b (f32x4.add (v128.load offset=16 (local.get $s1)) (v128.load offset=16 (local.get $s2))))
          (local.set $c (f32x4.add (v128.load offset=8 (local.get $s1)) (v128.load offset=8 (local.get $s2))))
          (local.set $d (f32x4.add (v128.load offset=24 (local.get $s1)) (v128.load offset=24 (local.get $s2))))
          (local.set $d0 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
          (local.set $d1 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))
          (local.set $d2 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $c) (local.get $d)))
          (local.set $d3 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $c) (local.get $d)))
          (v128.store (local.get $q) (f32x4.sub (local.get $d0) (local.get $d2)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (v128.store (local.get $q) (f32x4.add (local.get $d1) (local.get $d2)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (v128.store (local.get $q) (f32x4.sub (local.get $d2) (local.get $d1)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (v128.store (local.get $q) (f32x4.sub (local.get $d1) (local.get $d3)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (local.set $a (f32x4.sub (v128.load (local.get $s2)) (v128.load (local.get $s1))))
          (local.set $b (f32x4.sub (v128.load offset=16 (local.get $s2)) (v128.load offset=16 (local.get $s1))))
          (local.set $c (f32x4.sub (v128.load offset=8 (local.get $s2)) (v128.load offset=8 (local.get $s1))))
          (local.set $d (f32x4.sub (v128.load offset=24 (local.get $s2)) (v128.load offset=24 (local.get $s1))))
          (local.set $d0 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
          (local.set $d1 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))
          (local.set $d2 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $c) (local.get $d)))
          (local.set $d3 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $c) (local.get $d)))
          (v128.store (local.get $q) (f32x4.sub (local.get $d0) (local.get $d2)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (v128.store (local.get $q) (f32x4.add (local.get $d1) (local.get $d2)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (v128.store (local.get $q) (f32x4.sub (local.get $d2) (local.get $d1)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (v128.store (local.get $q) (f32x4.sub (local.get $d1) (local.get $d3)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (local.set $a (f32x4.sub (v128.load (local.get $s1)) (v128.load (local.get $s3))))
          (local.set $b (f32x4.sub (v128.load offset=16 (local.get $s1)) (v128.load offset=16 (local.get $s3))))
          (local.set $c (f32x4.sub (v128.load offset=8 (local.get $s1)) (v128.load offset=8 (local.get $s3))))
          (local.set $d (f32x4.sub (v128.load offset=24 (local.get $s1)) (v128.load offset=24 (local.get $s3))))
          (local.set $d0 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
          (local.set $d1 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))
          (local.set $d2 (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $c) (local.get $d)))
          (local.set $d3 (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $c) (local.get $d)))
          (v128.store (local.get $q) (f32x4.sub (local.get $d0) (local.get $d2)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (v128.store (local.get $q) (f32x4.add (local.get $d1) (local.get $d2)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (v128.store (local.get $q) (f32x4.sub (local.get $d2) (local.get $d1)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (v128.store (local.get $q) (f32x4.sub (local.get $d1) (local.get $d3)))
          (local.set $q (i32.add (local.get $q) (local.get $vs)))
          (local.set $tx (i32.add (local.get $tx) (i32.const 4)))
          (br_if $groups (i32.lt_u (local.get $tx) (local.get $tW))))
        (local.set $ty (i32.add (local.get $ty) (i32.const 1)))
        (br_if $tileRows (i32.lt_u (local.get $ty) (local.get $tH))))
      (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
      (br_if $planes (i32.lt_u (local.get $ci) (local.get $ch)))))

  ;; Output transform: Y block of tile (ty, tx) of plane mi = Aᵀ P A, P[ξ][mi][ty·tW + tx]
  ;; at p + ξ·ps (ps bytes) with rows np floats apart (the C of `sgemm`).
  ;;   y: m planes of oh rows (the true output height) of ldy floats; ldy ≥ 2·tW'
  ;;      so the lanes of tiles past a row's end land in padding columns; the second
  ;;      row of a tile past oh (odd heights) is not stored.
  (func (export "out2")
    (param $p i32) (param $m i32) (param $np i32) (param $ps i32) (param $tH i32) (param $tW i32)
    (param $y i32) (param $ldy i32) (param $oh i32)
    (local $mi i32) (local $ty i32) (local $tx i32) (local $src i32) (local $dst i32) (local $two i32) (local $q i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local $u0 v128) (local $u1 v128) (local $u2 v128) (local $u3 v128)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128)
    (local.set $ldy (i32.shl (local.get $ldy) (i32.const 2)))
    (loop $planes
      (local.set $ty (i32.const 0))
      (loop $tileRows
        (local.set $src (i32.add (local.get $p) (i32.shl
          (i32.add (i32.mul (local.get $mi) (local.get $np)) (i32.mul (local.get $ty) (local.get $tW))) (i32.const 2))))
        (local.set $dst (i32.add (local.get $y) (i32.mul
          (i32.add (i32.mul (local.get $mi) (local.get $oh)) (i32.shl (local.get $ty) (i32.const 1))) (local.get $ldy))))
        (local.set $two (i32.lt_u (i32.add (i32.shl (local.get $ty) (i32.const 1)) (i32.const 1)) (local.get $oh)))
        (local.set $tx (i32.const 0))
        (loop $groups
          (local.set $q (local.get $src))
          ;; P A per row of P (u: columns 0+1+2, w: 1−2−3), then Aᵀ over the rows.
          (local.set $a (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $b (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $c (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $d (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $u0 (f32x4.add (f32x4.add (local.get $a) (local.get $b)) (local.get $c)))
          (local.set $w0 (f32x4.sub (f32x4.sub (local.get $b) (local.get $c)) (local.get $d)))
          (local.set $a (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $b (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $c (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $d (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $u1 (f32x4.add (f32x4.add (local.get $a) (local.get $b)) (local.get $c)))
          (local.set $w1 (f32x4.sub (f32x4.sub (local.get $b) (local.get $c)) (local.get $d)))
          (local.set $a (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $b (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $c (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $d (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $u2 (f32x4.add (f32x4.add (local.get $a) (local.get $b)) (local.get $c)))
          (local.set $w2 (f32x4.sub (f32x4.sub (local.get $b) (local.get $c)) (local.get $d)))
          (local.set $a (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $b (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $c (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $d (v128.load (local.get $q)))
          (local.set $q (i32.add (local.get $q) (local.get $ps)))
          (local.set $u3 (f32x4.add (f32x4.add (local.get $a) (local.get $b)) (local.get $c)))
          (local.set $w3 (f32x4.sub (f32x4.sub (local.get $b) (local.get $c)) (local.get $d)))
          (local.set $a (f32x4.add (f32x4.add (local.get $u0) (local.get $u1)) (local.get $u2)))
          (local.set $b (f32x4.add (f32x4.add (local.get $w0) (local.get $w1)) (local.get $w2)))
          (v128.store (local.get $dst) (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
          (v128.store offset=16 (local.get $dst) (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
          (if (local.get $two) (then
            (local.set $a (f32x4.sub (f32x4.sub (local.get $u1) (local.get $u2)) (local.get $u3)))
            (local.set $b (f32x4.sub (f32x4.sub (local.get $w1) (local.get $w2)) (local.get $w3)))
            (local.set $q (i32.add (local.get $dst) (local.get $ldy)))
            (v128.store (local.get $q) (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
            (v128.store offset=16 (local.get $q) (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))))
          (local.set $src (i32.add (local.get $src) (i32.const 16)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
          (local.set $tx (i32.add (local.get $tx) (i32.const 4)))
          (br_if $groups (i32.lt_u (local.get $tx) (local.get $tW))))
        (local.set $ty (i32.add (local.get $ty) (i32.const 1)))
        (br_if $tileRows (i32.lt_u (local.get $ty) (local.get $tH))))
      (local.set $mi (i32.add (local.get $mi) (i32.const 1)))
      (br_if $planes (i32.lt_u (local.get $mi) (local.get $m)))))

  ;; F(4×4, 3×3) input transform, as in2 with 6×6 patches: tile (ty, tx) reads rows
  ;; 4ty..4ty+5, columns 4tx..4tx+5; V[ξ] for ξ = 6·row + column (36 of them). The
  ;; caller makes xW ≥ 4·tW' + 4 and xH ≥ 4·tH + 2. Two passes through 36 f32x4 at
  ;; `tmp` (576 bytes): d B for each of the six input rows (lanes gathered by 4×4
  ;; transposes, tile k's column j being input column 4k + j), then Bᵀ on each column.
  ;;   Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
  (func (export "in4")
    (param $x i32) (param $ch i32) (param $xH i32) (param $xW i32) (param $tH i32) (param $tW i32)
    (param $v i32) (param $ldb i32) (param $vs i32) (param $tmp i32)
    (local $ci i32) (local $ty i32) (local $tx i32) (local $ldx i32) (local $row i32) (local $vrow i32)
    (local $k i32) (local $lb i32) (local $sb i32) (local $ss i32)
    (local $a v128) (local $b v128) (local $l0 v128) (local $l1 v128) (local $l2 v128) (local $l3 v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128) (local $d4 v128) (local $d5 v128)
    (local.set $ldx (i32.shl (local.get $xW) (i32.const 2)))
    (loop $planes
      (local.set $ty (i32.const 0))
      (loop $tileRows
        (local.set $row (i32.add (local.get $x) (i32.mul
          (i32.add (i32.mul (local.get $ci) (local.get $xH)) (i32.shl (local.get $ty) (i32.const 2))) (local.get $ldx))))
        (local.set $vrow (i32.add (local.get $v) (i32.shl
          (i32.add (i32.mul (local.get $ci) (local.get $ldb)) (i32.mul (local.get $ty) (local.get $tW))) (i32.const 2))))
        (local.set $tx (i32.const 0))
        (loop $groups
          (local.set $k (i32.const 0))
          (loop $pass
            (if (i32.lt_u (local.get $k) (i32.const 6))
              (then
                ;; input row k → d B into tmp[k][0..5]
                (local.set $lb (i32.add (i32.add (local.get $row) (i32.shl (local.get $tx) (i32.const 4)))
                  (i32.mul (local.get $k) (local.get $ldx))))
                (local.set $l0 (v128.load (local.get $lb)))
                (local.set $l1 (v128.load offset=16 (local.get $lb)))
                (local.set $l2 (v128.load offset=32 (local.get $lb)))
                (local.set $l3 (v128.load offset=48 (local.get $lb)))
                (local.set $a (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $l0) (local.get $l1)))
                (local.set $b (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $l2) (local.get $l3)))
                (local.set $d0 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a) (local.get $b)))
                (local.set $d1 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a) (local.get $b)))
                (local.set $a (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $l0) (local.get $l1)))
                (local.set $b (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $l2) (local.get $l3)))
                (local.set $d2 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a) (local.get $b)))
                (local.set $d3 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a) (local.get $b)))
                (local.set $a (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $l1) (local.get $l2)))
                (local.set $b (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $l3) (v128.load offset=64 (local.get $lb))))
                (local.set $d4 (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a) (local.get $b)))
                (local.set $d5 (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a) (local.get $b)))
                (local.set $sb (i32.add (local.get $tmp) (i32.mul (local.get $k) (i32.const 96))))
                (local.set $ss (i32.const 16)))
              (else
                ;; column j = k − 6 of tmp → Bᵀ into V[6i + j], i = 0..5
                (local.set $lb (i32.add (local.get $tmp) (i32.shl (i32.sub (local.get $k) (i32.const 6)) (i32.const 4))))
                (local.set $d0 (v128.load (local.get $lb)))
                (local.set $d1 (v128.load offset=96 (local.get $lb)))
                (local.set $d2 (v128.load offset=192 (local.get $lb)))
                (local.set $d3 (v128.load offset=288 (local.get $lb)))
                (local.set $d4 (v128.load offset=384 (local.get $lb)))
                (local.set $d5 (v128.load offset=480 (local.get $lb)))
                (local.set $sb (i32.add (i32.add (local.get $vrow) (i32.shl (local.get $tx) (i32.const 2)))
                  (i32.mul (i32.sub (local.get $k) (i32.const 6)) (local.get $vs))))
                (local.set $ss (i32.mul (local.get $vs) (i32.const 6)))))
            (v128.store (local.get $sb) (f32x4.add (f32x4.sub (f32x4.mul (local.get $d0) (v128.const f32x4 4 4 4 4)) (f32x4.mul (local.get $d2) (v128.const f32x4 5 5 5 5))) (local.get $d4)))
            (local.set $sb (i32.add (local.get $sb) (local.get $ss)))
            (local.set $a (f32x4.sub (local.get $d4) (f32x4.mul (local.get $d2) (v128.const f32x4 4 4 4 4))))
            (local.set $b (f32x4.sub (local.get $d3) (f32x4.mul (local.get $d1) (v128.const f32x4 4 4 4 4))))
            (v128.store (local.get $sb) (f32x4.add (local.get $a) (local.get $b)))
            (local.set $sb (i32.add (local.get $sb) (local.get $ss)))
            (v128.store (local.get $sb) (f32x4.sub (local.get $a) (local.get $b)))
            (local.set $sb (i32.add (local.get $sb) (local.get $ss)))
            (local.set $a (f32x4.sub (local.get $d4) (local.get $d2)))
            (local.set $b (f32x4.mul (f32x4.sub (local.get $d3) (local.get $d1)) (v128.const f32x4 2 2 2 2)))
            (v128.store (local.get $sb) (f32x4.add (local.get $a) (local.get $b)))
            (local.set $sb (i32.add (local.get $sb) (local.get $ss)))
            (v128.store (local.get $sb) (f32x4.sub (local.get $a) (local.get $b)))
            (local.set $sb (i32.add (local.get $sb) (local.get $ss)))
            (v128.store (local.get $sb) (f32x4.add (f32x4.sub (f32x4.mul (local.get $d1) (v128.const f32x4 4 4 4 4)) (f32x4.mul (local.get $d3) (v128.const f32x4 5 5 5 5))) (local.get $d5)))
            (local.set $sb (i32.add (local.get $sb) (local.get $ss)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br_if $pass (i32.lt_u (local.get $k) (i32.const 12))))
          (local.set $tx (i32.add (local.get $tx) (i32.const 4)))
          (br_if $groups (i32.lt_u (local.get $tx) (local.get $tW))))
        (local.set $ty (i32.add (local.get $ty) (i32.const 1)))
        (br_if $tileRows (i32.lt_u (local.get $ty) (local.get $tH))))
      (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
      (br_if $planes (i32.lt_u (local.get $ci) (local.get $ch)))))

  ;; F(4×4, 3×3) output transform, as out2 with 6×6 products and 4×4 blocks; ldy ≥ 4·tW'.
  ;; Through `tmp` (640 bytes): P A for each row of P, Aᵀ on each column, then a 4×4
  ;; transpose per output row turns lanes (tiles) into four contiguous columns each.
  ;;   Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
  (func (export "out4")
    (param $p i32) (param $m i32) (param $np i32) (param $ps i32) (param $tH i32) (param $tW i32)
    (param $y i32) (param $ldy i32) (param $oh i32) (param $tmp i32)
    (local $mi i32) (local $ty i32) (local $tx i32) (local $src i32) (local $dst i32) (local $k i32)
    (local $lb i32) (local $ls i32) (local $sb i32) (local $ss i32)
    (local $a v128) (local $b v128) (local $l0 v128) (local $l1 v128) (local $l2 v128) (local $l3 v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128) (local $d4 v128) (local $d5 v128)
    (local.set $ldy (i32.shl (local.get $ldy) (i32.const 2)))
    (loop $planes
      (local.set $ty (i32.const 0))
      (loop $tileRows
        (local.set $src (i32.add (local.get $p) (i32.shl
          (i32.add (i32.mul (local.get $mi) (local.get $np)) (i32.mul (local.get $ty) (local.get $tW))) (i32.const 2))))
        (local.set $dst (i32.add (local.get $y) (i32.mul
          (i32.add (i32.mul (local.get $mi) (local.get $oh)) (i32.shl (local.get $ty) (i32.const 2))) (local.get $ldy))))
        (local.set $tx (i32.const 0))
        (loop $groups
          (local.set $k (i32.const 0))
          (loop $pass
            (if (i32.lt_u (local.get $k) (i32.const 6))
              (then
                ;; row i = k of P → P A into tmp[i][0..3]
                (local.set $lb (i32.add (local.get $src) (i32.mul (local.get $k) (i32.mul (local.get $ps) (i32.const 6)))))
                (local.set $ls (local.get $ps))
                (local.set $sb (i32.add (local.get $tmp) (i32.shl (local.get $k) (i32.const 6))))
                (local.set $ss (i32.const 16)))
              (else
                ;; column c = k − 6 of tmp → Aᵀ into tmp[6 + a][c], a = 0..3
                (local.set $lb (i32.add (local.get $tmp) (i32.shl (i32.sub (local.get $k) (i32.const 6)) (i32.const 4))))
                (local.set $ls (i32.const 64))
                (local.set $sb (i32.add (local.get $lb) (i32.const 384)))
                (local.set $ss (i32.const 64))))
            (local.set $d0 (v128.load (local.get $lb)))
            (local.set $lb (i32.add (local.get $lb) (local.get $ls)))
            (local.set $d1 (v128.load (local.get $lb)))
            (local.set $lb (i32.add (local.get $lb) (local.get $ls)))
            (local.set $d2 (v128.load (local.get $lb)))
            (local.set $lb (i32.add (local.get $lb) (local.get $ls)))
            (local.set $d3 (v128.load (local.get $lb)))
            (local.set $lb (i32.add (local.get $lb) (local.get $ls)))
            (local.set $d4 (v128.load (local.get $lb)))
            (local.set $lb (i32.add (local.get $lb) (local.get $ls)))
            (local.set $d5 (v128.load (local.get $lb)))
            (local.set $lb (i32.add (local.get $lb) (local.get $ls)))
            (local.set $a (f32x4.add (local.get $d1) (local.get $d2)))
            (local.set $b (f32x4.add (local.get $d3) (local.get $d4)))
            (v128.store (local.get $sb) (f32x4.add (f32x4.add (local.get $d0) (local.get $a)) (local.get $b)))
            (local.set $sb (i32.add (local.get $sb) (local.get $ss)))
            (local.set $l0 (f32x4.sub (local.get $d1) (local.get $d2)))
            (local.set $l1 (f32x4.sub (local.get $d3) (local.get $d4)))
            (v128.store (local.get $sb) (f32x4.add (local.get $l0) (f32x4.mul (local.get $l1) (v128.const f32x4 2 2 2 2))))
            (local.set $sb (i32.add (local.get $sb) (local.get $ss)))
            (v128.store (local.get $sb) (f32x4.add (local.get $a) (f32x4.mul (local.get $b) (v128.const f32x4 4 4 4 4))))
            (local.set $sb (i32.add (local.get $sb) (local.get $ss)))
            (v128.store (local.get $sb) (f32x4.add (f32x4.add (local.get $l0) (f32x4.mul (local.get $l1) (v128.const f32x4 8 8 8 8))) (local.get $d5)))
            (local.set $sb (i32.add (local.get $sb) (local.get $ss)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br_if $pass (i32.lt_u (local.get $k) (i32.const 10))))
          ;; output rows 4ty + a (those inside the plane): lanes → columns
          (local.set $lb (i32.add (local.get $tmp) (i32.const 384)))
          (local.set $sb (local.get $dst))
          (local.set $k (i32.shl (local.get $ty) (i32.const 2)))
          (loop $rows
            (if (i32.lt_u (local.get $k) (local.get $oh))
              (then
                (local.set $l0 (v128.load (local.get $lb)))
                (local.set $l1 (v128.load offset=16 (local.get $lb)))
                (local.set $l2 (v128.load offset=32 (local.get $lb)))
                (local.set $l3 (v128.load offset=48 (local.get $lb)))
                (local.set $a (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $l0) (local.get $l1)))
                (local.set $b (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $l2) (local.get $l3)))
                (v128.store (local.get $sb) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a) (local.get $b)))
                (v128.store offset=16 (local.get $sb) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a) (local.get $b)))
                (local.set $a (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $l0) (local.get $l1)))
                (local.set $b (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $l2) (local.get $l3)))
                (v128.store offset=32 (local.get $sb) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a) (local.get $b)))
                (v128.store offset=48 (local.get $sb) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a) (local.get $b)))))
            (local.set $lb (i32.add (local.get $lb) (i32.const 64)))
            (local.set $sb (i32.add (local.get $sb) (local.get $ldy)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br_if $rows (i32.and (local.get $k) (i32.const 3))))
          (local.set $src (i32.add (local.get $src) (i32.const 16)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
          (local.set $tx (i32.add (local.get $tx) (i32.const 4)))
          (br_if $groups (i32.lt_u (local.get $tx) (local.get $tW))))
        (local.set $ty (i32.add (local.get $ty) (i32.const 1)))
        (br_if $tileRows (i32.lt_u (local.get $ty) (local.get $tH))))
      (local.set $mi (i32.add (local.get $mi) (i32.const 1)))
      (br_if $planes (i32.lt_u (local.get $mi) (local.get $m)))))

  ;; 1 when the n floats at p are all finite, else 0 (v − v is 0 exactly for finite v
  ;; and NaN for ±inf and NaN; the NaN survives the running sum). Winograd spreads a
  ;; non-finite input over its whole tile (0·inf = NaN), where the direct sum keeps it
  ;; to the outputs that read it, so such inputs go the direct way.
  (func (export "finite") (param $p i32) (param $n i32) (result i32)
    (local $acc v128) (local $end i32) (local $v v128) (local $s f32)
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $vecDone
      (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.sub (local.get $v) (local.get $v))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vec)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $s (f32.load (local.get $p)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.splat (f32.sub (local.get $s) (local.get $s)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $tail)))
    (i32x4.all_true (f32x4.eq (local.get $acc) (local.get $acc))))
)
