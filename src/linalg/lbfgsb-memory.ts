/**
 * The compact limited-memory BFGS matrix used by {@link lbfgsb}.
 *
 * Notation (k = number of stored pairs, k ≤ m; pairs ordered oldest first):
 *   n            number of variables
 *   sᵢ, yᵢ       stored corrections: sᵢ = x₊ − x, yᵢ = ∇f(x₊) − ∇f(x)   (n each)
 *   S, Y         n×k matrices with columns sᵢ, yᵢ
 *   θ            scaling of the initial matrix B₀ = θ I; θ = yᵀy / sᵀy of the newest pair
 *   D            k×k diagonal, Dᵢᵢ = sᵢᵀyᵢ  (> 0: pairs with sᵀy ≤ ε yᵀy are never stored)
 *   L            k×k strictly lower triangular, Lᵢⱼ = sᵢᵀyⱼ for i > j
 *   W            n×2k, W = [Y, θS]; wᵢ (2k) is its i-th row
 *   M            2k×2k, M = [[−D, Lᵀ], [L, θSᵀS]]⁻¹
 *   B            the quasi-Newton Hessian approximation B = θI − W M Wᵀ   (never formed)
 *   T            k×k, T = θSᵀS + L D⁻¹ Lᵀ (symmetric positive definite), T = J Jᵀ (Cholesky)
 *   Z            n×t selection of the t "free" variables; A selects the others
 *   B̂            reduced Hessian ZᵀBZ (t×t, never formed)
 *   K            2k×2k, K = M⁻¹ − (1/θ) WᵀZZᵀW
 *                 = [[−(D + YᵀZZᵀY/θ), Qᵀ], [Q, θ SᵀAAᵀS]],  Q = L − SᵀZZᵀY
 *
 * Products with M use the block elimination of M⁻¹ through T (as `bmv` of
 * L-BFGS-B does); the free-subspace Newton step uses the Sherman–Morrison–
 * Woodbury identity B̂⁻¹ = (1/θ)I + (1/θ²) ZᵀW K⁻¹ WᵀZ, solving with K through
 * the Cholesky factors of P = D + YᵀZZᵀY/θ and of its Schur complement
 * C = θSᵀAAᵀS + Q P⁻¹ Qᵀ (both positive definite in exact arithmetic).
 *
 * References: R. H. Byrd, J. Nocedal, R. B. Schnabel, "Representations of
 * quasi-Newton matrices and their use in limited memory methods", Math.
 * Programming 63:129–156, 1994 (compact form, eq. 3.5); R. H. Byrd, P. Lu,
 * J. Nocedal, C. Zhu, "A limited memory algorithm for bound constrained
 * optimization", SIAM J. Sci. Comput. 16(5):1190–1208, 1995, §§3–5.
 */

/** In-place lower Cholesky of the k×k row-major block `a` (stride `ld`); false if not PD. */
function choleskyInPlace(a: Float64Array, k: number, ld: number): boolean {
  for (let j = 0; j < k; j++) {
    let djj = a[j * ld + j]!;
    for (let p = 0; p < j; p++) djj -= a[j * ld + p]! ** 2;
    if (!(djj > 0) || !Number.isFinite(djj)) return false;
    const ljj = Math.sqrt(djj);
    a[j * ld + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let v = a[i * ld + j]!;
      for (let p = 0; p < j; p++) v -= a[i * ld + p]! * a[j * ld + p]!;
      a[i * ld + j] = v / ljj;
    }
  }
  return true;
}

