import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MixoptError, NumericsError, ValidationError } from '../../src/core/errors.ts';
import { LBFGSB_MESSAGES, type LbfgsbOptions, lbfgsb } from '../../src/linalg/index.ts';
// Internals, tested directly (not part of the public door).
import { CauchyWork, cauchyPoint } from '../../src/linalg/lbfgsb-cauchy.ts';
import { MoreThuenteSearch } from '../../src/linalg/lbfgsb-line-search.ts';
import { LbfgsMemory } from '../../src/linalg/lbfgsb-memory.ts';

type Fg = (x: Float64Array, g: Float64Array) => number;

interface Problem {
  name: string;
  kind: 'rosenbrock' | 'quadratic' | 'diag_quadratic' | 'gp_nll';
  data: { A?: number[]; b?: number[]; h?: number[]; c?: number[]; x?: number[]; y?: number[] };
  x0: number[];
  lower: (number | null)[] | null;
  upper: (number | null)[] | null;
  options: { m: number; pgtol: number; factr: number };
  /** Long ill-conditioned run: only the end point's quality is comparable (see the generator). */
  trajectory_sensitive: boolean;
  scipy: {
    x: number[];
    f: number;
    grad: number[];
    nit: number;
    nfev: number;
    warnflag: number;
    message: string;
  };
}

const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/lbfgsb.json', import.meta.url), 'utf8'),
) as { scipy: string; problems: Problem[] };

/** Rosenbrock: Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)², as in the generator. */
const rosen: Fg = (x, g) => {
  const n = x.length;
  let f = 0;
  g.fill(0);
  for (let i = 0; i < n - 1; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    f += 100 * a * a + b * b;
    g[i] = g[i]! - 400 * x[i]! * a - 2 * b;
    g[i + 1] = g[i + 1]! + 200 * a;
  }
  return f;
};

/**
 * Negative log marginal likelihood of a 1-D RBF GP in p = (log ℓ, log σf, log σn), as in the
 * generator: ½ yᵀK⁻¹y + ½ log|K| + (n/2) log 2π, K = σf² exp(−d²/(2ℓ²)) + σn² I, with
 * ∂/∂pⱼ = −½ tr((ααᵀ − K⁻¹) ∂K/∂pⱼ). Plain loops (dense inverse through Cholesky).
 */
function gpNll(xs: number[], ys: number[]): Fg {
  const n = xs.length;
  return (p, g) => {
    const ell = Math.exp(p[0]!);
    const sf2 = Math.exp(2 * p[1]!);
    const sn2 = Math.exp(2 * p[2]!);
    const d2 = new Float64Array(n * n);
    const kf = new Float64Array(n * n);
    const L = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        d2[i * n + j] = (xs[i]! - xs[j]!) ** 2;
        kf[i * n + j] = sf2 * Math.exp((-0.5 * d2[i * n + j]!) / (ell * ell));
        L[i * n + j] = kf[i * n + j]! + (i === j ? sn2 : 0);
      }
    }
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < j; k++) L[j * n + j] = L[j * n + j]! - L[j * n + k]! ** 2;
      L[j * n + j] = Math.sqrt(L[j * n + j]!);
      for (let i = j + 1; i < n; i++) {
        for (let k = 0; k < j; k++) L[i * n + j] = L[i * n + j]! - L[i * n + k]! * L[j * n + k]!;
        L[i * n + j] = L[i * n + j]! / L[j * n + j]!;
      }
    }
    // Kinv column by column: solve L Lᵀ v = e_c.
    const Kinv = new Float64Array(n * n);
    const v = new Float64Array(n);
    const solve = (b: ArrayLike<number>, out: Float64Array) => {
      for (let i = 0; i < n; i++) {
        let t = b[i]!;
        for (let k = 0; k < i; k++) t -= L[i * n + k]! * out[k]!;
        out[i] = t / L[i * n + i]!;
      }
      for (let i = n - 1; i >= 0; i--) {
        let t = out[i]!;
        for (let k = i + 1; k < n; k++) t -= L[k * n + i]! * out[k]!;
        out[i] = t / L[i * n + i]!;
      }
    };
    for (let c = 0; c < n; c++) {
      const e = new Float64Array(n);
      e[c] = 1;
      solve(e, v);
      for (let i = 0; i < n; i++) Kinv[i * n + c] = v[i]!;
    }
    const alpha = new Float64Array(n);
    solve(ys, alpha);
    let f = 0.5 * n * Math.log(2 * Math.PI);
    for (let i = 0; i < n; i++) f += 0.5 * ys[i]! * alpha[i]! + Math.log(L[i * n + i]!);
    g.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const a = alpha[i]! * alpha[j]! - Kinv[i * n + j]!;
        g[0] = g[0]! - 0.5 * a * ((kf[i * n + j]! * d2[i * n + j]!) / (ell * ell));
        g[1] = g[1]! - 0.5 * a * 2 * kf[i * n + j]!;
        if (i === j) g[2] = g[2]! - 0.5 * a * 2 * sn2;
      }
    }
    return f;
  };
}

