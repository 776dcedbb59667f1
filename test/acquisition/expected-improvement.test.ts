import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { expectedImprovement, logExpectedImprovement } from '../../src/acquisition/index.ts';
import { NumericsError, Rng } from '../../src/core/index.ts';

interface RefCase {
  mu: number;
  sigma: number;
  best: number;
  u: number;
  ei: number;
  eiDMu: number;
  eiDSigma: number;
  logEi: number;
  logEiDMu: number;
  logEiDSigma: number;
}
const ref = JSON.parse(
  readFileSync(new URL('../fixtures/acq_reference.json', import.meta.url), 'utf8'),
) as { cases: RefCase[] };

function rel(got: number, want: number): number {
  if (got === want) return 0;
  return Math.abs(got - want) / Math.max(Math.abs(want), 1e-300);
}

/** Central finite differences of f w.r.t. μ and σ. */
function fd(f: (mu: number, sigma: number) => number, mu: number, sigma: number) {
  const hm = 1e-6 * Math.max(1, Math.abs(mu));
  const hs = 1e-6 * sigma;
  return {
    dMu: (f(mu + hm, sigma) - f(mu - hm, sigma)) / (2 * hm),
    dSigma: (f(mu, sigma + hs) - f(mu, sigma - hs)) / (2 * hs),
  };
}

describe('expectedImprovement', () => {
  it('matches mpmath references (value and derivatives), including u = −30', () => {
    for (const c of ref.cases) {
      const r = expectedImprovement(c.mu, c.sigma, c.best);
      assert.ok(Number.isFinite(r.value) && r.value >= 0, `u=${c.u}: ${r.value}`);
      // Relative accuracy while EI is a normal double; absolute below (subnormal range).
      const tol = Math.abs(c.u) <= 10 ? 1e-13 : 1e-11;
      if (c.ei > 1e-300) assert.ok(rel(r.value, c.ei) < tol, `EI u=${c.u}: ${r.value} vs ${c.ei}`);
      else assert.ok(Math.abs(r.value - c.ei) < 1e-310, `EI u=${c.u}: ${r.value} vs ${c.ei}`);
      if (Math.abs(c.eiDMu) > 1e-300) assert.ok(rel(r.dMu, c.eiDMu) < tol, `dMu u=${c.u}`);
      if (Math.abs(c.eiDSigma) > 1e-300)
        assert.ok(rel(r.dSigma, c.eiDSigma) < tol, `dSigma u=${c.u}`);
    }
    const at30 = ref.cases.find((c) => c.u === -30 && c.sigma === 1);
    assert.ok(at30 !== undefined && at30.ei > 0);
    const v = expectedImprovement(at30.mu, at30.sigma, at30.best).value;
    assert.ok(v > 0 && rel(v, at30.ei) < 1e-12, `EI at u = −30: ${v} vs ${at30.ei}`);
  });

  it('closed forms: EI(μ=best) = σ φ(0); EI → best − μ for u ≫ 0', () => {
    const r = expectedImprovement(2, 3, 2);
    assert.ok(Math.abs(r.value - 3 / Math.sqrt(2 * Math.PI)) < 1e-15);
    assert.ok(Math.abs(r.dMu + 0.5) < 1e-15);
    assert.ok(Math.abs(expectedImprovement(-50, 1, 0).value - 50) < 1e-12);
  });

  it('gradients match central finite differences at random points', () => {
    const rng = new Rng(21);
    for (let t = 0; t < 200; t++) {
      const sigma = Math.exp(rng.uniformIn(-3, 2));
      const best = rng.normal();
      const mu = best - rng.uniformIn(-6, 4) * sigma;
      const r = expectedImprovement(mu, sigma, best);
      const g = fd((m, s) => expectedImprovement(m, s, best).value, mu, sigma);
      // Rounding noise of the differences: ~1e-16 · EI / h, with h = 1e-6 · scale.
      const noise = 1e-9 * (1 + r.value / sigma + r.value / Math.max(1, Math.abs(mu)));
      assert.ok(
        Math.abs(r.dMu - g.dMu) < 1e-6 * Math.abs(g.dMu) + noise,
        `dMu ${r.dMu} vs ${g.dMu}`,
      );
      assert.ok(
        Math.abs(r.dSigma - g.dSigma) < 1e-6 * Math.abs(g.dSigma) + noise,
        `dSigma ${r.dSigma} vs ${g.dSigma}`,
      );
    }
  });

  it('σ = 0 gives max(best − μ, 0); NaN or negative σ throws NumericsError', () => {
    assert.equal(expectedImprovement(1, 0, 3).value, 2);
    assert.equal(expectedImprovement(3, 0, 1).value, 0);
    assert.throws(() => expectedImprovement(Number.NaN, 1, 0), NumericsError);
    assert.throws(() => expectedImprovement(0, -1, 0), /σ = -1/);
  });
});

