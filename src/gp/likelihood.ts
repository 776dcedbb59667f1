/**
 * The log marginal likelihood of the standardised outputs and its analytic
 * gradient in log space.
 *
 * Notation (see types.ts):
 *   z        standardised outputs, length n
 *   m        prior mean vector, m_i = 0 | c | c + bᵀx_i
 *   r        z − m
 *   K        s·k(X, X) + v_g·G + diag(σ² + ν_i) (+ jitter ε), ν_i the fixed per-point noise in
 *            standardised units, G_ij = 1 when observations i and j share a group (G_ii = 1 for a
 *            grouped i), 0 otherwise (no groups: no v_g term); with a group covariate u the
 *            group's v_g is v_g·exp(γ u_i), the same for all its members
 *   L        Cholesky factor, K = L Lᵀ
 *   α        K⁻¹ r
 *   W        α αᵀ − K⁻¹
 *
 *   log p(z | θ) = −½ rᵀα − Σ_i log L_ii − (n/2) log 2π
 *   ∂/∂θ_k (kernel / noise params) = ½ tr(W ∂K/∂θ_k)
 *       ∂K/∂log ℓ_c = s ∂k/∂log ℓ_c,  ∂K/∂log s = s k,  ∂K/∂log σ² = σ² I,
 *       ∂K_ij/∂log v_g = v_g e^{γ u_i} G_ij,  ∂K_ij/∂γ = u_i v_g e^{γ u_i} G_ij
 *   ∂/∂c = Σ_i α_i,  ∂/∂b_j = Σ_i α_i x_ij
 *
 * The traces are computed in one fused pass over the lower triangle (pairs i > j
 * counted twice), O(n²·C), with no n×n matrix per hyper-parameter. The channel
 * distances of every pair are computed once and cached across evaluations.
 *
 * Reference: Rasmussen & Williams, Gaussian Processes for Machine Learning (2006), eq. 2.30, 5.9.
 */
import { NumericsError } from '../core/index.ts';
import {
  cholesky,
  cholInverse,
  cholInverseInto,
  cholSolve,
  TILE,
  tile4x4,
  withWasmArrays,
} from '../linalg/index.ts';
import { type HyperLayout, logPrior } from './hyperparameters.ts';
import type { Kernel } from './kernel.ts';
import type { LikelihoodOptions, PriorSpec } from './types.ts';

const LOG_2PI = Math.log(2 * Math.PI);
/** The default of {@link LikelihoodOptions.maxCached}: 2^25 numbers (256 MiB). */
export const DEFAULT_MAX_CACHED = 2 ** 25;

/** The per-pair factors of a product kernel kept by `covariance` for `gradient` (see `pairCache`). */
interface PairFactors {
  readonly E: Float64Array;
  readonly P: Float64Array;
  readonly R: Float64Array;
}

/**
 * The leaves of a product kernel at one pair (channel distances D[o..o+C)): the exponent
 * −Σ_l (√5 r_l for Matern-5/2, r_l²/2 for RBF) in out[0], the Matern polynomials' product
 * Π_l (1 + √5 r_l + 5 r_l²/3) in out[1], and ρ_l (see {@link MarginalLikelihood.gradient}) in
 * rho[ro + l].
 */
function productLeaves(
  D: Float64Array,
  o: number,
  invL2: Float64Array,
  leafStart: Int32Array,
  leafMatern: Uint8Array,
  rho: Float64Array,
  ro: number,
  out: Float64Array,
): void {
  let expo = 0;
  let poly = 1;
  for (let l = 0; l < leafMatern.length; l++) {
    let r2 = 0;
    for (let c = leafStart[l] as number, e = leafStart[l + 1] as number; c < e; c++) {
      r2 += (D[o + c] as number) * (invL2[c] as number);
    }
    if (leafMatern[l] === 1) {
      const r5 = Math.sqrt(5 * r2);
      const q = 1 + r5 + (r5 * r5) / 3;
      expo -= r5;
      poly *= q;
      rho[ro + l] = ((5 / 3) * (1 + r5)) / q;
    } else {
      expo -= 0.5 * r2;
      rho[ro + l] = 1;
    }
  }
  out[0] = expo;
  out[1] = poly;
}

/**
 * gLs_c += wk ρ_l D_c for every channel c of every leaf l (ρ_l at rho[ro + l]): one pair's
 * share of the lengthscale gradient of a product kernel.
 */