function objective(p: Problem): Fg {
  if (p.kind === 'rosenbrock') return rosen;
  if (p.kind === 'gp_nll') return gpNll(p.data.x!, p.data.y!);
  if (p.kind === 'quadratic') {
    const A = p.data.A!;
    const b = p.data.b!;
    const n = b.length;
    // ½ xᵀAx − bᵀx
    return (x, g) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        let ax = 0;
        for (let j = 0; j < n; j++) ax += A[i * n + j]! * x[j]!;
        g[i] = ax - b[i]!;
        f += 0.5 * x[i]! * ax - b[i]! * x[i]!;
      }
      return f;
    };
  }
  const h = p.data.h!;
  const c = p.data.c!;
  // ½ Σ hᵢ (xᵢ − cᵢ)²
  return (x, g) => {
    let f = 0;
    for (let i = 0; i < x.length; i++) {
      const r = x[i]! - c[i]!;
      g[i] = h[i]! * r;
      f += 0.5 * h[i]! * r * r;
    }
    return f;
  };
}

function optionsOf(p: Problem): LbfgsbOptions {
  const bound = (b: (number | null)[] | null, fill: number) =>
    b === null ? undefined : b.map((v) => (v === null ? fill : v));
  return {
    lower: bound(p.lower, -Infinity),
    upper: bound(p.upper, Infinity),
    m: p.options.m,
    pgtol: p.options.pgtol,
    factr: p.options.factr,
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** ‖P(x − g) − x‖∞ computed independently of the implementation. */
function projGrad(x: ArrayLike<number>, g: ArrayLike<number>, o: LbfgsbOptions): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const lo = o.lower?.[i] ?? -Infinity;
    const hi = o.upper?.[i] ?? Infinity;
    const moved = Math.min(hi, Math.max(lo, x[i]! - g[i]!));
    m = Math.max(m, Math.abs(moved - x[i]!));
  }
  return m;
}

