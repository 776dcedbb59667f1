/**
 * Stationary kernels on subsets of the input dims, their products and sums,
 * compiled from a JSON {@link KernelSpec} into flat loops.
 *
 * Notation:
 *   d        input dimension; x, x' length-d inputs
 *   leaf l   an RBF or Matern-5/2 kernel on the dims `dims_l`
 *   channel c   one lengthscale ℓ_c. An ARD leaf has one channel per dim, an
 *            isotropic leaf one channel for all its dims. Channels are numbered
 *            leaf by leaf in depth-first order of the spec (C channels in all).
 *   D_c(x,x')   Σ_{j ∈ channel c} (x_j − x'_j)²   (the squared distance of a channel)
 *   r_l²     Σ_{c ∈ l} D_c / ℓ_c²
 *   k_l      the leaf value: RBF exp(−r²/2); Matern-5/2 (1 + √5r + 5r²/3) e^{−√5 r}
 *   h_l      −2 ∂k_l/∂(r²): RBF h = k; Matern-5/2 h = (5/3)(1 + √5 r) e^{−√5 r}
 *   terms    the kernel expanded as a sum of products of leaves: k = Σ_t Π_{l∈t} k_l
 *   A_l      ∂k/∂k_l = Σ_{t∋l} Π_{m∈t, m≠l} k_m
 *
 * Derivatives used everywhere:
 *   ∂k/∂log ℓ_c = A_l h_l D_c / ℓ_c²                     (c in leaf l)
 *   ∂k/∂x_j     = −Σ_{l∋j} A_l h_l (x_j − x'_j) / ℓ_{c(l,j)}²
 *
 * The kernel has no variance of its own: the GP multiplies it by one output scale.
 * k(x, x) = number of expanded terms (1 for any product of leaves).
 */
import { ValidationError } from '../core/index.ts';
import type { KernelSpec } from './types.ts';

/** One compiled leaf. */
export interface KernelLeaf {
  readonly kind: 'rbf' | 'matern52';
  readonly dims: readonly number[];
  readonly ard: boolean;
  /** Index of its first channel (lengthscale). */
  readonly offset: number;
  /** Number of channels: dims.length (ARD) or 1. */
  readonly count: number;
}

/** A compiled kernel (immutable apart from private scratch buffers). */
export class Kernel {
  readonly d: number;
  readonly spec: KernelSpec;
  readonly leaves: readonly KernelLeaf[];
  /** The expanded sum of products: each term lists leaf indices. */
  readonly terms: readonly (readonly number[])[];
  /** Number of lengthscales (channels), C. */
  readonly numLengthscales: number;
  /** k(x, x): the number of expanded terms. */
  readonly diag: number;
  /** For channel c, the input dims it sums over. */
  readonly channelDims: readonly (readonly number[])[];
  /** For channel c, its leaf. */
  readonly channelLeaf: Int32Array;
  /** True when the kernel is a single product of leaves (A_l = Π_{m≠l} k_m). */
  private readonly singleTerm: boolean;
  // Scratch (per-pair) buffers.
  readonly leafK: Float64Array;
  readonly leafH: Float64Array;
  readonly leafA: Float64Array;
  private readonly dScratch: Float64Array;