function addLeafTerms(
  gLs: Float64Array,
  D: Float64Array,
  o: number,
  wk: number,
  rho: Float64Array,
  ro: number,
  leafStart: Int32Array,
): void {
  const L = leafStart.length - 1;
  for (let l = 0; l < L; l++) {
    const f = wk * (rho[ro + l] as number);
    for (let c = leafStart[l] as number, e = leafStart[l + 1] as number; c < e; c++) {
      gLs[c] = (gLs[c] as number) + f * (D[o + c] as number);
    }
  }
}

/** What one {@link MarginalLikelihood.gradient} pass reads, and the sums it builds row by row. */
interface GradientPass {
  readonly alpha: Float64Array;
  readonly Kinv: Float64Array;
  /** Σ_{i>j} W_ij ∂k_ij/∂D_c per channel c (times 1/ℓ_c² and s at the end). */
  readonly gLs: Float64Array;
}

/**
 * Kz = K⁻¹ z and KH = K⁻¹ H (n×p, row-major) from the explicit inverse and G = [z; H columns]
 * ((p+1)×n rows), as 4×4 tiles of dot products: entry (i, a) = Σ_j K⁻¹_ij G_aj summed over j in
 * increasing order from 0, the same sums as row-by-row dot products.
 */
function inverseProducts(
  Kinv: Float64Array,
  n: number,
  G: Float64Array,
  p: number,
  Kz: Float64Array,
  KH: Float64Array,
): void {
  const m = p + 1;
  for (let i = 0; i < n; i += 4) {
    const rb = Math.min(4, n - i);
    const r0 = i * n;
    const r1 = rb > 1 ? r0 + n : r0;
    const r2 = rb > 2 ? r0 + 2 * n : r0;
    const r3 = rb > 3 ? r0 + 3 * n : r0;
    for (let a = 0; a < m; a += 4) {
      const cb = Math.min(4, m - a);
      const q0 = a * n;
      const q1 = cb > 1 ? q0 + n : q0;
      const q2 = cb > 2 ? q0 + 2 * n : q0;
      const q3 = cb > 3 ? q0 + 3 * n : q0;
      tile4x4(Kinv, r0, r1, r2, r3, G, q0, q1, q2, q3, 0, n);
      for (let u = 0; u < rb; u++) {
        for (let v = 0; v < cb; v++) {
          const col = a + v;
          const val = TILE[4 * u + v] as number;
          if (col === 0) Kz[i + u] = val;
          else KH[(i + u) * p + col - 1] = val;
        }
      }
    }
  }
}

/** Zeroed scratch for K⁻¹ in {@link MarginalLikelihood.factorizeProfiled}: n×n L, U, inverse; (p+1)×n G. */
interface InverseWorkspace {
  readonly L: Float64Array;
  readonly U: Float64Array;
  readonly inverse: Float64Array;
  readonly G: Float64Array;
}

/** A factorised GP system at given θ. */
export interface Factorization {
  readonly L: Float64Array;
  readonly jitter: number;
  /** α = K⁻¹ (z − m). */
  readonly alpha: Float64Array;
  /** log p(z | θ) (standardised units, no prior). */
  readonly lml: number;
}

/** For each observation i, the observations j < i with the same (non-negative) group label. */
export function groupPredecessors(groups: Int32Array, n: number): Int32Array[] {
  const seen = new Map<number, number[]>();
  const out: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const g = groups[i] as number;
    if (g < 0) {
      out.push(new Int32Array(0));
      continue;
    }
    const list = seen.get(g) ?? [];
    out.push(Int32Array.from(list));
    list.push(i);
    seen.set(g, list);
  }
  return out;
}

/** The data side of the likelihood: inputs, standardised outputs, fixed noise. */
export class MarginalLikelihood {
  private D: Float64Array | null = null;
  private H: Float64Array | null = null;
  private G: Float64Array | null = null;
  /** Pair factors at θ kept by covariance(θ, true) (see pairCache). */
  private kept: (PairFactors & { theta: Float64Array }) | null = null;
  private keptBuffers: PairFactors | null = null;
  private scratchRow: Float64Array | null = null;
  /** [exponent, polynomial] of the pair at hand (see productLeaves). */
  private readonly pairOut = new Float64Array(2);
  private readonly maxCached: number;
  private readonly invL2: Float64Array;
  private readonly leafOfChannel: Int32Array;
  private readonly allRbfProduct: boolean;
  /** A single product of leaves with some Matern-5/2 (fused path, one exp per pair). */
  private readonly mixedProduct: boolean;
  /** Channel range of leaf l: [leafStart[l], leafStart[l+1]). */
  private readonly leafStart: Int32Array;
  private readonly leafMatern: Uint8Array;
  private readonly rho: Float64Array;
  /** Per observation, the earlier observations (j < i) of its group; null without groups. */
  private readonly groupPrev: Int32Array[] | null;