describe('lbfgsb against scipy fmin_l_bfgs_b', () => {
  for (const p of fixture.problems) {
    it(`${p.name}: same x*, f* as scipy ${fixture.scipy}, comparable iterations`, (t) => {
      const opts = optionsOf(p);
      const calls: Float64Array[] = [];
      const fg = objective(p);
      const res = lbfgsb(
        (x, g) => {
          calls.push(Float64Array.from(x));
          return fg(x, g);
        },
        p.x0,
        opts,
      );
      const s = p.scipy;
      t.diagnostic(
        `${p.name}: ours nit=${res.iterations} nfev=${res.evaluations} f=${res.f} | scipy nit=${s.nit} nfev=${s.nfev} f=${s.f} | max|dx|=${maxAbsDiff(res.x, s.x).toExponential(2)}`,
      );
      assert.equal(s.warnflag, 0, 'the fixture run converged');
      assert.ok(res.converged, `converged (${res.message})`);
      if (p.trajectory_sensitive) {
        // Same stopping test, and an end point at least as good as scipy's
        // (f* = 0 here): f ≤ f_scipy, so |xᵢ − cᵢ| ≤ √(2 f_scipy / hᵢ).
        assert.equal(res.message, s.message);
        assert.ok(res.f <= s.f, `f = ${res.f} vs scipy ${s.f}`);
      } else {
        assert.ok(
          Math.abs(res.f - s.f) <= 1e-8 * Math.max(1, Math.abs(s.f)),
          `f = ${res.f} vs scipy ${s.f}`,
        );
        assert.ok(
          maxAbsDiff(res.x, s.x) <= 1e-5,
          `x differs from scipy by ${maxAbsDiff(res.x, s.x)}`,
        );
      }
      assert.ok(res.iterations <= 2 * s.nit + 5, `iterations ${res.iterations} vs scipy ${s.nit}`);
      assert.ok(res.evaluations <= 2 * s.nfev + 5, `evaluations ${res.evaluations} vs ${s.nfev}`);
      assert.equal(res.evaluations, calls.length);
      // The returned gradient is ∇f at the returned x.
      const g = new Float64Array(res.x.length);
      assert.equal(fg(Float64Array.from(res.x), g), res.f);
      assert.deepEqual(res.grad, g);
      // Every evaluated point lies inside the box.
      for (const x of calls) {
        for (let i = 0; i < x.length; i++) {
          assert.ok(
            x[i]! >= (opts.lower?.[i] ?? -Infinity) && x[i]! <= (opts.upper?.[i] ?? Infinity),
          );
        }
      }
      if (res.message === LBFGSB_MESSAGES.pgtol) {
        assert.ok(projGrad(res.x, res.grad, opts) <= p.options.pgtol);
      }
    });
  }

  it('rosen10_box: the optimum sits on the bound x_0 = 0.5 with an outward gradient', () => {
    const p = fixture.problems.find((q) => q.name === 'rosen10_box')!;
    const res = lbfgsb(rosen, p.x0, optionsOf(p));
    assert.equal(res.x[0], 0.5);
    assert.ok(res.grad[0]! < -1, 'gradient pushes against the upper bound');
  });

  it('quad_box: KKT conditions hold at the solution, with several bounds active', () => {
    const p = fixture.problems.find((q) => q.name === 'quad_box')!;
    const res = lbfgsb(objective(p), p.x0, { ...optionsOf(p), pgtol: 1e-10, factr: 0 });
    let active = 0;
    for (let i = 0; i < res.x.length; i++) {
      const xi = res.x[i]!;
      const gi = res.grad[i]!;
      if (xi === 0) {
        active++;
        assert.ok(gi >= -1e-9, `at lower bound, g[${i}] = ${gi} must be ≥ 0`);
      } else if (xi === 1) {
        active++;
        assert.ok(gi <= 1e-9, `at upper bound, g[${i}] = ${gi} must be ≤ 0`);
      } else {
        assert.ok(Math.abs(gi) <= 1e-9, `free coordinate ${i}: g = ${gi}`);
      }
    }
    assert.ok(active >= 3, `${active} active bounds`);
    assert.ok(Math.abs(res.f - p.scipy.f) <= 1e-8 * Math.abs(p.scipy.f));
  });

  it('mixed_bounds: the fixed coordinate (l = u) never moves and one-sided bounds hold', () => {
    const p = fixture.problems.find((q) => q.name === 'mixed_bounds')!;
    const res = lbfgsb(rosen, p.x0, optionsOf(p));
    assert.equal(res.x[5], 1.3);
    assert.ok(res.x[0]! <= 0.8 && res.x[1]! >= 0.9 && res.x[4]! >= 1.1);
  });
});