describe('logExpectedImprovement', () => {
  it('matches mpmath references (value and derivatives) from u = −1000 to 40', () => {
    assert.ok(ref.cases.length >= 50);
    for (const c of ref.cases) {
      const r = logExpectedImprovement(c.mu, c.sigma, c.best);
      assert.ok(Number.isFinite(r.value), `u=${c.u}: ${r.value}`);
      // log EI near zero (EI ≈ 1) is compared absolutely.
      const dv = Math.abs(r.value - c.logEi);
      assert.ok(
        dv < 1e-13 * Math.max(1, Math.abs(c.logEi)),
        `logEI u=${c.u}: ${r.value} vs ${c.logEi}`,
      );
      assert.ok(rel(r.dMu, c.logEiDMu) < 1e-12, `dMu u=${c.u}: ${r.dMu} vs ${c.logEiDMu}`);
      assert.ok(
        rel(r.dSigma, c.logEiDSigma) < 1e-12,
        `dSigma u=${c.u}: ${r.dSigma} vs ${c.logEiDSigma}`,
      );
    }
  });

  it('is finite at u = −30 and u = −1000 with the right magnitude', () => {
    const a = logExpectedImprovement(30, 1, 0);
    assert.ok(Math.abs(a.value - -457.7246537605979) < 1e-10, `${a.value}`);
    const b = logExpectedImprovement(1000, 1, 0);
    assert.ok(Number.isFinite(b.value) && Math.abs(b.value - -500014.7344520911) < 1e-6);
    assert.ok(Number.isFinite(b.dMu) && b.dMu < -999);
  });

  it('equals log(EI) wherever EI is representable', () => {
    const rng = new Rng(4);
    for (let t = 0; t < 300; t++) {
      const sigma = Math.exp(rng.uniformIn(-4, 3));
      const best = rng.normal();
      const mu = best - rng.uniformIn(-30, 10) * sigma;
      const ei = expectedImprovement(mu, sigma, best);
      const le = logExpectedImprovement(mu, sigma, best);
      assert.ok(ei.value > 0);
      assert.ok(
        Math.abs(le.value - Math.log(ei.value)) < 1e-12 * Math.max(1, Math.abs(le.value)),
        `u=${(best - mu) / sigma}: ${le.value} vs ${Math.log(ei.value)}`,
      );
      // d log EI = dEI / EI
      assert.ok(rel(le.dMu, ei.dMu / ei.value) < 1e-10);
      assert.ok(rel(le.dSigma, ei.dSigma / ei.value) < 1e-10);
    }
  });

  it('gradients match central finite differences at random points, deep tail included', () => {
    const rng = new Rng(22);
    for (let t = 0; t < 300; t++) {
      const sigma = Math.exp(rng.uniformIn(-3, 2));
      const best = rng.normal();
      const mu = best - rng.uniformIn(-200, 5) * sigma;
      const r = logExpectedImprovement(mu, sigma, best);
      const g = fd((m, s) => logExpectedImprovement(m, s, best).value, mu, sigma);
      const tol = (x: number) => 2e-5 * Math.max(1, Math.abs(x));
      assert.ok(Math.abs(r.dMu - g.dMu) < tol(g.dMu), `dMu ${r.dMu} vs ${g.dMu}`);
      assert.ok(Math.abs(r.dSigma - g.dSigma) < tol(g.dSigma), `dSigma ${r.dSigma} vs ${g.dSigma}`);
    }
  });

  it('is continuous across its branch points u = −1 and u = −10', () => {
    for (const u of [-1, -10]) {
      const lo = logExpectedImprovement(-u + 1e-9, 1, 0).value;
      const hi = logExpectedImprovement(-u - 1e-9, 1, 0).value;
      const slope = Math.abs(logExpectedImprovement(-u, 1, 0).dMu);
      assert.ok(Math.abs(hi - lo) < 2e-9 * slope + 1e-13, `jump at u=${u}: ${lo} vs ${hi}`);
    }
  });

  it('extreme standardised improvements: no NaN anywhere', () => {
    for (const [mu, sigma, best] of [
      [1, 1e-320, 0], // u = −1e320 overflows to −Infinity
      [0, 1e-320, 1], // u = +Infinity
      [1e200, 1e-120, 0], // u = −1e320
      [1e160, 1, 0], // u = −1e160: u² overflows
      [0, 1, 1e300],
    ] as const) {
      for (const f of [expectedImprovement, logExpectedImprovement]) {
        const r = f(mu, sigma, best);
        for (const v of [r.value, r.dMu, r.dSigma])
          assert.ok(!Number.isNaN(v), `${f.name}(${mu}, ${sigma}, ${best})`);
      }
    }
    assert.equal(expectedImprovement(0, 1e-320, 1).value, 1);
    assert.equal(logExpectedImprovement(0, 1e-320, 1).value, 0);
    // At u = −1e160 the μ-derivative ≈ u/σ is still finite.
    const r = logExpectedImprovement(1e160, 1, 0);
    assert.ok(Math.abs(r.dMu / -1e160 - 1) < 1e-12, `${r.dMu}`);
  });

  it('σ = 0: log(best − μ) when positive, −Infinity when EI is exactly 0', () => {
    assert.equal(logExpectedImprovement(1, 0, 3).value, Math.log(2));
    assert.equal(logExpectedImprovement(3, 0, 1).value, Number.NEGATIVE_INFINITY);
    assert.throws(() => logExpectedImprovement(0, Number.POSITIVE_INFINITY, 0), NumericsError);
  });
});