  /**
   * @param X n×d inputs (kept by reference; not modified)
   * @param z standardised outputs (length n)
   * @param nu fixed per-point noise variances in standardised units (length n)
   * @param fixedNoise σ² when the noise is fixed (ignored when learned)
   * @param groups a group label per observation (−1: none), with `layout.iGroup >= 0`; else null
   * @param groupCovariate u per observation (constant within a group), with `layout.iGroupSlope >= 0`
   * @param options memory settings (see {@link LikelihoodOptions}); the values do not depend on them
   */
  constructor(
    readonly kernel: Kernel,
    readonly layout: HyperLayout,
    readonly X: Float64Array,
    readonly n: number,
    readonly z: Float64Array,
    readonly nu: Float64Array,
    readonly fixedNoise: number,
    readonly priors: PriorSpec | undefined,
    readonly groups: Int32Array | null = null,
    readonly groupCovariate: Float64Array | null = null,
    options: LikelihoodOptions = {},
  ) {
    this.maxCached = options.maxCached ?? DEFAULT_MAX_CACHED;
    this.invL2 = new Float64Array(kernel.numLengthscales);
    this.leafOfChannel = kernel.channelLeaf;
    this.allRbfProduct = kernel.terms.length === 1 && kernel.leaves.every((l) => l.kind === 'rbf');
    this.mixedProduct = kernel.terms.length === 1 && !this.allRbfProduct;
    const L = kernel.leaves.length;
    this.leafStart = new Int32Array(L + 1);
    this.leafMatern = new Uint8Array(L);
    kernel.leaves.forEach((leaf, l) => {
      this.leafStart[l + 1] = leaf.offset + leaf.count;
      this.leafMatern[l] = leaf.kind === 'matern52' ? 1 : 0;
    });
    this.rho = new Float64Array(L);
    this.groupPrev = groups === null ? null : groupPredecessors(groups, n);
  }

  /** v_g at θ (0 without groups). */
  groupNoiseAt(th: ArrayLike<number>): number {
    return this.layout.iGroup >= 0 ? Math.exp(th[this.layout.iGroup] as number) : 0;
  }

  /** The offset variance of observation i's group at θ: v_g, times exp(γ u_i) with a covariate. */
  private groupVariance(th: ArrayLike<number>, vg: number, i: number): number {
    const { iGroupSlope } = this.layout;
    if (iGroupSlope < 0 || this.groupCovariate === null) return vg;
    return vg * Math.exp((th[iGroupSlope] as number) * (this.groupCovariate[i] as number));
  }

  /**
   * Channel distances of the pairs (i, 0..i−1) of row i: returns the buffer and the offset of
   * pair (i, 0); pair (i, j) is at offset + j·C. All pairs are computed once and cached when
   * they fit in `maxCached` numbers (see {@link LikelihoodOptions}), otherwise row i is recomputed
   * into a scratch row.
   */
  private row(i: number): [Float64Array, number] {
    const C = this.kernel.numLengthscales;
    const pairs = (this.n * (this.n - 1)) / 2;
    if (pairs * C <= this.maxCached) {
      if (this.D === null) this.D = this.kernel.pairDistances(this.X, this.n);
      return [this.D, ((i * (i - 1)) / 2) * C];
    }
    if (this.scratchRow === null) this.scratchRow = new Float64Array(this.n * C);
    const R = this.scratchRow;
    const d = this.kernel.d;
    for (let j = 0; j < i; j++)
      this.kernel.channelDistances(this.X, i * d, this.X, j * d, R, j * C);
    return [R, 0];
  }

  private setLengthscales(th: ArrayLike<number>): void {
    for (let c = 0; c < this.invL2.length; c++) this.invL2[c] = Math.exp(-2 * (th[c] as number));
  }

  /** σ² at θ. */
  noiseAt(th: ArrayLike<number>): number {
    return this.layout.iNoise >= 0 ? Math.exp(th[this.layout.iNoise] as number) : this.fixedNoise;
  }