describe('lbfgsb robustness', () => {
  // f(x) = Σ xᵢ² − 2 log xᵢ: minimum at xᵢ = 1, NaN for xᵢ < 0 (Math.log of a negative).
  const logBarrier: Fg = (x, g) => {
    let f = 0;
    for (let i = 0; i < x.length; i++) {
      f += x[i]! * x[i]! - 2 * Math.log(x[i]!);
      g[i] = 2 * x[i]! - 2 / x[i]!;
    }
    return f;
  };

  it('converges when fg returns NaN in part of the domain (trial points there are shrunk)', () => {
    let nanCalls = 0;
    const res = lbfgsb(
      (x, g) => {
        const f = logBarrier(x, g);
        if (Number.isNaN(f)) nanCalls++;
        return f;
      },
      [6, 0.05, 3, 9, 0.2],
    );
    assert.ok(nanCalls > 0, 'the test must actually visit the NaN region');
    assert.ok(res.converged, res.message);
    assert.ok(Number.isFinite(res.f));
    assert.ok(maxAbsDiff(res.x, [1, 1, 1, 1, 1]) <= 1e-5, `x = ${Array.from(res.x)}`);
    assert.ok(Math.abs(res.f - 5) <= 1e-9);
  });

  it('treats +Infinity and a non-finite gradient alone as failed points too', () => {
    let bad = 0;
    // Rosenbrock, but f = +∞ when x₀ > 1.05 and a NaN gradient when x₁ > 1.2.
    const res = lbfgsb(
      (x, g) => {
        const f = rosen(x, g);
        if (x[0]! > 1.05) {
          bad++;
          return Infinity;
        }
        if (x[1]! > 1.2) {
          bad++;
          g[1] = Number.NaN;
        }
        return f;
      },
      [-1.2, 1],
    );
    assert.ok(bad > 0, 'the test must visit the bad region');
    assert.ok(res.converged, res.message);
    assert.ok(maxAbsDiff(res.x, [1, 1]) <= 1e-4, `x = ${Array.from(res.x)}`);
    assert.ok(res.grad.every(Number.isFinite));
  });

  it('throws NumericsError when f or the gradient is not finite at x0', () => {
    assert.throws(
      () => lbfgsb(logBarrier, [1, -1]),
      (e: unknown) =>
        e instanceof NumericsError && e.code === 'E_NUMERICS' && /starting point/.test(e.message),
    );
    assert.throws(
      () =>
        lbfgsb(
          (_x, g) => {
            g[0] = Number.POSITIVE_INFINITY;
            return 0;
          },
          [0],
        ),
      NumericsError,
    );
  });

  it('rejects bad inputs with ValidationError naming the value', () => {
    const cases: [ArrayLike<number>, LbfgsbOptions, RegExp][] = [
      [[0, 0], { lower: [0, 2], upper: [1, 1] }, /lower\[1\] = 2 exceeds upper\[1\] = 1/],
      [[0, 0], { lower: [0] }, /options\.lower has length 1 but x0 has length 2/],
      [[0, 0], { upper: [1, Number.NaN] }, /upper\[1\] = NaN/],
      [[0, 0], { lower: [Infinity, 0] }, /lower\[0\] = Infinity/],
      [[0, Number.NaN], {}, /x0\[1\] = NaN is not finite/],
      [[0, Infinity], {}, /x0\[1\] = Infinity/],
      [[0], { m: 0 }, /options\.m = 0/],
      [[0], { maxEval: 0.5 }, /options\.maxEval = 0\.5/],
      [[0], { pgtol: -1 }, /options\.pgtol = -1/],
      [[0], { factr: Number.NaN }, /options\.factr = NaN/],
    ];
    assert.throws(
      () => lbfgsb(rosen, undefined as unknown as number[]),
      (e: unknown) => e instanceof ValidationError && /x0 must be an array/.test(e.message),
    );
    for (const [x0, opts, re] of cases) {
      assert.throws(
        () => lbfgsb(rosen, x0, opts),
        (e: unknown) =>
          e instanceof ValidationError && e.code === 'E_INVALID_INPUT' && re.test(e.message),
        `${JSON.stringify(opts)} / ${String(x0)}`,
      );
    }
  });

  it('projects an x0 outside the box before the first evaluation', () => {
    const first: number[][] = [];
    const res = lbfgsb(
      (x, g) => {
        if (first.length === 0) first.push(Array.from(x));
        return rosen(x, g);
      },
      [-5, 7],
      { lower: [-2, -2], upper: [0.5, 2] },
    );
    assert.deepEqual(first[0], [-2, 2]);
    assert.ok(res.converged);
    assert.equal(res.x[0], 0.5);
  });

  it('is deterministic: the same input gives bit-identical output', () => {
    const p = fixture.problems.find((q) => q.name === 'mixed_bounds')!;
    const a = lbfgsb(rosen, p.x0, optionsOf(p));
    const b = lbfgsb(rosen, p.x0, optionsOf(p));
    assert.deepEqual(a, b);
    for (let i = 0; i < a.x.length; i++) assert.ok(Object.is(a.x[i], b.x[i]));
    assert.ok(Object.is(a.f, b.f));
  });

  it('stops at maxIter and maxEval without exceeding them', () => {
    const x0 = [-1.2, 1, -1.2, 1];
    const f0 = rosen(Float64Array.from(x0), new Float64Array(4));
    const a = lbfgsb(rosen, x0, { maxIter: 5 });
    assert.equal(a.iterations, 5);
    assert.equal(a.converged, false);
    assert.equal(a.message, LBFGSB_MESSAGES.maxIter);
    assert.ok(a.f < f0);
    for (const maxEval of [1, 2, 7, 13]) {
      let calls = 0;
      const b = lbfgsb(
        (x, g) => {
          calls++;
          return rosen(x, g);
        },
        x0,
        { maxEval },
      );
      assert.ok(calls <= maxEval, `${calls} calls with maxEval ${maxEval}`);
      assert.equal(b.evaluations, calls);
      assert.equal(b.message, LBFGSB_MESSAGES.maxEval);
      assert.equal(b.converged, false);
      assert.ok(b.f <= f0 && Number.isFinite(b.f));
      // The reported f and gradient belong to the reported x.
      const g = new Float64Array(4);
      assert.equal(rosen(Float64Array.from(b.x), g), b.f);
      assert.deepEqual(b.grad, g);
    }
    const zero = lbfgsb(rosen, x0, { maxIter: 0 });
    assert.equal(zero.evaluations, 1);
    assert.deepEqual(Array.from(zero.x), x0);
  });

  it('returns at once when x0 already satisfies the projected-gradient test', () => {
    const res = lbfgsb(rosen, [1, 1, 1]);
    assert.equal(res.iterations, 0);
    assert.equal(res.evaluations, 1);
    assert.equal(res.message, LBFGSB_MESSAGES.pgtol);
    // At a bound with the gradient pointing outward, the projected gradient is 0.
    const lin = lbfgsb(
      (x, g) => {
        g[0] = 1;
        g[1] = -2;
        return x[0]! - 2 * x[1]!;
      },
      [0, 3],
      { lower: [0, 0], upper: [1, 3] },
    );
    assert.equal(lin.iterations, 0);
    assert.ok(lin.converged);
  });

  it('solves a linear objective on a box (the Cauchy point is the optimal corner)', () => {
    const res = lbfgsb(
      (x, g) => {
        g[0] = 1;
        g[1] = -2;
        g[2] = 0.5;
        return x[0]! - 2 * x[1]! + 0.5 * x[2]!;
      },
      [0.3, 0.4, 0.5],
      { lower: [-1, -1, -1], upper: [1, 1, 1] },
    );
    assert.deepEqual(Array.from(res.x), [-1, 1, -1]);
    assert.equal(res.f, -3.5);
    assert.ok(res.converged);
  });

  it('ends with ABNORMAL_TERMINATION_IN_LNSRCH (not NaN) when the gradient is wrong', () => {
    // f = Σ xᵢ² but the reported gradient has the wrong sign: no step decreases f.
    const x0 = [0.7, -0.4, 1.5];
    const res = lbfgsb((x, g) => {
      let f = 0;
      for (let i = 0; i < x.length; i++) {
        f += x[i]! * x[i]!;
        g[i] = -2 * x[i]!;
      }
      return f;
    }, x0);
    assert.equal(res.message, LBFGSB_MESSAGES.abnormal);
    assert.equal(res.converged, false);
    assert.deepEqual(Array.from(res.x), x0);
    assert.equal(res.f, 0.49 + 0.16 + 2.25);
    assert.ok(res.evaluations <= 22);
  });

  it('an empty problem returns the single evaluation', () => {
    const res = lbfgsb(() => 4, []);
    assert.equal(res.f, 4);
    assert.equal(res.evaluations, 1);
    assert.ok(res.converged);
  });

  it('errors are MixoptErrors (stable codes for callers)', () => {
    try {
      lbfgsb(rosen, [0], { lower: [1], upper: [0] });
      assert.fail('expected a throw');
    } catch (e) {
      assert.ok(e instanceof MixoptError);
    }
  });
});