/** Solves (L Lᵀ) x = b in place in `b` for a lower Cholesky factor L (k×k, stride ld). */
function choleskySolve(l: Float64Array, k: number, ld: number, b: Float64Array, off = 0): void {
  for (let i = 0; i < k; i++) {
    let v = b[off + i]!;
    for (let p = 0; p < i; p++) v -= l[i * ld + p]! * b[off + p]!;
    b[off + i] = v / l[i * ld + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let v = b[off + i]!;
    for (let p = i + 1; p < k; p++) v -= l[p * ld + i]! * b[off + p]!;
    b[off + i] = v / l[i * ld + i]!;
  }
}

/** The limited-memory matrix B = θI − W M Wᵀ with at most `m` correction pairs. */
export class LbfgsMemory {
  readonly n: number;
  readonly m: number;
  /** k: the number of stored pairs. */
  col = 0;
  /** θ: scaling of B₀ = θI. */
  theta = 1;
  /** sᵢ, oldest first (length `col`). */
  readonly s: Float64Array[] = [];
  /** yᵢ, oldest first (length `col`). */
  readonly y: Float64Array[] = [];
  /** SᵀS, m×m row-major (symmetric, valid in the leading k×k block). */
  private readonly ss: Float64Array;
  /** SᵀY, m×m row-major; only the lower triangle with diagonal (L and D) is kept. */
  private readonly sy: Float64Array;
  /** J, the lower Cholesky factor of T (m×m). */
  private readonly jt: Float64Array;
  private readonly spare: Float64Array[] = [];
  // Work arrays for the subspace solve (sized for k = m).
  private readonly kp: Float64Array;
  private readonly kq: Float64Array;
  private readonly kc: Float64Array;
  private readonly kx: Float64Array;
  private readonly v2: Float64Array;

  constructor(n: number, m: number) {
    this.n = n;
    this.m = m;
    this.ss = new Float64Array(m * m);
    this.sy = new Float64Array(m * m);
    this.jt = new Float64Array(m * m);
    this.kp = new Float64Array(m * m);
    this.kq = new Float64Array(m * m);
    this.kc = new Float64Array(m * m);
    this.kx = new Float64Array(m * m);
    this.v2 = new Float64Array(2 * m);
  }

  /** Forgets every pair (B = I), as L-BFGS-B does when it "refreshes the memory". */
  reset(): void {
    while (this.s.length > 0) {
      this.spare.push(this.s.pop()!, this.y.pop()!);
    }
    this.col = 0;
    this.theta = 1;
  }

  /**
   * Appends the pair (s, y) with sᵀy = `sty` > 0 and yᵀy = `yty`, dropping the
   * oldest when k = m; sets θ = yᵀy / sᵀy and refactors T. Returns false when T
   * is numerically not positive definite (the caller should then {@link reset}).
   */
  push(s: Float64Array, y: Float64Array, sty: number, yty: number): boolean {
    const { m, n } = this;
    if (this.col === m) {
      this.spare.push(this.s.shift()!, this.y.shift()!);
      for (let i = 1; i < m; i++) {
        for (let j = 1; j < m; j++) {
          this.ss[(i - 1) * m + j - 1] = this.ss[i * m + j]!;
          this.sy[(i - 1) * m + j - 1] = this.sy[i * m + j]!;
        }
      }
      this.col = m - 1;
    }
    const sNew = this.spare.pop() ?? new Float64Array(n);
    const yNew = this.spare.pop() ?? new Float64Array(n);
    sNew.set(s);
    yNew.set(y);
    const k = this.col;
    for (let j = 0; j < k; j++) {
      const sj = this.s[j]!;
      const yj = this.y[j]!;
      let sss = 0;
      let sny = 0;
      for (let i = 0; i < n; i++) {
        sss += sj[i]! * sNew[i]!;
        sny += sNew[i]! * yj[i]!;
      }
      this.ss[j * m + k] = sss;
      this.ss[k * m + j] = sss;
      this.sy[k * m + j] = sny;
    }
    let snn = 0;
    for (let i = 0; i < n; i++) snn += sNew[i]! ** 2;
    this.ss[k * m + k] = snn;
    this.sy[k * m + k] = sty;
    this.s.push(sNew);
    this.y.push(yNew);
    this.col = k + 1;
    this.theta = yty / sty;
    return this.formT();
  }

  /** T = θSᵀS + L D⁻¹ Lᵀ and its Cholesky factor J. */
  private formT(): boolean {
    const { m, col: k, theta } = this;
    const t = this.jt;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j <= i; j++) {
        let v = theta * this.ss[i * m + j]!;
        // (L D⁻¹ Lᵀ)ᵢⱼ = Σ_{p < j} Lᵢₚ Lⱼₚ / Dₚₚ  (j ≤ i)
        for (let p = 0; p < j; p++) {
          v += (this.sy[i * m + p]! * this.sy[j * m + p]!) / this.sy[p * m + p]!;
        }
        t[i * m + j] = v;
        t[j * m + i] = v;
      }
    }
    return choleskyInPlace(t, k, m);
  }

  /** Writes wᵢ = [Y(i, :), θ S(i, :)] (2k values) into `out`. */
  row(i: number, out: Float64Array): void {
    const k = this.col;
    for (let j = 0; j < k; j++) {
      out[j] = this.y[j]![i]!;
      out[k + j] = this.theta * this.s[j]![i]!;
    }
  }

  /**
   * out = M v (2k vectors; `out` may not alias `v`). With v = [v₁; v₂]:
   * b = T⁻¹(v₂ + L D⁻¹ v₁), a = D⁻¹(Lᵀ b − v₁), M v = [a; b].
   */
  applyM(v: Float64Array, out: Float64Array): void {
    const { m, col: k } = this;
    for (let i = 0; i < k; i++) {
      let r = v[k + i]!;
      for (let j = 0; j < i; j++) r += (this.sy[i * m + j]! * v[j]!) / this.sy[j * m + j]!;
      out[k + i] = r;
    }
    choleskySolve(this.jt, k, m, out, k);
    for (let i = 0; i < k; i++) {
      let r = -v[i]!;
      for (let j = i + 1; j < k; j++) r += this.sy[j * m + i]! * out[k + j]!;
      out[i] = r / this.sy[i * m + i]!;
    }
  }

  /**
   * The free-subspace Newton step d = −B̂⁻¹ r over the free variables
   * `free[0..t)` (r and d have length t; `isFree` marks them among all n):
   * d = −r/θ − (1/θ²) ZᵀW K⁻¹ WᵀZ r. Returns false when K's factorisation
   * fails numerically (the caller should then reset the memory).
   */
  subspaceStep(
    free: Int32Array,
    t: number,
    isFree: Uint8Array,
    r: Float64Array,
    d: Float64Array,
  ): boolean {
    const { m, n, col: k, theta } = this;
    const P = this.kp;
    const Q = this.kq;
    const C = this.kc;
    const X = this.kx;
    // P = D + YᵀZZᵀY/θ ;  Q = L − SᵀZZᵀY ;  C starts as θ SᵀAAᵀS.
    for (let i = 0; i < k; i++) {
      const yi = this.y[i]!;
      const si = this.s[i]!;
      for (let j = 0; j < k; j++) {
        const yj = this.y[j]!;
        let syz = 0;
        for (let q = 0; q < t; q++) {
          const f = free[q]!;
          syz += si[f]! * yj[f]!;
        }
        Q[i * m + j] = (i > j ? this.sy[i * m + j]! : 0) - syz;
        if (j <= i) {
          let yyz = 0;
          for (let q = 0; q < t; q++) {
            const f = free[q]!;
            yyz += yi[f]! * yj[f]!;
          }
          const pv = yyz / theta + (i === j ? this.sy[i * m + i]! : 0);
          P[i * m + j] = pv;
          P[j * m + i] = pv;
          const sj = this.s[j]!;
          let ssa = 0;
          if (t < n) {
            for (let f = 0; f < n; f++) if (isFree[f] === 0) ssa += si[f]! * sj[f]!;
          }
          C[i * m + j] = theta * ssa;
          C[j * m + i] = theta * ssa;
        }
      }
    }
    if (!choleskyInPlace(P, k, m)) return false;
    // X = Lp⁻¹ Qᵀ (column j of X solves Lp x = row j of Q), then C += XᵀX.
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < k; i++) {
        let v = Q[j * m + i]!;
        for (let p = 0; p < i; p++) v -= P[i * m + p]! * X[p * m + j]!;
        X[i * m + j] = v / P[i * m + i]!;
      }
    }
    for (let i = 0; i < k; i++) {
      for (let j = 0; j <= i; j++) {
        let v = 0;
        for (let p = 0; p < k; p++) v += X[p * m + i]! * X[p * m + j]!;
        C[i * m + j] = C[i * m + j]! + v;
        if (j < i) C[j * m + i] = C[i * m + j]!;
      }
    }
    if (!choleskyInPlace(C, k, m)) return false;

    // u = WᵀZ r = [Yᵀ r; θ Sᵀ r] restricted to the free rows.
    const u = this.v2;
    for (let j = 0; j < k; j++) {
      const yj = this.y[j]!;
      const sj = this.s[j]!;
      let a = 0;
      let b = 0;
      for (let q = 0; q < t; q++) {
        const f = free[q]!;
        a += yj[f]! * r[q]!;
        b += sj[f]! * r[q]!;
      }
      u[j] = a;
      u[k + j] = theta * b;
    }
    // Solve K [a; b] = [u₁; u₂]:  b = C⁻¹(u₂ + Q P⁻¹ u₁),  a = P⁻¹(Qᵀ b − u₁).
    const pu = X; // reuse X's first row as scratch for P⁻¹u₁ (k values)
    for (let i = 0; i < k; i++) pu[i] = u[i]!;
    choleskySolve(P, k, m, pu);
    for (let i = 0; i < k; i++) {
      let v = u[k + i]!;
      for (let j = 0; j < k; j++) v += Q[i * m + j]! * pu[j]!;
      u[k + i] = v;
    }
    choleskySolve(C, k, m, u, k);
    for (let i = 0; i < k; i++) {
      let v = -u[i]!;
      for (let j = 0; j < k; j++) v += Q[j * m + i]! * u[k + j]!;
      u[i] = v;
    }
    choleskySolve(P, k, m, u, 0);
    // d = −r/θ − (1/θ²) Zᵀ(Y a + θ S b)
    const it2 = 1 / (theta * theta);
    for (let q = 0; q < t; q++) {
      const f = free[q]!;
      let wv = 0;
      for (let j = 0; j < k; j++) wv += this.y[j]![f]! * u[j]! + theta * this.s[j]![f]! * u[k + j]!;
      d[q] = -r[q]! / theta - it2 * wv;
    }
    for (let q = 0; q < t; q++) {
      if (!Number.isFinite(d[q]!)) return false;
    }
    return true;
  }
}