  /** Residuals r = z − m(X) at θ. */
  residuals(th: ArrayLike<number>): Float64Array {
    const { n, X, z, layout } = this;
    const d = this.kernel.d;
    const r = Float64Array.from(z);
    if (layout.numMean === 0) return r;
    const c = th[layout.iMean] as number;
    for (let i = 0; i < n; i++) {
      let m = c;
      for (let j = 1; j < layout.numMean; j++)
        m +=
          (th[layout.iMean + j] as number) *
          (X[i * d + (layout.meanDims[j - 1] as number)] as number);
      r[i] = (r[i] as number) - m;
    }
    return r;
  }

  /**
   * The per-pair factors of K kept by {@link covariance} for the {@link gradient} at the same θ
   * (product kernels only): pair (i, j < i) at index i(i−1)/2 + j holds e = exp(exponent),
   * π = the Matern polynomials' product, and ρ_l per leaf (see gradient), so that the gradient
   * does not recompute the distances' exponentials; the products are formed in the same order,
   * so the values are bit-identical to recomputing them.
   */
  private pairCache(th: ArrayLike<number>): PairFactors | null {
    const c = this.kept;
    if (c === null) return null;
    // θ[0, iMean): the kernel and noise entries (the mean coefficients do not enter K).
    for (let i = 0; i < this.layout.iMean; i++) if (c.theta[i] !== th[i]) return null;
    return c;
  }