// ---------------------------------------------------------------------------
// The building blocks, against independent computations.

/** A small deterministic generator (tests only): xorshift-style LCG in [−1, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

/** Dense BFGS recursion B ← B − BssᵀB/(sᵀBs) + yyᵀ/(yᵀs) from B₀ = θI (independent reference). */
function denseBfgs(n: number, theta: number, pairs: [Float64Array, Float64Array][]): Float64Array {
  const B = new Float64Array(n * n);
  for (let i = 0; i < n; i++) B[i * n + i] = theta;
  for (const [s, y] of pairs) {
    const bs = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) bs[i] = bs[i]! + B[i * n + j]! * s[j]!;
    let sbs = 0;
    let ys = 0;
    for (let i = 0; i < n; i++) {
      sbs += s[i]! * bs[i]!;
      ys += y[i]! * s[i]!;
    }
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        B[i * n + j] = B[i * n + j]! - (bs[i]! * bs[j]!) / sbs + (y[i]! * y[j]!) / ys;
      }
    }
  }
  return B;
}

/** B from the compact representation: column i = θ eᵢ − W M wᵢ. */
function compactB(mem: LbfgsMemory): Float64Array {
  const n = mem.n;
  const k2 = 2 * mem.col;
  const B = new Float64Array(n * n);
  const wi = new Float64Array(k2);
  const mw = new Float64Array(k2);
  const wj = new Float64Array(k2);
  for (let i = 0; i < n; i++) {
    mem.row(i, wi);
    mem.applyM(wi, mw);
    for (let j = 0; j < n; j++) {
      mem.row(j, wj);
      let v = 0;
      for (let p = 0; p < k2; p++) v += wj[p]! * mw[p]!;
      B[j * n + i] = (i === j ? mem.theta : 0) - v;
    }
  }
  return B;
}

