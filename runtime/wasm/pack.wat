;; mlcompile WebAssembly SIMD operand packing for the `sgemm` kernel of kernels.wat.
;;
;; A companion of kernels.wat (each module stays under the 4 KB browsers compile
;; synchronously) importing the main module's memory. Assembled by
;; scripts/build-wasm.mjs into pack-wasm.ts and loaded by runtime/wasm/pack-kernels.ts.
;; runtime/wasm/gemm-wasm.ts copies an operand's span in with one memcpy and lets
;; these functions lay it out, instead of a JavaScript loop per element.
;; Pointers are byte offsets; strides and counts are in floats.
(module
  (import "env" "memory" (memory 1))

  ;; A (m×k, row i at a + i·lda, contiguous along k) into the `sgemm` layout: per K
  ;; slice of kcMax (the slice at pc starts at float pc·mp of dst), mp/4 panels of
  ;; kc×4 floats with A[i0+r, p] at [p·4 + r]. Rows m..mp−1 are zero: their loads
  ;; read row m−1 (valid memory) and are masked off. Four rows × four k are one 4×4
  ;; transpose in registers: four loads, eight shuffles, four sequential stores.
  (func (export "packA") (param $a i32) (param $lda i32) (param $m i32) (param $k i32) (param $kcMax i32) (param $dst i32)
    (local $mp i32) (local $pc i32) (local $kc i32) (local $i0 i32) (local $o i32) (local $p i32) (local $q i32)
    (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)
    (local $m1 v128) (local $m2 v128) (local $m3 v128) (local $tm v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $t0 v128) (local $t1 v128)
    (local.set $mp (i32.and (i32.add (local.get $m) (i32.const 3)) (i32.const -4)))
    (local.set $lda (i32.shl (local.get $lda) (i32.const 2)))
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $m)) (i32.eqz (local.get $k))))
      (loop $slices
        (local.set $kc (i32.sub (local.get $k) (local.get $pc)))
        (if (i32.gt_u (local.get $kc) (local.get $kcMax)) (then (local.set $kc (local.get $kcMax))))
        (local.set $o (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $pc) (local.get $mp)) (i32.const 2))))
        (local.set $i0 (i32.const 0))
        (loop $panels
          ;; Row pointers at column pc; rows past m reuse row m−1 under a zero mask.
          (local.set $r0 (i32.add (local.get $a) (i32.add (i32.mul (local.get $i0) (local.get $lda)) (i32.shl (local.get $pc) (i32.const 2)))))
          (local.set $r1 (local.get $r0)) (local.set $r2 (local.get $r0)) (local.set $r3 (local.get $r0))
          (local.set $m1 (v128.const i32x4 0 0 0 0)) (local.set $m2 (v128.const i32x4 0 0 0 0)) (local.set $m3 (v128.const i32x4 0 0 0 0))
          (local.set $tm (v128.const i32x4 -1 0 0 0))
          (if (i32.lt_u (i32.add (local.get $i0) (i32.const 1)) (local.get $m))
            (then (local.set $r1 (i32.add (local.get $r0) (local.get $lda))) (local.set $m1 (v128.const i32x4 -1 -1 -1 -1))
              (local.set $tm (i32x4.replace_lane 1 (local.get $tm) (i32.const -1)))))
          (if (i32.lt_u (i32.add (local.get $i0) (i32.const 2)) (local.get $m))
            (then (local.set $r2 (i32.add (local.get $r1) (local.get $lda))) (local.set $m2 (v128.const i32x4 -1 -1 -1 -1))
              (local.set $tm (i32x4.replace_lane 2 (local.get $tm) (i32.const -1)))))
          (if (i32.lt_u (i32.add (local.get $i0) (i32.const 3)) (local.get $m))
            (then (local.set $r3 (i32.add (local.get $r2) (local.get $lda))) (local.set $m3 (v128.const i32x4 -1 -1 -1 -1))
              (local.set $tm (i32x4.replace_lane 3 (local.get $tm) (i32.const -1)))))
          (local.set $p (i32.const 0))
          (block $quadsDone
            (loop $quads
              (br_if $quadsDone (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $kc)))
              (local.set $q (i32.shl (local.get $p) (i32.const 2)))
              (local.set $v0 (v128.load (i32.add (local.get $r0) (local.get $q))))
              (local.set $v1 (v128.and (v128.load (i32.add (local.get $r1) (local.get $q))) (local.get $m1)))
              (local.set $v2 (v128.and (v128.load (i32.add (local.get $r2) (local.get $q))) (local.get $m2)))
              (local.set $v3 (v128.and (v128.load (i32.add (local.get $r3) (local.get $q))) (local.get $m3)))
              ;; [a0 b0 a1 b1], [a2 b2 a3 b3], then the same for rows 2 and 3 in v1, v3
              (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
              (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
              (local.set $v1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
              (local.set $v3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
              (local.set $q (i32.add (local.get $o) (i32.shl (local.get $q) (i32.const 2))))
              (v128.store (local.get $q) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $v1)))
              (v128.store offset=16 (local.get $q) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $v1)))
              (v128.store offset=32 (local.get $q) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $v3)))
              (v128.store offset=48 (local.get $q) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $v3)))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (br $quads)))
          ;; The slice's last kc mod 4 columns, one k at a time.
          (block $tailDone
            (loop $tail
              (br_if $tailDone (i32.ge_u (local.get $p) (local.get $kc)))
              (local.set $q (i32.shl (local.get $p) (i32.const 2)))
              (local.set $v0 (v128.load32_zero (i32.add (local.get $r0) (local.get $q))))
              (local.set $v0 (v128.load32_lane 1 (i32.add (local.get $r1) (local.get $q)) (local.get $v0)))
              (local.set $v0 (v128.load32_lane 2 (i32.add (local.get $r2) (local.get $q)) (local.get $v0)))
              (local.set $v0 (v128.load32_lane 3 (i32.add (local.get $r3) (local.get $q)) (local.get $v0)))
              (v128.store (i32.add (local.get $o) (i32.shl (local.get $q) (i32.const 2)))
                (v128.and (local.get $v0) (local.get $tm)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br $tail)))
          (local.set $o (i32.add (local.get $o) (i32.shl (local.get $kc) (i32.const 4))))
          (local.set $i0 (i32.add (local.get $i0) (i32.const 4)))
          (br_if $panels (i32.lt_u (local.get $i0) (local.get $m))))
        (local.set $pc (i32.add (local.get $pc) (local.get $kc)))
        (br_if $slices (i32.lt_u (local.get $pc) (local.get $k))))))

  ;; dst[i·ldd + j] = src[i·rs + j·cs] for i < rows, j < cols: a strided (e.g.
  ;; transposed) operand into rows of ldd floats. Columns cols..ldd−1 are left as they
  ;; are (the caller's padding). Contiguous rows (cs = 1) are one memory.copy each.
  (func (export "gather") (param $src i32) (param $rows i32) (param $cols i32) (param $rs i32) (param $cs i32) (param $dst i32) (param $ldd i32)
    (local $j i32) (local $s i32) (local $d i32) (local $n i32)
    (local.set $rs (i32.shl (local.get $rs) (i32.const 2)))
    (local.set $cs (i32.shl (local.get $cs) (i32.const 2)))
    (local.set $ldd (i32.shl (local.get $ldd) (i32.const 2)))
    (local.set $n (i32.shl (local.get $cols) (i32.const 2)))
    (block $done
      (br_if $done (i32.or (i32.eqz (local.get $rows)) (i32.eqz (local.get $cols))))
      (loop $row
        (if (i32.eq (local.get $cs) (i32.const 4))
          (then (memory.copy (local.get $dst) (local.get $src) (local.get $n)))
          (else
            (local.set $s (local.get $src))
            (local.set $d (local.get $dst))
            (local.set $j (local.get $cols))
            (loop $col
              (f32.store (local.get $d) (f32.load (local.get $s)))
              (local.set $s (i32.add (local.get $s) (local.get $cs)))
              (local.set $d (i32.add (local.get $d) (i32.const 4)))
              (local.set $j (i32.sub (local.get $j) (i32.const 1)))
              (br_if $col (local.get $j)))))
        (local.set $src (i32.add (local.get $src) (local.get $rs)))
        (local.set $dst (i32.add (local.get $dst) (local.get $ldd)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br_if $row (local.get $rows)))))
)