  /**
   * Compile a kernel spec for d-dimensional inputs.
   * @throws ValidationError when a leaf has no dims, a dim is out of [0, d) or repeated in a leaf,
   *   a combination has no terms, or the kind is unknown.
   */
  constructor(spec: KernelSpec, d: number) {
    if (!Number.isInteger(d) || d < 1) {
      throw new ValidationError(`kernel: d must be a positive integer, got ${String(d)}`);
    }
    this.d = d;
    this.spec = spec;
    const leaves: KernelLeaf[] = [];
    const channelDims: number[][] = [];
    const channelLeaf: number[] = [];
    const compile = (s: KernelSpec, path: string): number[][] => {
      if (s === null || typeof s !== 'object') {
        throw new ValidationError(`kernel${path}: expected an object, got ${JSON.stringify(s)}`);
      }
      if (s.kind === 'rbf' || s.kind === 'matern52') {
        const dims = s.dims;
        if (!Array.isArray(dims) || dims.length === 0) {
          throw new ValidationError(
            `kernel${path}: a ${s.kind} leaf needs a non-empty 'dims' array, got ${JSON.stringify(dims)}`,
          );
        }
        const seen = new Set<number>();
        for (const j of dims) {
          if (!Number.isInteger(j) || j < 0 || j >= d) {
            throw new ValidationError(
              `kernel${path}: dim ${String(j)} is not an integer in [0, ${d - 1}] (inputs have d = ${d})`,
            );
          }
          if (seen.has(j)) {
            throw new ValidationError(`kernel${path}: dim ${j} appears twice in the same leaf`);
          }
          seen.add(j);
        }
        const ard = s.ard === true;
        const offset = channelDims.length;
        const count = ard ? dims.length : 1;
        const li = leaves.length;
        if (ard) {
          for (const j of dims) {
            channelDims.push([j]);
            channelLeaf.push(li);
          }
        } else {
          channelDims.push([...dims]);
          channelLeaf.push(li);
        }
        leaves.push({ kind: s.kind, dims: [...dims], ard, offset, count });
        return [[li]];
      }
      if (s.kind === 'product' || s.kind === 'sum') {
        if (!Array.isArray(s.terms) || s.terms.length === 0) {
          throw new ValidationError(`kernel${path}: a ${s.kind} needs a non-empty 'terms' array`);
        }
        const parts = s.terms.map((t, i) => compile(t, `${path}.terms[${i}]`));
        if (s.kind === 'sum') return parts.flat();
        let acc: number[][] = [[]];
        for (const p of parts) {
          const next: number[][] = [];
          for (const a of acc) for (const b of p) next.push([...a, ...b]);
          acc = next;
        }
        return acc;
      }
      throw new ValidationError(
        `kernel${path}: unknown kind ${JSON.stringify((s as { kind?: unknown }).kind)}; use 'rbf', 'matern52', 'product' or 'sum'`,
      );
    };
    const terms = compile(spec, '');
    this.leaves = leaves;
    this.terms = terms;
    this.numLengthscales = channelDims.length;
    this.channelDims = channelDims;
    this.channelLeaf = Int32Array.from(channelLeaf);
    this.diag = terms.length;
    this.singleTerm = terms.length === 1;
    const L = leaves.length;
    this.leafK = new Float64Array(L);
    this.leafH = new Float64Array(L);
    this.leafA = new Float64Array(L);
    this.dScratch = new Float64Array(this.numLengthscales);
  }

  /**
   * Kernel value from channel distances: k = Σ_t Π_{l∈t} k_l with r_l² = Σ_{c∈l} D_c ℓ_c⁻².
   * Reads D[off .. off+C), leaves k_l and h_l in `leafK`/`leafH`.
   * @param invL2 ℓ_c⁻² per channel
   */
  evalDistances(D: Float64Array, off: number, invL2: Float64Array): number {
    const leaves = this.leaves;
    const leafK = this.leafK;
    const leafH = this.leafH;
    for (let l = 0; l < leaves.length; l++) {
      const leaf = leaves[l] as KernelLeaf;
      let r2 = 0;
      for (let c = leaf.offset, e = leaf.offset + leaf.count; c < e; c++) {
        r2 += (D[off + c] as number) * (invL2[c] as number);
      }
      if (leaf.kind === 'rbf') {
        const k = Math.exp(-0.5 * r2);
        leafK[l] = k;
        leafH[l] = k;
      } else {
        const r5 = Math.sqrt(5 * r2);
        const e = Math.exp(-r5);
        leafK[l] = (1 + r5 + (r5 * r5) / 3) * e;
        leafH[l] = (5 / 3) * (1 + r5) * e;
      }
    }
    if (this.singleTerm) {
      let k = 1;
      for (let l = 0; l < leaves.length; l++) k *= leafK[l] as number;
      return k;
    }
    let k = 0;
    for (const t of this.terms) {
      let p = 1;
      for (const l of t) p *= leafK[l] as number;
      k += p;
    }
    return k;
  }