/** Fills a memory with `count` pairs y = A s from an SPD A; returns the pairs. */
function fillMemory(mem: LbfgsMemory, count: number, rnd: () => number) {
  const n = mem.n;
  const G = Array.from({ length: n * n }, rnd);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let v = i === j ? 0.5 : 0;
      for (let p = 0; p < n; p++) v += G[i * n + p]! * G[j * n + p]!;
      A[i * n + j] = v;
    }
  }
  const pairs: [Float64Array, Float64Array][] = [];
  for (let t = 0; t < count; t++) {
    const s = Float64Array.from({ length: n }, rnd);
    const y = new Float64Array(n);
    let sty = 0;
    let yty = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) y[i] = y[i]! + A[i * n + j]! * s[j]!;
    }
    for (let i = 0; i < n; i++) {
      sty += s[i]! * y[i]!;
      yty += y[i]! * y[i]!;
    }
    assert.ok(mem.push(s, y, sty, yty));
    pairs.push([s, y]);
  }
  return pairs;
}

describe('lbfgsb building blocks', () => {
  it('compact matrix θI − WMWᵀ equals the dense BFGS recursion (incl. after the memory wraps)', () => {
    const n = 7;
    for (const [m, count] of [
      [5, 3],
      [4, 9],
    ] as const) {
      const mem = new LbfgsMemory(n, m);
      const pairs = fillMemory(mem, count, lcg(11 + count));
      const kept = pairs.slice(-m);
      const [sLast, yLast] = kept[kept.length - 1]!;
      let sty = 0;
      let yty = 0;
      for (let i = 0; i < n; i++) {
        sty += sLast[i]! * yLast[i]!;
        yty += yLast[i]! ** 2;
      }
      assert.equal(mem.col, Math.min(m, count));
      assert.equal(mem.theta, yty / sty);
      const ref = denseBfgs(n, mem.theta, kept);
      const B = compactB(mem);
      const scale = Math.max(...Array.from(ref, Math.abs));
      assert.ok(maxAbsDiff(B, ref) <= 1e-10 * scale, `max diff ${maxAbsDiff(B, ref)}`);
      // Secant condition on the newest pair: B s = y.
      const bs = new Float64Array(n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) bs[i] = bs[i]! + B[i * n + j]! * sLast[j]!;
      assert.ok(maxAbsDiff(bs, yLast) <= 1e-9 * scale);
    }
  });

  it('subspace step solves the reduced Newton system ZᵀBZ d = −r', () => {
    const n = 9;
    const mem = new LbfgsMemory(n, 4);
    fillMemory(mem, 6, lcg(5));
    const B = compactB(mem);
    const freeIdx = [0, 2, 3, 6, 8];
    const free = Int32Array.from(freeIdx);
    const isFree = new Uint8Array(n);
    for (const i of freeIdx) isFree[i] = 1;
    const rnd = lcg(99);
    const r = Float64Array.from({ length: freeIdx.length }, rnd);
    const d = new Float64Array(freeIdx.length);
    assert.ok(mem.subspaceStep(free, freeIdx.length, isFree, r, d));
    for (let a = 0; a < freeIdx.length; a++) {
      let v = 0;
      for (let b = 0; b < freeIdx.length; b++) v += B[freeIdx[a]! * n + freeIdx[b]!]! * d[b]!;
      assert.ok(
        Math.abs(v + r[a]!) <= 1e-10 * (1 + Math.abs(r[a]!)),
        `row ${a}: ${v} vs ${-r[a]!}`,
      );
    }
  });

  it('Cauchy point is the first local minimiser of the model along the projected path', () => {
    const n = 8;
    const mem = new LbfgsMemory(n, 5);
    fillMemory(mem, 5, lcg(3));
    const B = compactB(mem);
    const rnd = lcg(42);
    const lower = Float64Array.from({ length: n }, (_, i) => (i === 7 ? -Infinity : -0.3));
    const upper = Float64Array.from({ length: n }, (_, i) => (i === 6 ? Infinity : 0.4));
    const x = Float64Array.from({ length: n }, () => 0.3 * rnd());
    x[1] = -0.3; // at its lower bound
    const g = Float64Array.from({ length: n }, () => 3 * rnd());
    g[1] = 2; // pointing out of the box: stays fixed
    const model = (xt: Float64Array) => {
      let q = 0;
      for (let i = 0; i < n; i++) {
        const di = xt[i]! - x[i]!;
        q += g[i]! * di;
        for (let j = 0; j < n; j++) q += 0.5 * di * B[i * n + j]! * (xt[j]! - x[j]!);
      }
      return q;
    };
    const path = (t: number) =>
      Float64Array.from(x, (xi, i) => Math.min(upper[i]!, Math.max(lower[i]!, xi - t * g[i]!)));
    const state = new Int8Array(n).fill(0);
    state[6] = 0;
    state[7] = 0;
    const xcp = new Float64Array(n);
    const c = new Float64Array(2 * mem.m);
    cauchyPoint(x, g, lower, upper, mem, state, xcp, c, new CauchyWork(n, mem.m));
    // xᶜ lies on the path: recover t* from the unbounded coordinate 7.
    const tStar = (x[7]! - xcp[7]!) / g[7]!;
    assert.ok(tStar > 0);
    assert.ok(maxAbsDiff(xcp, path(tStar)) <= 1e-12, 'on the projected path');
    assert.equal(xcp[1], -0.3);
    let crossed = 0;
    for (let i = 0; i < n; i++)
      if (i !== 1 && (xcp[i] === lower[i] || xcp[i] === upper[i])) crossed++;
    assert.ok(crossed >= 1, 'the path crosses at least one breakpoint before t*');
    const qStar = model(xcp);
    for (let s = 0; s <= 400; s++) {
      const t = (tStar * s) / 400;
      assert.ok(model(path(t)) >= qStar - 1e-12, `q(${t}) below q(t*)`);
    }
    assert.ok(model(path(tStar * 1.001)) >= qStar - 1e-12, 'local minimiser: q rises after t*');
    // c = Wᵀ(xᶜ − x)
    const w = new Float64Array(2 * mem.col);
    const cRef = new Float64Array(2 * mem.col);
    for (let i = 0; i < n; i++) {
      mem.row(i, w);
      for (let p = 0; p < w.length; p++) cRef[p] = cRef[p]! + w[p]! * (xcp[i]! - x[i]!);
    }
    assert.ok(maxAbsDiff(c.subarray(0, cRef.length), cRef) <= 1e-12);
  });

  it("Moré–Thuente search ends at a strong-Wolfe step on the paper's test functions", () => {
    // Moré & Thuente (1994) §6, functions 1–3, with μ = 0.001, η = 0.1 as in their tables.
    const fns: [string, (a: number) => [number, number]][] = [
      ['−α/(α²+2)', (a) => [-a / (a * a + 2), (a * a - 2) / (a * a + 2) ** 2]],
      [
        '(α+0.004)⁵ − 2(α+0.004)⁴',
        (a) => [
          (a + 0.004) ** 5 - 2 * (a + 0.004) ** 4,
          5 * (a + 0.004) ** 4 - 8 * (a + 0.004) ** 3,
        ],
      ],
      [
        'φ₀(α) + 2(1−β)/(39π) sin(39πα/2), β = 0.01',
        (a) => {
          const beta = 0.01;
          const l = 39;
          const phi0 =
            a <= 1 - beta ? 1 - a : a >= 1 + beta ? a - 1 : (a - 1) ** 2 / (2 * beta) + beta / 2;
          const dphi0 = a <= 1 - beta ? -1 : a >= 1 + beta ? 1 : (a - 1) / beta;
          const amp = (2 * (1 - beta)) / (l * Math.PI);
          return [
            phi0 + amp * Math.sin((l * Math.PI * a) / 2),
            dphi0 + amp * ((l * Math.PI) / 2) * Math.cos((l * Math.PI * a) / 2),
          ];
        },
      ],
    ];
    for (const [name, phi] of fns) {
      for (const a0 of [1e-3, 1e-1, 10, 1000]) {
        const ls = new MoreThuenteSearch(0.001, 0.1, 1e-10);
        const [f0, g0] = phi(0);
        ls.start(f0, g0, a0, 0, 1e10);
        let status = 'evaluate';
        let evals = 0;
        let fa = 0;
        let ga = 0;
        while (status === 'evaluate' && evals < 100) {
          [fa, ga] = phi(ls.stp);
          evals++;
          status = ls.update(fa, ga);
        }
        assert.equal(status, 'converged', `${name}, α₀ = ${a0}: ${ls.message}`);
        assert.ok(fa <= f0 + 0.001 * ls.stp * g0, `${name}: sufficient decrease`);
        assert.ok(Math.abs(ga) <= 0.1 * Math.abs(g0), `${name}: curvature`);
        assert.ok(evals <= 20, `${name}, α₀ = ${a0}: ${evals} evaluations`);
      }
    }
  });
});