  /**
   * K at θ (lower triangle filled; the upper is left zero). With `keep`, the per-pair factors
   * are kept for the gradient at this θ (see {@link pairCache}).
   */
  covariance(th: ArrayLike<number>, keep = false): Float64Array {
    const n = this.n;
    this.setLengthscales(th);
    const s = Math.exp(th[this.layout.iScale] as number);
    const noise = this.noiseAt(th);
    const vg = this.groupNoiseAt(th);
    const gPrev = this.groupPrev;
    const K = new Float64Array(n * n);
    const sd = s * this.kernel.diag;
    const nl = this.leafMatern.length;
    const pairs = (n * (n - 1)) / 2;
    const cache =
      keep && (this.allRbfProduct || this.mixedProduct) && pairs * (2 + nl) <= this.maxCached
        ? this.keptArrays(pairs, nl)
        : null;
    this.kept = null;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      this.covarianceRow(K, i, s, cache);
      K[ri + i] = sd + noise + (this.nu[i] as number);
      if (gPrev !== null && (this.groups as Int32Array)[i]! >= 0) {
        const prev = gPrev[i] as Int32Array;
        const vi = this.groupVariance(th, vg, i);
        for (let q = 0; q < prev.length; q++) K[ri + prev[q]!] = (K[ri + prev[q]!] as number) + vi;
        K[ri + i] = (K[ri + i] as number) + vi;
      }
    }
    if (cache !== null) this.kept = { ...cache, theta: Float64Array.from(th) };
    return K;
  }

  /**
   * K_ij = s k_ij for j < i (row i of the lower triangle, without the diagonal), at the
   * lengthscales set by {@link setLengthscales}; the pair factors go into `cache` when given.
   */
  private covarianceRow(K: Float64Array, i: number, s: number, cache: PairFactors | null): void {
    const C = this.kernel.numLengthscales;
    const invL2 = this.invL2;
    const ri = i * this.n;
    const pi = (i * (i - 1)) / 2;
    const [D, base] = this.row(i);
    if (this.allRbfProduct) {
      for (let j = 0; j < i; j++) {
        let r2 = 0;
        const o = base + j * C;
        for (let c = 0; c < C; c++) r2 += (D[o + c] as number) * (invL2[c] as number);
        const ex = Math.exp(-0.5 * r2);
        if (cache !== null) cache.E[pi + j] = ex;
        K[ri + j] = s * ex;
      }
    } else if (this.mixedProduct) {
      const { leafStart, leafMatern, pairOut } = this;
      const L = leafMatern.length;
      for (let j = 0; j < i; j++) {
        const o = base + j * C;
        if (cache !== null) {
          productLeaves(D, o, invL2, leafStart, leafMatern, cache.R, (pi + j) * L, pairOut);
        } else productLeaves(D, o, invL2, leafStart, leafMatern, this.rho, 0, pairOut);
        const poly = pairOut[1] as number;
        const ex = Math.exp(pairOut[0] as number);
        if (cache !== null) {
          cache.E[pi + j] = ex;
          cache.P[pi + j] = poly;
        }
        K[ri + j] = s * poly * ex;
      }
    } else {
      for (let j = 0; j < i; j++) K[ri + j] = s * this.kernel.evalDistances(D, base + j * C, invL2);
    }
  }

  /** The arrays of the pair cache, reused between evaluations. */
  private keptArrays(pairs: number, nl: number): PairFactors {
    const b = this.keptBuffers;
    if (b !== null && b.E.length === pairs && b.R.length === pairs * nl) return b;
    const fresh = {
      E: new Float64Array(pairs),
      P: new Float64Array(this.mixedProduct ? pairs : 0),
      R: new Float64Array(this.mixedProduct ? pairs * nl : 0),
    };
    this.keptBuffers = fresh;
    return fresh;
  }

  /**
   * Factorise at θ.
   * @throws NumericsError when K is not positive definite even with jitter.
   */
  factorize(th: ArrayLike<number>): Factorization {
    const n = this.n;
    const { L, jitter } = cholesky(this.covariance(th), n);
    const r = this.residuals(th);
    const alpha = cholSolve(L, n, r, 1);
    let quad = 0;
    let logDet = 0;
    for (let i = 0; i < n; i++) {
      quad += (r[i] as number) * (alpha[i] as number);
      logDet += Math.log(L[i * n + i] as number);
    }
    const lml = -0.5 * quad - logDet - 0.5 * n * LOG_2PI;
    if (!Number.isFinite(lml)) {
      throw new NumericsError(
        `log marginal likelihood is ${String(lml)} at these hyper-parameters (n = ${n}); check the data for huge values`,
        { n, jitter },
      );
    }
    return { L, jitter, alpha, lml };
  }

  /** The mean basis H (n×p): rows [1, x_i] (linear) or [1] (constant); built once. */
  private basis(): Float64Array {
    if (this.H === null) {
      const { n, X, layout } = this;
      const d = this.kernel.d;
      const p = layout.numMean;
      const H = new Float64Array(n * p);
      for (let i = 0; i < n; i++) {
        H[i * p] = 1;
        for (let j = 1; j < p; j++)
          H[i * p + j] = X[i * d + (layout.meanDims[j - 1] as number)] as number;
      }
      this.H = H;
    }
    return this.H;
  }

  /** [z; H columns]: the (p+1)×n rows multiplied by K⁻¹ in {@link factorizeProfiled}; built once. */
  private basisRows(): Float64Array {
    if (this.G === null) {
      const { n, z } = this;
      const p = this.layout.numMean;
      const H = this.basis();
      const G = new Float64Array((p + 1) * n);
      G.set(z);
      for (let a = 0; a < p; a++)
        for (let j = 0; j < n; j++) G[(a + 1) * n + j] = H[j * p + a] as number;
      this.G = G;
    }
    return this.G;
  }

  /**
   * Factorise at the kernel/noise part of θ with the mean coefficients profiled
   * out: β̂ = (Hᵀ K⁻¹ H + Λ + εI)⁻¹ Hᵀ K⁻¹ z (generalised least squares, ε = 1e-10·tr/p
   * guards a rank-deficient H, e.g. simplex inputs that sum to one; Λ the coefficients'
   * prior precisions, MeanSpec, 0 without priors), written into θ's mean slots. Since the
   * objective's derivative in β, Hᵀα − Λβ, is 0 at β̂, the gradient of the profiled
   * objective w.r.t. the other entries equals the partial gradient there.
   * @throws NumericsError when K is not positive definite even with jitter.
   */
  factorizeProfiled(th: Float64Array): Factorization {
    if (this.layout.numMean === 0) return this.factorize(th);
    const { L, jitter } = cholesky(this.covariance(th), this.n);
    return this.profiled(th, L, jitter);
  }

  /**
   * {@link factorizeProfiled} given the factor L of K at θ. With `work`, also K⁻¹ (in
   * `work.inverse`, returned as `Kinv`), which then gives K⁻¹z and K⁻¹H as products.
   */
  private profiled(
    th: Float64Array,
    L: Float64Array,
    jitter: number,
    work?: InverseWorkspace,
  ): Factorization & { Kinv?: Float64Array } {
    const withInverse = work !== undefined;
    const { n, layout, z } = this;
    const p = layout.numMean;
    const H = this.basis();
    let Kz: Float64Array;
    let KH: Float64Array;
    let Kinv: Float64Array | undefined;
    if (withInverse) {
      // K⁻¹ is needed for the gradient anyway: K⁻¹z and K⁻¹H as products (n²(p+1)) instead of
      // 2(p+1) triangular solves.
      work.L.set(L);
      cholInverseInto(work.L, work.U, n, work.inverse);
      Kinv = work.inverse;
      work.G.set(this.basisRows());
      Kz = new Float64Array(n);
      KH = new Float64Array(n * p);
      inverseProducts(Kinv, n, work.G, p, Kz, KH);
    } else {
      Kz = cholSolve(L, n, z, 1);
      KH = cholSolve(L, n, H, p);
    }
    const A = new Float64Array(p * p);
    const b = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      const zi = Kz[i] as number;
      for (let a = 0; a < p; a++) {
        const ha = H[i * p + a] as number;
        b[a] = (b[a] as number) + ha * zi;
        for (let c = 0; c <= a; c++)
          A[a * p + c] = (A[a * p + c] as number) + ha * (KH[i * p + c] as number);
      }
    }
    let tr = 0;
    for (let a = 0; a < p; a++) tr += A[a * p + a] as number;
    const eps = 1e-10 * (tr > 0 ? tr / p : 1);
    for (let a = 0; a < p; a++)
      A[a * p + a] = (A[a * p + a] as number) + eps + (layout.meanPrecision[a] as number);
    const beta = cholSolve(cholesky(A, p).L, p, b, 1);
    for (let a = 0; a < p; a++) th[layout.iMean + a] = beta[a] as number;
    const alpha = new Float64Array(n);
    let quad = 0;
    let logDet = 0;
    for (let i = 0; i < n; i++) {
      let ai = Kz[i] as number;
      let m = 0;
      for (let a = 0; a < p; a++) {
        ai -= (KH[i * p + a] as number) * (beta[a] as number);
        m += (H[i * p + a] as number) * (beta[a] as number);
      }
      alpha[i] = ai;
      quad += ((z[i] as number) - m) * ai;
      logDet += Math.log(L[i * n + i] as number);
    }
    const lml = -0.5 * quad - logDet - 0.5 * n * LOG_2PI;
    if (!Number.isFinite(lml)) {
      throw new NumericsError(
        `log marginal likelihood is ${String(lml)} at these hyper-parameters (n = ${n}); check the data for huge values`,
        { n, jitter },
      );
    }
    return Kinv === undefined ? { L, jitter, alpha, lml } : { L, jitter, alpha, lml, Kinv };
  }

  /**
   * {@link evaluate} with the mean coefficients profiled out ({@link factorizeProfiled}):
   * overwrites θ's mean slots with β̂ and sets their gradient entries to 0.
   */
  evaluateProfiled(th: Float64Array, grad: Float64Array): number {
    const { n, layout } = this;
    if (layout.numMean === 0) return this.evaluate(th, grad);
    let chol: { L: Float64Array; jitter: number };
    try {
      chol = cholesky(this.covariance(th, true), n);
    } catch (e) {
      if (e instanceof NumericsError) {
        grad.fill(0);
        return Number.NEGATIVE_INFINITY;
      }
      throw e;
    }
    // K⁻¹ and what forms it in the wasm memory: its tiles run in the SIMD kernel. (After the
    // factorisation: the arrays of one withWasmArrays scope must be allocated together.)
    const sizes = [n * n, n * n, n * n, (layout.numMean + 1) * n];
    return withWasmArrays(sizes, ([L, U, inverse, G]) => {
      const work = { L, U, inverse, G } as InverseWorkspace;
      let fac: Factorization & { Kinv?: Float64Array };
      try {
        fac = this.profiled(th, chol.L, chol.jitter, work);
      } catch (e) {
        if (e instanceof NumericsError) {
          grad.fill(0);
          return Number.NEGATIVE_INFINITY;
        }
        throw e;
      }
      this.gradient(th, fac, grad, false, fac.Kinv);
      const lp = logPrior(th, layout, this.priors, grad);
      for (let a = 0; a < layout.numMean; a++) grad[layout.iMean + a] = 0;
      return fac.lml + lp;
    });
  }

  /**
   * The objective maximised by the fit: log p(z | θ) + log prior(θ), with its
   * gradient written into `grad` (length θ). Returns −Infinity (and a zero
   * gradient) when K cannot be factorised.
   */
  evaluate(th: ArrayLike<number>, grad: Float64Array): number {
    let fac: Factorization;
    try {
      fac = this.factorize(th);
    } catch (e) {
      if (e instanceof NumericsError) {
        grad.fill(0);
        return Number.NEGATIVE_INFINITY;
      }
      throw e;
    }
    this.gradient(th, fac, grad);
    return fac.lml + logPrior(th, this.layout, this.priors, grad);
  }

  /**
   * Writes ∂ log p(z | θ)/∂θ into grad (no prior): ½ tr(W ∂K/∂θ_k) for the kernel, noise and
   * group entries (one pass over the lower triangle, pairs i > j counted twice), Hᵀα for the
   * mean coefficients (with `withMean`). `inverse` is K⁻¹ when the caller has it.
   */
  gradient(
    th: ArrayLike<number>,
    fac: Factorization,
    grad: Float64Array,
    withMean = true,
    inverse?: Float64Array,
  ): void {
    const { n, kernel, layout } = this;
    const { alpha } = fac;
    const Kinv = inverse ?? cholInverse(fac.L, n);
    const kept = this.pairCache(th);
    this.setLengthscales(th);
    const pass: GradientPass = { alpha, Kinv, gLs: new Float64Array(kernel.numLengthscales) };
    let gK = 0; // Σ_{i>j} W_ij k_ij
    let gDiag = 0; // Σ_i W_ii
    for (let i = 0; i < n; i++) {
      gK = this.gradientRow(pass, i, kept, gK);
      const ai = alpha[i] as number;
      gDiag += ai * ai - (Kinv[i * n + i] as number);
    }
    // ½ tr(W ∂K) with off-diagonal pairs counted twice: the ½ and the 2 cancel.
    const s = Math.exp(th[layout.iScale] as number);
    const { gLs } = pass;
    const invL2 = this.invL2;
    for (let c = 0; c < gLs.length; c++) grad[c] = s * (gLs[c] as number) * (invL2[c] as number);
    grad[layout.iScale] = s * (gK + 0.5 * kernel.diag * gDiag);
    if (layout.iNoise >= 0) grad[layout.iNoise] = 0.5 * this.noiseAt(th) * gDiag;
    if (layout.iGroup >= 0 && this.groupPrev !== null) this.groupGradient(th, pass, grad);
    if (withMean && layout.numMean > 0) this.meanGradient(alpha, grad);
  }

  /**
   * Row i's share of the kernel gradient: adds W_ij ∂k_ij/∂D_c to `pass.gLs` for every j < i
   * and returns gK + Σ_{j<i} W_ij k_ij, W_ij = α_i α_j − K⁻¹_ij. With the pair factors kept
   * at this θ (`kept`), the exponentials are read back instead of recomputed.
   */
  private gradientRow(pass: GradientPass, i: number, kept: PairFactors | null, gK: number): number {
    const [D, base] = this.row(i);
    if (this.allRbfProduct) return this.rbfRow(pass, i, D, base, kept, gK);
    if (this.mixedProduct) return this.productRow(pass, i, D, base, kept, gK);
    return this.kernelRow(pass, i, D, base, gK);
  }

  /**
   * {@link gradientRow} for a product of RBF leaves: k = e^{−r²/2} (read from `kept` when
   * given), ∂k/∂D_c = k (times 1/ℓ_c² at the end).
   */
  private rbfRow(
    pass: GradientPass,
    i: number,
    D: Float64Array,
    base: number,
    kept: PairFactors | null,
    gK: number,
  ): number {
    const { alpha, Kinv, gLs } = pass;
    const C = gLs.length;
    const invL2 = this.invL2;
    const ri = i * this.n;
    const ai = alpha[i] as number;
    const pi = (i * (i - 1)) / 2;
    for (let j = 0; j < i; j++) {
      const w = ai * (alpha[j] as number) - (Kinv[ri + j] as number);
      const o = base + j * C;
      let k: number;
      if (kept !== null) k = kept.E[pi + j] as number;
      else {
        let r2 = 0;
        for (let c = 0; c < C; c++) r2 += (D[o + c] as number) * (invL2[c] as number);
        k = Math.exp(-0.5 * r2);
      }
      const wk = w * k;
      gK += wk;
      for (let c = 0; c < C; c++) gLs[c] = (gLs[c] as number) + wk * (D[o + c] as number);
    }
    return gK;
  }

  /**
   * {@link gradientRow} for a product with Matern leaves: k = Π_l k_l and ∂k/∂log ℓ_c =
   * k ρ_l D_c/ℓ_c² with ρ_l = h_l/k_l: 1 for RBF, (5/3)(1 + √5r)/(1 + √5r + 5r²/3) for
   * Matern-5/2 (no underflow: e^{−√5r} cancels). The factors are read from `kept` when given.
   */
  private productRow(
    pass: GradientPass,
    i: number,
    D: Float64Array,
    base: number,
    kept: PairFactors | null,
    gK: number,
  ): number {
    const { alpha, Kinv, gLs } = pass;
    const C = gLs.length;
    const { leafStart, leafMatern, pairOut, invL2 } = this;
    const L = leafMatern.length;
    const ri = i * this.n;
    const ai = alpha[i] as number;
    const pi = (i * (i - 1)) / 2;
    for (let j = 0; j < i; j++) {
      const w = ai * (alpha[j] as number) - (Kinv[ri + j] as number);
      const o = base + j * C;
      let wk: number;
      if (kept !== null) {
        wk = w * (kept.P[pi + j] as number) * (kept.E[pi + j] as number);
        addLeafTerms(gLs, D, o, wk, kept.R, (pi + j) * L, leafStart);
      } else {
        productLeaves(D, o, invL2, leafStart, leafMatern, this.rho, 0, pairOut);
        wk = w * (pairOut[1] as number) * Math.exp(pairOut[0] as number);
        addLeafTerms(gLs, D, o, wk, this.rho, 0, leafStart);
      }
      gK += wk;
    }
    return gK;
  }

  /** {@link gradientRow} for any kernel, through its leaves' partials (`Kernel.partials`). */
  private kernelRow(
    pass: GradientPass,
    i: number,
    D: Float64Array,
    base: number,
    gK: number,
  ): number {
    const { alpha, Kinv, gLs } = pass;
    const C = gLs.length;
    const { kernel, invL2 } = this;
    const leafOf = this.leafOfChannel;
    const leafH = kernel.leafH;
    const ri = i * this.n;
    const ai = alpha[i] as number;
    for (let j = 0; j < i; j++) {
      const w = ai * (alpha[j] as number) - (Kinv[ri + j] as number);
      const o = base + j * C;
      gK += w * kernel.evalDistances(D, o, invL2);
      const A = kernel.partials();
      for (let c = 0; c < C; c++) {
        const l = leafOf[c] as number;
        gLs[c] =
          (gLs[c] as number) + w * (A[l] as number) * (leafH[l] as number) * (D[o + c] as number);
      }
    }
    return gK;
  }

  /**
   * The group entries of the gradient, ½ tr(W ∂K): Σ over grouped i of v_i (Σ_{j<i, same
   * group} W_ij + ½ W_ii) for log v_g, the same times u_i for the slope γ (v_i the offset
   * variance of i's group).
   */
  private groupGradient(th: ArrayLike<number>, pass: GradientPass, grad: Float64Array): void {
    const { n, layout } = this;
    const { alpha, Kinv } = pass;
    const groups = this.groups as Int32Array;
    const groupPrev = this.groupPrev as Int32Array[];
    const vg = this.groupNoiseAt(th);
    let gG = 0;
    let gU = 0;
    for (let i = 0; i < n; i++) {
      if (groups[i]! < 0) continue;
      const ri = i * n;
      const ai = alpha[i] as number;
      const prev = groupPrev[i] as Int32Array;
      let acc = 0;
      for (let q = 0; q < prev.length; q++) {
        const j = prev[q]!;
        acc += ai * (alpha[j] as number) - (Kinv[ri + j] as number);
      }
      acc += 0.5 * (ai * ai - (Kinv[ri + i] as number));
      const vi = this.groupVariance(th, vg, i);
      gG += vi * acc;
      if (this.groupCovariate !== null) gU += vi * (this.groupCovariate[i] as number) * acc;
    }
    grad[layout.iGroup] = gG;
    if (layout.iGroupSlope >= 0) grad[layout.iGroupSlope] = gU;
  }

  /** The mean entries of the gradient: ∂/∂c = Σ_i α_i, ∂/∂b_j = Σ_i α_i x_ij. */
  private meanGradient(alpha: Float64Array, grad: Float64Array): void {
    const { n, layout, X } = this;
    const d = this.kernel.d;
    let sa = 0;
    for (let i = 0; i < n; i++) sa += alpha[i] as number;
    grad[layout.iMean] = sa;
    for (let j = 1; j < layout.numMean; j++) {
      let g = 0;
      const dj = layout.meanDims[j - 1] as number;
      for (let i = 0; i < n; i++) g += (alpha[i] as number) * (X[i * d + dj] as number);
      grad[layout.iMean + j] = g;
    }
  }
}