  /** Fill `leafA` with A_l = ∂k/∂k_l from the current `leafK` (call after {@link evalDistances}). */
  partials(): Float64Array {
    const leafK = this.leafK;
    const A = this.leafA;
    const L = leafK.length;
    if (this.singleTerm) {
      for (let l = 0; l < L; l++) {
        let p = 1;
        for (let m = 0; m < L; m++) if (m !== l) p *= leafK[m] as number;
        A[l] = p;
      }
      return A;
    }
    A.fill(0);
    for (const t of this.terms) {
      for (const l of t) {
        let p = 1;
        for (const m of t) if (m !== l) p *= leafK[m] as number;
        A[l] = (A[l] as number) + p;
      }
    }
    return A;
  }

  /** Channel distances D_c between row i of A (d columns) and row j of B into out[off..). */
  channelDistances(
    A: ArrayLike<number>,
    aOff: number,
    B: ArrayLike<number>,
    bOff: number,
    out: Float64Array,
    off: number,
  ): void {
    const cd = this.channelDims;
    for (let c = 0; c < cd.length; c++) {
      const dims = cd[c] as readonly number[];
      let s = 0;
      for (let q = 0; q < dims.length; q++) {
        const j = dims[q] as number;
        const t = (A[aOff + j] as number) - (B[bOff + j] as number);
        s += t * t;
      }
      out[off + c] = s;
    }
  }

  /**
   * Channel distances of every pair i > j of the rows of X (n×d): the packed
   * strict lower triangle, pair p = i(i−1)/2 + j, entries D[p·C + c].
   * Cached by the likelihood across L-BFGS-B evaluations.
   */
  pairDistances(X: Float64Array, n: number): Float64Array {
    const C = this.numLengthscales;
    const d = this.d;
    const out = new Float64Array(((n * (n - 1)) / 2) * C);
    let p = 0;
    for (let i = 1; i < n; i++) {
      for (let j = 0; j < i; j++) {
        this.channelDistances(X, i * d, X, j * d, out, p * C);
        p++;
      }
    }
    return out;
  }

