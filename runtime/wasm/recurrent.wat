;; mlcompile WebAssembly SIMD time loops of the LSTM and GRU: one call runs every
;; step of one batch row of one direction.
;;
;; A companion module beside kernels.wat (each stays under the 4 KB that browsers
;; compile synchronously), importing the main module's memory, where the resident
;; packed R, the input projections and the states live. Per step: the recurrent
;; product h·Rᵀ (the `gemv` of kernels.wat, for R packed by runtime/wasm/gemv-wasm.ts
;; packForGemv), then the gate arithmetic, which writes the new h to its own row:
;; one JS → WebAssembly call per row and direction instead of several per step.
;; Assembled by scripts/build-wasm.mjs into recurrent-wasm.ts, loaded by
;; recurrent-kernels.ts. At 4,077 of 4,096 bytes there is no room left: more loops
;; need another module.
;;
;; Pointers are byte offsets. Units go four at a time: gate blocks are `n` floats
;; apart (ONNX order), and the caller pads every array so that reading up to three
;; floats past a block is harmless. h rows are `kp` = n rounded up to 4 floats;
;; the padding lanes are computed from whatever lies past the blocks (possibly
;; another row's data, or NaN) and then zeroed ($clearTail), because the next step's
;; product reads them (R's padding columns are zero, but 0 · NaN is not).
;; Steps walk the h rows by `hStep` bytes and the projection rows by `xStep` (both
;; negative for the reverse direction): step s reads h at h + s·hStep and writes
;; h + (s + 1)·hStep.
;;
;; Nonlinearities in float32, written out in each loop (V8 does not inline calls
;; between WebAssembly functions, and a call spills every live register: inline, the
;; LSTM cells took about a fifth less time):
;;   tanh: the odd/even rational minimax approximation also used by runtime/tensor/
;;         recurrent.ts (tanhF32), on inputs clamped to ±7.90531 where it reaches 1;
;;   sigmoid: 1 / (1 + exp(−v)), exp(u) = 2^k·e^r by range reduction to r = u − k·ln 2
;;         (ln 2 split in two parts, so r is exact; k = round(u·log2 e) read from the
;;         low mantissa bits of u·log2 e + 1.5·2²³, which also give 2^k's exponent
;;         bits) and a degree-7 polynomial for e^r (Cephes' expf coefficients, relative
;;         error ~1e-7); u clamped to [−87, 88] so 2^k stays a normal float.
;; NaN propagates through both. The temporaries are $u (the input), $m, $kf and $r.
(module
  (import "env" "memory" (memory 1))

  ;; The constants live in memory at $k (CONSTANTS in recurrent-steps.ts, byte offsets
  ;; below): an operand load is one instruction, where V8 builds a v128.const in three.
  ;;   0 −7.905…  16 7.905…  32..128 tanh's p (x¹ … x¹³)  144..192 tanh's q (x⁰ … x⁶)
  ;;   208 −87  224 88  240 log2(e)  256, 272 ln 2 (high, low part)  288..368 exp's
  ;;   polynomial (r² … r⁷)  384 1  400 1.5·2²³  416 i32 127 − bits(1.5·2²³)  432 i32 0 1 2 3

  ;; Zeroes the padding lanes of the row of n floats at p (those past n in its last
  ;; chunk of four): once per row, after the loop over its units.
  (func $clearTail (param $p i32) (param $n i32) (param $k i32)
    (local.set $p (i32.add (local.get $p) (i32.shl (i32.and (i32.sub (local.get $n) (i32.const 1)) (i32.const -4)) (i32.const 2))))
    (v128.store (local.get $p) (v128.and (v128.load (local.get $p))
      (i32x4.gt_s (i32x4.splat (i32.sub (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const 3)) (i32.const -1))) (v128.load offset=432 (local.get $k))))))

  ;; y[0, np) = W·x, W packed as for kernels.wat's `gemv` (np/8 panels of 8 rows; per
  ;; 4-float chunk of x, that chunk of each of the 8 rows), x kp floats. Eight f32x4
  ;; accumulators (lane l sums the products p ≡ l mod 4), then a transpose-add.
  (func $gemv (param $np i32) (param $kp i32) (param $w i32) (param $x i32) (param $y i32)
    (local $ye i32) (local $xp i32) (local $xe i32) (local $xv v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $xe (i32.add (local.get $x) (i32.shl (local.get $kp) (i32.const 2))))
    (local.set $ye (i32.add (local.get $y) (i32.shl (local.get $np) (i32.const 2))))
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
      (v128.store (local.get $y) (call $rowSums (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3)))
      (v128.store offset=16 (local.get $y) (call $rowSums (local.get $a4) (local.get $a5) (local.get $a6) (local.get $a7)))
      (local.set $y (i32.add (local.get $y) (i32.const 32)))
      (br_if $panels (i32.lt_u (local.get $y) (local.get $ye)))))

  ;; [Σ a0, Σ a1, Σ a2, Σ a3] (each the sum of its four lanes), as in kernels.wat.
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

  ;; LSTM, `steps` steps; gates i, o, f, c (g: the products, np0 of them, from R at w;
  ;; x: the input projections with both biases): c' = σ(f)·c + σ(i)·tanh(c̃);
  ;; h' = σ(o)·tanh(c'). `c` (kp floats) in place.
  (func (export "lstm") (param $n i32) (param $kp i32) (param $np i32) (param $steps i32) (param $w i32)
    (param $x i32) (param $xStep i32) (param $c i32) (param $h i32) (param $hStep i32) (param $g i32) (param $k i32)
    (local $nb i32) (local $j i32) (local $gp i32) (local $xp i32) (local $cp i32) (local $hp i32) (local $cn v128)
    (local $u v128) (local $m v128) (local $kf v128) (local $r v128) (local $si v128) (local $sf v128) (local $tc v128)
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (br_if $done (i32.eqz (local.get $steps)))
      (loop $step
        (call $gemv (local.get $np) (local.get $kp) (local.get $w) (local.get $h) (local.get $g))
        (local.set $h (i32.add (local.get $h) (local.get $hStep)))
        (local.set $gp (local.get $g))
        (local.set $xp (local.get $x))
        (local.set $cp (local.get $c))
        (local.set $hp (local.get $h))
        (local.set $j (i32.const 0))
        (loop $units
          (local.set $u (f32x4.add (v128.load (local.get $gp)) (v128.load (local.get $xp))))
          (local.set $u (f32x4.pmin (f32x4.pmax (f32x4.neg (local.get $u)) (v128.load offset=208 (local.get $k))) (v128.load offset=224 (local.get $k))))
          (local.set $m (f32x4.add (f32x4.mul (local.get $u) (v128.load offset=240 (local.get $k))) (v128.load offset=400 (local.get $k))))
          (local.set $kf (f32x4.sub (local.get $m) (v128.load offset=400 (local.get $k))))
          (local.set $r (f32x4.sub (f32x4.sub (local.get $u) (f32x4.mul (local.get $kf) (v128.load offset=256 (local.get $k)))) (f32x4.mul (local.get $kf) (v128.load offset=272 (local.get $k)))))
          (local.set $si (f32x4.div (v128.load offset=384 (local.get $k)) (f32x4.add (v128.load offset=384 (local.get $k)) (f32x4.mul
            (f32x4.add (f32x4.add (v128.load offset=384 (local.get $k)) (local.get $r))
              (f32x4.mul (f32x4.mul (local.get $r) (local.get $r)) (f32x4.add (v128.load offset=288 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=304 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=320 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=336 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=352 (local.get $k)) (f32x4.mul (local.get $r) (v128.load offset=368 (local.get $k))))))))))))))
            (i32x4.shl (i32x4.add (local.get $m) (v128.load offset=416 (local.get $k))) (i32.const 23))))))
          (local.set $u (f32x4.add (v128.load (i32.add (local.get $gp) (i32.shl (local.get $nb) (i32.const 1))))
                                   (v128.load (i32.add (local.get $xp) (i32.shl (local.get $nb) (i32.const 1))))))
          (local.set $u (f32x4.pmin (f32x4.pmax (f32x4.neg (local.get $u)) (v128.load offset=208 (local.get $k))) (v128.load offset=224 (local.get $k))))
          (local.set $m (f32x4.add (f32x4.mul (local.get $u) (v128.load offset=240 (local.get $k))) (v128.load offset=400 (local.get $k))))
          (local.set $kf (f32x4.sub (local.get $m) (v128.load offset=400 (local.get $k))))
          (local.set $r (f32x4.sub (f32x4.sub (local.get $u) (f32x4.mul (local.get $kf) (v128.load offset=256 (local.get $k)))) (f32x4.mul (local.get $kf) (v128.load offset=272 (local.get $k)))))
          (local.set $sf (f32x4.div (v128.load offset=384 (local.get $k)) (f32x4.add (v128.load offset=384 (local.get $k)) (f32x4.mul
            (f32x4.add (f32x4.add (v128.load offset=384 (local.get $k)) (local.get $r))
              (f32x4.mul (f32x4.mul (local.get $r) (local.get $r)) (f32x4.add (v128.load offset=288 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=304 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=320 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=336 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=352 (local.get $k)) (f32x4.mul (local.get $r) (v128.load offset=368 (local.get $k))))))))))))))
            (i32x4.shl (i32x4.add (local.get $m) (v128.load offset=416 (local.get $k))) (i32.const 23))))))
          (local.set $u (f32x4.add (v128.load (i32.add (local.get $gp) (i32.mul (local.get $nb) (i32.const 3))))
                                   (v128.load (i32.add (local.get $xp) (i32.mul (local.get $nb) (i32.const 3))))))
          (local.set $u (f32x4.pmin (f32x4.pmax (local.get $u) (v128.load (local.get $k))) (v128.load offset=16 (local.get $k))))
          (local.set $m (f32x4.mul (local.get $u) (local.get $u)))
          (local.set $tc (f32x4.div
            (f32x4.mul (local.get $u) (f32x4.add (v128.load offset=32 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=48 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=64 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=80 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=96 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=112 (local.get $k)) (f32x4.mul (local.get $m) (v128.load offset=128 (local.get $k)))))))))))))))
            (f32x4.add (v128.load offset=144 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=160 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=176 (local.get $k)) (f32x4.mul (local.get $m) (v128.load offset=192 (local.get $k))))))))))
          (local.set $cn (f32x4.add (f32x4.mul (local.get $sf) (v128.load (local.get $cp))) (f32x4.mul (local.get $si) (local.get $tc))))
          (v128.store (local.get $cp) (local.get $cn))
          (local.set $u (f32x4.add (v128.load (i32.add (local.get $gp) (local.get $nb))) (v128.load (i32.add (local.get $xp) (local.get $nb)))))
          (local.set $u (f32x4.pmin (f32x4.pmax (f32x4.neg (local.get $u)) (v128.load offset=208 (local.get $k))) (v128.load offset=224 (local.get $k))))
          (local.set $m (f32x4.add (f32x4.mul (local.get $u) (v128.load offset=240 (local.get $k))) (v128.load offset=400 (local.get $k))))
          (local.set $kf (f32x4.sub (local.get $m) (v128.load offset=400 (local.get $k))))
          (local.set $r (f32x4.sub (f32x4.sub (local.get $u) (f32x4.mul (local.get $kf) (v128.load offset=256 (local.get $k)))) (f32x4.mul (local.get $kf) (v128.load offset=272 (local.get $k)))))
          (local.set $si (f32x4.div (v128.load offset=384 (local.get $k)) (f32x4.add (v128.load offset=384 (local.get $k)) (f32x4.mul
            (f32x4.add (f32x4.add (v128.load offset=384 (local.get $k)) (local.get $r))
              (f32x4.mul (f32x4.mul (local.get $r) (local.get $r)) (f32x4.add (v128.load offset=288 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=304 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=320 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=336 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=352 (local.get $k)) (f32x4.mul (local.get $r) (v128.load offset=368 (local.get $k))))))))))))))
            (i32x4.shl (i32x4.add (local.get $m) (v128.load offset=416 (local.get $k))) (i32.const 23))))))
          (local.set $u (local.get $cn))
          (local.set $u (f32x4.pmin (f32x4.pmax (local.get $u) (v128.load (local.get $k))) (v128.load offset=16 (local.get $k))))
          (local.set $m (f32x4.mul (local.get $u) (local.get $u)))
          (local.set $tc (f32x4.div
            (f32x4.mul (local.get $u) (f32x4.add (v128.load offset=32 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=48 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=64 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=80 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=96 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=112 (local.get $k)) (f32x4.mul (local.get $m) (v128.load offset=128 (local.get $k)))))))))))))))
            (f32x4.add (v128.load offset=144 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=160 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=176 (local.get $k)) (f32x4.mul (local.get $m) (v128.load offset=192 (local.get $k))))))))))
          (v128.store (local.get $hp) (f32x4.mul (local.get $si) (local.get $tc)))
          (local.set $gp (i32.add (local.get $gp) (i32.const 16)))
          (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
          (local.set $cp (i32.add (local.get $cp) (i32.const 16)))
          (local.set $hp (i32.add (local.get $hp) (i32.const 16)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br_if $units (i32.lt_s (local.get $j) (local.get $n))))
        (call $clearTail (local.get $h) (local.get $n) (local.get $k))
        (local.set $x (i32.add (local.get $x) (local.get $xStep)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (br_if $step (local.get $steps)))))

  ;; GRU, gates z, r, h: z = σ(gz + xz), r = σ(gr + xr), h' = (1 − z)·h̃ + z·h with
  ;;   linear_before_reset = 1 (`gru1`): one product, h̃ = tanh(xh + r·(gh + rbh));
  ;;   linear_before_reset = 0 (`gru0`): h̃ = tanh(xh + (r·h)·Rhᵀ), a second product from
  ;;   R's h rows at w1 (np1 of them) on r·h, which waits for r (staged at `rh`, z at `z`).
  (func (export "gru1") (param $n i32) (param $kp i32) (param $np i32) (param $steps i32) (param $w i32)
    (param $x i32) (param $xStep i32) (param $rbh i32) (param $h i32) (param $hStep i32) (param $g i32) (param $k i32)
    (local $nb i32) (local $j i32) (local $gp i32) (local $xp i32) (local $bp i32) (local $hp i32)
    (local $z v128) (local $rg v128) (local $ht v128) (local $u v128) (local $m v128) (local $kf v128) (local $r v128)
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (br_if $done (i32.eqz (local.get $steps)))
      (loop $step
        (call $gemv (local.get $np) (local.get $kp) (local.get $w) (local.get $h) (local.get $g))
        (local.set $gp (local.get $g))
        (local.set $xp (local.get $x))
        (local.set $bp (local.get $rbh))
        (local.set $hp (local.get $h))
        (local.set $j (i32.const 0))
        (loop $units
          (local.set $u (f32x4.add (v128.load (local.get $gp)) (v128.load (local.get $xp))))
          (local.set $u (f32x4.pmin (f32x4.pmax (f32x4.neg (local.get $u)) (v128.load offset=208 (local.get $k))) (v128.load offset=224 (local.get $k))))
          (local.set $m (f32x4.add (f32x4.mul (local.get $u) (v128.load offset=240 (local.get $k))) (v128.load offset=400 (local.get $k))))
          (local.set $kf (f32x4.sub (local.get $m) (v128.load offset=400 (local.get $k))))
          (local.set $r (f32x4.sub (f32x4.sub (local.get $u) (f32x4.mul (local.get $kf) (v128.load offset=256 (local.get $k)))) (f32x4.mul (local.get $kf) (v128.load offset=272 (local.get $k)))))
          (local.set $z (f32x4.div (v128.load offset=384 (local.get $k)) (f32x4.add (v128.load offset=384 (local.get $k)) (f32x4.mul
            (f32x4.add (f32x4.add (v128.load offset=384 (local.get $k)) (local.get $r))
              (f32x4.mul (f32x4.mul (local.get $r) (local.get $r)) (f32x4.add (v128.load offset=288 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=304 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=320 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=336 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=352 (local.get $k)) (f32x4.mul (local.get $r) (v128.load offset=368 (local.get $k))))))))))))))
            (i32x4.shl (i32x4.add (local.get $m) (v128.load offset=416 (local.get $k))) (i32.const 23))))))
          (local.set $u (f32x4.add (v128.load (i32.add (local.get $gp) (local.get $nb))) (v128.load (i32.add (local.get $xp) (local.get $nb)))))
          (local.set $u (f32x4.pmin (f32x4.pmax (f32x4.neg (local.get $u)) (v128.load offset=208 (local.get $k))) (v128.load offset=224 (local.get $k))))
          (local.set $m (f32x4.add (f32x4.mul (local.get $u) (v128.load offset=240 (local.get $k))) (v128.load offset=400 (local.get $k))))
          (local.set $kf (f32x4.sub (local.get $m) (v128.load offset=400 (local.get $k))))
          (local.set $r (f32x4.sub (f32x4.sub (local.get $u) (f32x4.mul (local.get $kf) (v128.load offset=256 (local.get $k)))) (f32x4.mul (local.get $kf) (v128.load offset=272 (local.get $k)))))
          (local.set $rg (f32x4.div (v128.load offset=384 (local.get $k)) (f32x4.add (v128.load offset=384 (local.get $k)) (f32x4.mul
            (f32x4.add (f32x4.add (v128.load offset=384 (local.get $k)) (local.get $r))
              (f32x4.mul (f32x4.mul (local.get $r) (local.get $r)) (f32x4.add (v128.load offset=288 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=304 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=320 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=336 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=352 (local.get $k)) (f32x4.mul (local.get $r) (v128.load offset=368 (local.get $k))))))))))))))
            (i32x4.shl (i32x4.add (local.get $m) (v128.load offset=416 (local.get $k))) (i32.const 23))))))
          (local.set $u (f32x4.add (v128.load (i32.add (local.get $xp) (i32.shl (local.get $nb) (i32.const 1))))
            (f32x4.mul (local.get $rg) (f32x4.add (v128.load (i32.add (local.get $gp) (i32.shl (local.get $nb) (i32.const 1)))) (v128.load (local.get $bp))))))
          (local.set $u (f32x4.pmin (f32x4.pmax (local.get $u) (v128.load (local.get $k))) (v128.load offset=16 (local.get $k))))
          (local.set $m (f32x4.mul (local.get $u) (local.get $u)))
          (local.set $ht (f32x4.div
            (f32x4.mul (local.get $u) (f32x4.add (v128.load offset=32 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=48 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=64 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=80 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=96 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=112 (local.get $k)) (f32x4.mul (local.get $m) (v128.load offset=128 (local.get $k)))))))))))))))
            (f32x4.add (v128.load offset=144 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=160 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=176 (local.get $k)) (f32x4.mul (local.get $m) (v128.load offset=192 (local.get $k))))))))))
          (v128.store (i32.add (local.get $hp) (local.get $hStep)) (f32x4.add (f32x4.mul (f32x4.sub (v128.load offset=384 (local.get $k)) (local.get $z)) (local.get $ht))
                       (f32x4.mul (local.get $z) (v128.load (local.get $hp)))))
          (local.set $gp (i32.add (local.get $gp) (i32.const 16)))
          (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
          (local.set $bp (i32.add (local.get $bp) (i32.const 16)))
          (local.set $hp (i32.add (local.get $hp) (i32.const 16)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br_if $units (i32.lt_s (local.get $j) (local.get $n))))
        (local.set $h (i32.add (local.get $h) (local.get $hStep)))
        (call $clearTail (local.get $h) (local.get $n) (local.get $k))
        (local.set $x (i32.add (local.get $x) (local.get $xStep)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (br_if $step (local.get $steps)))))

  (func (export "gru0") (param $n i32) (param $kp i32) (param $np0 i32) (param $np1 i32) (param $steps i32)
    (param $w0 i32) (param $w1 i32) (param $x i32) (param $xStep i32) (param $h i32) (param $hStep i32)
    (param $g0 i32) (param $g1 i32) (param $z i32) (param $rh i32) (param $k i32)
    (local $nb i32) (local $j i32) (local $o i32) (local $zv v128) (local $rv v128) (local $ht v128) (local $u v128) (local $m v128) (local $kf v128) (local $r v128)
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (br_if $done (i32.eqz (local.get $steps)))
      (loop $step
        (call $gemv (local.get $np0) (local.get $kp) (local.get $w0) (local.get $h) (local.get $g0))
        (local.set $j (i32.const 0))
        (loop $gates
          (local.set $o (i32.shl (local.get $j) (i32.const 2)))
          (local.set $u (f32x4.add (v128.load (i32.add (local.get $g0) (local.get $o))) (v128.load (i32.add (local.get $x) (local.get $o)))))
          (local.set $u (f32x4.pmin (f32x4.pmax (f32x4.neg (local.get $u)) (v128.load offset=208 (local.get $k))) (v128.load offset=224 (local.get $k))))
          (local.set $m (f32x4.add (f32x4.mul (local.get $u) (v128.load offset=240 (local.get $k))) (v128.load offset=400 (local.get $k))))
          (local.set $kf (f32x4.sub (local.get $m) (v128.load offset=400 (local.get $k))))
          (local.set $r (f32x4.sub (f32x4.sub (local.get $u) (f32x4.mul (local.get $kf) (v128.load offset=256 (local.get $k)))) (f32x4.mul (local.get $kf) (v128.load offset=272 (local.get $k)))))
          (local.set $zv (f32x4.div (v128.load offset=384 (local.get $k)) (f32x4.add (v128.load offset=384 (local.get $k)) (f32x4.mul
            (f32x4.add (f32x4.add (v128.load offset=384 (local.get $k)) (local.get $r))
              (f32x4.mul (f32x4.mul (local.get $r) (local.get $r)) (f32x4.add (v128.load offset=288 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=304 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=320 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=336 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=352 (local.get $k)) (f32x4.mul (local.get $r) (v128.load offset=368 (local.get $k))))))))))))))
            (i32x4.shl (i32x4.add (local.get $m) (v128.load offset=416 (local.get $k))) (i32.const 23))))))
          (v128.store (i32.add (local.get $z) (local.get $o)) (local.get $zv))
          (local.set $u (f32x4.add (v128.load (i32.add (i32.add (local.get $g0) (local.get $nb)) (local.get $o)))
                                   (v128.load (i32.add (i32.add (local.get $x) (local.get $nb)) (local.get $o)))))
          (local.set $u (f32x4.pmin (f32x4.pmax (f32x4.neg (local.get $u)) (v128.load offset=208 (local.get $k))) (v128.load offset=224 (local.get $k))))
          (local.set $m (f32x4.add (f32x4.mul (local.get $u) (v128.load offset=240 (local.get $k))) (v128.load offset=400 (local.get $k))))
          (local.set $kf (f32x4.sub (local.get $m) (v128.load offset=400 (local.get $k))))
          (local.set $r (f32x4.sub (f32x4.sub (local.get $u) (f32x4.mul (local.get $kf) (v128.load offset=256 (local.get $k)))) (f32x4.mul (local.get $kf) (v128.load offset=272 (local.get $k)))))
          (local.set $rv (f32x4.div (v128.load offset=384 (local.get $k)) (f32x4.add (v128.load offset=384 (local.get $k)) (f32x4.mul
            (f32x4.add (f32x4.add (v128.load offset=384 (local.get $k)) (local.get $r))
              (f32x4.mul (f32x4.mul (local.get $r) (local.get $r)) (f32x4.add (v128.load offset=288 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=304 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=320 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=336 (local.get $k)) (f32x4.mul (local.get $r) (f32x4.add (v128.load offset=352 (local.get $k)) (f32x4.mul (local.get $r) (v128.load offset=368 (local.get $k))))))))))))))
            (i32x4.shl (i32x4.add (local.get $m) (v128.load offset=416 (local.get $k))) (i32.const 23))))))
          (v128.store (i32.add (local.get $rh) (local.get $o)) (f32x4.mul (v128.load (i32.add (local.get $h) (local.get $o))) (local.get $rv)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br_if $gates (i32.lt_s (local.get $j) (local.get $n))))
        (call $clearTail (local.get $rh) (local.get $n) (local.get $k))
        (call $gemv (local.get $np1) (local.get $kp) (local.get $w1) (local.get $rh) (local.get $g1))
        (local.set $j (i32.const 0))
        (loop $update
          (local.set $o (i32.shl (local.get $j) (i32.const 2)))
          (local.set $zv (v128.load (i32.add (local.get $z) (local.get $o))))
          (local.set $u (f32x4.add (v128.load (i32.add (local.get $g1) (local.get $o)))
                                   (v128.load (i32.add (i32.add (local.get $x) (i32.shl (local.get $nb) (i32.const 1))) (local.get $o)))))
          (local.set $u (f32x4.pmin (f32x4.pmax (local.get $u) (v128.load (local.get $k))) (v128.load offset=16 (local.get $k))))
          (local.set $m (f32x4.mul (local.get $u) (local.get $u)))
          (local.set $ht (f32x4.div
            (f32x4.mul (local.get $u) (f32x4.add (v128.load offset=32 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=48 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=64 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=80 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=96 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=112 (local.get $k)) (f32x4.mul (local.get $m) (v128.load offset=128 (local.get $k)))))))))))))))
            (f32x4.add (v128.load offset=144 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=160 (local.get $k)) (f32x4.mul (local.get $m) (f32x4.add (v128.load offset=176 (local.get $k)) (f32x4.mul (local.get $m) (v128.load offset=192 (local.get $k))))))))))
          (v128.store (i32.add (i32.add (local.get $h) (local.get $hStep)) (local.get $o)) (f32x4.add (f32x4.mul (f32x4.sub (v128.load offset=384 (local.get $k)) (local.get $zv)) (local.get $ht))
                       (f32x4.mul (local.get $zv) (v128.load (i32.add (local.get $h) (local.get $o))))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br_if $update (i32.lt_s (local.get $j) (local.get $n))))
        (local.set $h (i32.add (local.get $h) (local.get $hStep)))
        (call $clearTail (local.get $h) (local.get $n) (local.get $k))
        (local.set $x (i32.add (local.get $x) (local.get $xStep)))
        (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
        (br_if $step (local.get $steps)))))
)
