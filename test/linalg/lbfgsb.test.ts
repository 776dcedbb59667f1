import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { MixoptError, NumericsError, ValidationError } from '../../src/core/errors.ts';
import { LBFGSB_MESSAGES, type LbfgsbOptions, lbfgsb } from '../../src/linalg/index.ts';
import { maxAbsDiff } from './lbfgsb-helpers.ts';

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