  /**
   * k(a, b) for two inputs given lengthscales ℓ (input units), optionally with
   * gradients: `dLogLs[c] = ∂k/∂log ℓ_c` and `dA[j] = ∂k/∂a_j` (length d).
   * @param a length-d input (read from aOff)
   * @param b length-d input (read from bOff)
   */
  value(
    a: ArrayLike<number>,
    aOff: number,
    b: ArrayLike<number>,
    bOff: number,
    ls: ArrayLike<number>,
    dLogLs?: Float64Array,
    dA?: Float64Array,
  ): number {
    const C = this.numLengthscales;
    const invL2 = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      const l = ls[c] as number;
      invL2[c] = 1 / (l * l);
    }
    const D = this.dScratch;
    this.channelDistances(a, aOff, b, bOff, D, 0);
    const k = this.evalDistances(D, 0, invL2);
    if (dLogLs === undefined && dA === undefined) return k;
    const A = this.partials();
    if (dLogLs !== undefined) {
      for (let c = 0; c < C; c++) {
        const l = this.channelLeaf[c] as number;
        dLogLs[c] =
          (A[l] as number) * (this.leafH[l] as number) * (D[c] as number) * (invL2[c] as number);
      }
    }
    if (dA !== undefined) this.inputGradient(a, aOff, b, bOff, invL2, dA, 1);
    return k;
  }

  /**
   * Adds scale·∂k(a,b)/∂a into out[0..d) using the current leaf state (after
   * {@link evalDistances} and {@link partials} for this pair).
   */
  inputGradient(
    a: ArrayLike<number>,
    aOff: number,
    b: ArrayLike<number>,
    bOff: number,
    invL2: Float64Array,
    out: Float64Array,
    scale: number,
    outOff = 0,
  ): void {
    const leaves = this.leaves;
    for (let l = 0; l < leaves.length; l++) {
      const leaf = leaves[l] as KernelLeaf;
      const g = -scale * (this.leafA[l] as number) * (this.leafH[l] as number);
      if (g === 0) continue;
      const dims = leaf.dims;
      for (let q = 0; q < dims.length; q++) {
        const j = dims[q] as number;
        const c = leaf.ard ? leaf.offset + q : leaf.offset;
        out[outOff + j] =
          (out[outOff + j] as number) +
          g * ((a[aOff + j] as number) - (b[bOff + j] as number)) * (invL2[c] as number);
      }
    }
  }

  /**
   * Inputs scaled per leaf: row i holds, leaf after leaf, x_j / ℓ_{c(l,j)} for the dims j of
   * leaf l, so that r_l² is a plain squared distance over the leaf's segment.
   */
  private scaled(A: ArrayLike<number>, na: number, ls: ArrayLike<number>): Float64Array {
    const d = this.d;
    let W = 0;
    for (const leaf of this.leaves) W += leaf.dims.length;
    const U = new Float64Array(na * W);
    for (let i = 0; i < na; i++) {
      let o = i * W;
      for (const leaf of this.leaves) {
        for (let q = 0; q < leaf.dims.length; q++) {
          const c = leaf.ard ? leaf.offset + q : leaf.offset;
          U[o++] = (A[i * d + (leaf.dims[q] as number)] as number) / (ls[c] as number);
        }
      }
    }
    return U;
  }

  /**
   * Cross-kernel matrix K_ij = k(A_i, B_j), na×nb row-major (no output scale).
   * @param ls lengthscales per channel, input units
   */
  cross(
    A: ArrayLike<number>,
    na: number,
    B: ArrayLike<number>,
    nb: number,
    ls: ArrayLike<number>,
  ): Float64Array {
    const UA = this.scaled(A, na, ls);
    const UB = this.scaled(B, nb, ls);
    const W = na > 0 ? UA.length / na : 0;
    const K = new Float64Array(na * nb);
    const leaves = this.leaves;
    const L = leaves.length;
    const allRbfProduct = this.singleTerm && leaves.every((l) => l.kind === 'rbf');
    const seg = new Int32Array(L + 1);
    for (let l = 0; l < L; l++)
      seg[l + 1] = (seg[l] as number) + (leaves[l] as KernelLeaf).dims.length;
    const leafK = this.leafK;
    for (let i = 0; i < na; i++) {
      const oa = i * W;
      for (let j = 0; j < nb; j++) {
        const ob = j * W;
        if (allRbfProduct) {
          let r2 = 0;
          for (let q = 0; q < W; q++) {
            const t = (UA[oa + q] as number) - (UB[ob + q] as number);
            r2 += t * t;
          }
          K[i * nb + j] = Math.exp(-0.5 * r2);
          continue;
        }
        for (let l = 0; l < L; l++) {
          let r2 = 0;
          for (let q = seg[l] as number, e = seg[l + 1] as number; q < e; q++) {
            const t = (UA[oa + q] as number) - (UB[ob + q] as number);
            r2 += t * t;
          }
          if ((leaves[l] as KernelLeaf).kind === 'rbf') {
            leafK[l] = Math.exp(-0.5 * r2);
          } else {
            const r5 = Math.sqrt(5 * r2);
            leafK[l] = (1 + r5 + (r5 * r5) / 3) * Math.exp(-r5);
          }
        }
        let k = 0;
        for (const t of this.terms) {
          let p = 1;
          for (const l of t) p *= leafK[l] as number;
          k += p;
        }
        K[i * nb + j] = k;
      }
    }
    return K;
  }
}
