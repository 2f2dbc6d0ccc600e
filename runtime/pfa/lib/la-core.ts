// Dense linear algebra on number[][] (row-major) for the PFA "la" family and
// stat.test.mahalanobis: LU decomposition with partial pivoting (solve, determinant,
// inverse), the singular value decomposition by one-sided Jacobi rotations (Moore-Penrose
// pseudoinverse), and the cyclic Jacobi eigenvalue method for symmetric matrices.
// Inputs are never modified.

export type Matrix = number[][];

function copy(a: Matrix): Matrix {
  return a.map((row) => row.slice());
}

export function transpose(a: Matrix): Matrix {
  const rows = a.length, cols = rows === 0 ? 0 : a[0].length;
  const out: Matrix = [];
  for (let j = 0; j < cols; j++) {
    const row: number[] = new Array<number>(rows);
    for (let i = 0; i < rows; i++) row[i] = a[i][j];
    out.push(row);
  }
  return out;
}

export function multiply(a: Matrix, b: Matrix): Matrix {
  const n = a.length, k = b.length, m = k === 0 ? 0 : b[0].length;
  const out: Matrix = [];
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(m).fill(0);
    for (let l = 0; l < k; l++) {
      const v = a[i][l];
      const bl = b[l];
      for (let j = 0; j < m; j++) row[j] += v * bl[j];
    }
    out.push(row);
  }
  return out;
}

interface LU {
  readonly lu: Matrix;
  readonly perm: number[];
  readonly sign: number;
}

/** LU decomposition with partial pivoting of a square matrix (PA = LU). */
function decompose(a: Matrix): LU {
  const n = a.length;
  const lu = copy(a);
  const perm = Array.from({ length: n }, (_, i) => i);
  let sign = 1;
  for (let k = 0; k < n; k++) {
    let p = k, max = Math.abs(lu[k][k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i][k]);
      if (v > max) {
        max = v;
        p = i;
      }
    }
    if (p !== k) {
      [lu[p], lu[k]] = [lu[k], lu[p]];
      [perm[p], perm[k]] = [perm[k], perm[p]];
      sign = -sign;
    }
    const pivot = lu[k][k];
    if (pivot === 0) continue; // singular: the zero stays on the diagonal
    for (let i = k + 1; i < n; i++) {
      const f = lu[i][k] / pivot;
      if (f === 0) continue;
      lu[i][k] = f;
      const ri = lu[i], rk = lu[k];
      for (let j = k + 1; j < n; j++) ri[j] -= f * rk[j];
    }
  }
  return { lu, perm, sign };
}

function luSolve({ lu, perm }: LU, b: readonly number[]): number[] {
  const n = lu.length;
  const x = perm.map((p) => b[p]);
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let j = 0; j < i; j++) s -= lu[i][j] * x[j];
    x[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let j = i + 1; j < n; j++) s -= lu[i][j] * x[j];
    x[i] = s / lu[i][i];
  }
  return x;
}

/** x with A x = b for a square A (non-finite entries when A is singular). */
export function solveLinear(a: Matrix, b: readonly number[]): number[] {
  return luSolve(decompose(a), b);
}

/** Determinant of a square matrix (NaN if any entry is not finite). */
export function determinant(a: Matrix): number {
  if (a.some((row) => row.some((v) => !Number.isFinite(v)))) return NaN;
  const { lu, sign } = decompose(a);
  let d = sign;
  for (let i = 0; i < lu.length; i++) d *= lu[i][i];
  return d;
}

/** Inverse of a square matrix by LU (non-finite entries when singular). */
export function inverse(a: Matrix): Matrix {
  const n = a.length;
  const f = decompose(a);
  const cols: Matrix = [];
  for (let j = 0; j < n; j++) {
    const e = new Array<number>(n).fill(0);
    e[j] = 1;
    cols.push(luSolve(f, e));
  }
  return transpose(cols);
}

/**
 * Thin singular value decomposition A = U diag(s) Vᵀ (A is m×n with m ≥ n) by one-sided
 * Jacobi rotations: columns of A are orthogonalized in place; their norms are the
 * singular values and the accumulated rotations form V.
 */
function svdTall(a: Matrix): { u: Matrix; s: number[]; v: Matrix } {
  const m = a.length, n = a[0].length;
  const u = copy(a);
  const v: Matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < m; i++) {
          alpha += u[i][p] * u[i][p];
          beta += u[i][q] * u[i][q];
          gamma += u[i][p] * u[i][q];
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        for (let i = 0; i < m; i++) {
          const up = u[i][p], uq = u[i][q];
          u[i][p] = c * up - s * uq;
          u[i][q] = s * up + c * uq;
        }
        for (let i = 0; i < n; i++) {
          const vp = v[i][p], vq = v[i][q];
          v[i][p] = c * vp - s * vq;
          v[i][q] = s * vp + c * vq;
        }
      }
    }
    if (!rotated) break;
  }
  const s: number[] = [];
  for (let j = 0; j < n; j++) {
    let norm = 0;
    for (let i = 0; i < m; i++) norm += u[i][j] * u[i][j];
    norm = Math.sqrt(norm);
    s.push(norm);
    if (norm !== 0) for (let i = 0; i < m; i++) u[i][j] /= norm;
  }
  return { u, s, v };
}

/** Moore-Penrose pseudoinverse (n×m for an m×n matrix), singular values below a relative tolerance dropped. */
export function pseudoInverse(a: Matrix): Matrix {
  const m = a.length, n = a[0].length;
  const tall = m >= n;
  const { u, s, v } = svdTall(tall ? a : transpose(a));
  const rows = tall ? m : n, cols = tall ? n : m;
  const tol = Math.max(rows, cols) * Math.max(0, ...s) * Number.EPSILON;
  // pinv(B) = V diag(1/s) Uᵀ for B = U diag(s) Vᵀ; pinv(Aᵀ) = pinv(A)ᵀ.
  const pinv: Matrix = [];
  for (let i = 0; i < cols; i++) {
    const row = new Array<number>(rows).fill(0);
    for (let k = 0; k < cols; k++) {
      if (!(s[k] > tol)) continue;
      const f = v[i][k] / s[k];
      for (let j = 0; j < rows; j++) row[j] += f * u[j][k];
    }
    pinv.push(row);
  }
  return tall ? pinv : transpose(pinv);
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix by the cyclic Jacobi method:
 * values[k] with vectors[k] (unit length), in no particular order.
 */
export function symmetricEigen(a: Matrix): { values: number[]; vectors: Matrix } {
  const n = a.length;
  const m = copy(a);
  const v: Matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, scale = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i !== j) off += m[i][j] * m[i][j];
        scale += m[i][j] * m[i][j];
      }
    }
    if (off <= 1e-30 * scale || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p][q];
        if (apq === 0) continue;
        const theta = (m[q][q] - m[p][p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k][p], mkq = m[k][q];
          m[k][p] = c * mkp - s * mkq;
          m[k][q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p][k], mqk = m[q][k];
          m[p][k] = c * mpk - s * mqk;
          m[q][k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p], vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = m.map((row, i) => row[i]);
  return { values, vectors: transpose(v) };
}
