import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainToInputs, logExpectedImprovement } from '../../src/acquisition/index.ts';
import { NumericsError, Rng, ValidationError } from '../../src/core/index.ts';

/** A toy posterior over x ∈ R²: μ(x) = sin x₀ + x₁², v(x) = 0.2 + x₀² + 0.5 x₁² (σ = √v). */
function posterior(x: readonly number[]) {
  const [a, b] = x as [number, number];
  return {
    mu: Math.sin(a) + b * b,
    v: 0.2 + a * a + 0.5 * b * b,
    dMean: [Math.cos(a), 2 * b],
    dVar: [2 * a, b],
  };
}

describe('chainToInputs', () => {
  it('∇a = ∂a/∂μ ∇μ + ∂a/∂σ ∇v/(2σ)', () => {
    assert.deepEqual(Array.from(chainToInputs(-0.5, 0.4, [1, 0], [0, 2], 0.5)), [-0.5, 0.8]);
  });

  it('log EI through a posterior: matches finite differences in x', () => {
    const rng = new Rng(3);
    const best = -0.3;
    const f = (x: number[]) => {
      const p = posterior(x);
      return logExpectedImprovement(p.mu, Math.sqrt(p.v), best).value;
    };
    for (let t = 0; t < 30; t++) {
      const x = [rng.uniformIn(-2, 2), rng.uniformIn(-2, 2)];
      const p = posterior(x);
      const sigma = Math.sqrt(p.v);
      const a = logExpectedImprovement(p.mu, sigma, best);
      const g = chainToInputs(a.dMu, a.dSigma, p.dMean, p.dVar, sigma);
      for (let i = 0; i < 2; i++) {
        const h = 1e-6;
        const xp = x.slice();
        const xm = x.slice();
        xp[i] = (xp[i] as number) + h;
        xm[i] = (xm[i] as number) - h;
        const num = (f(xp) - f(xm)) / (2 * h);
        assert.ok(
          Math.abs((g[i] as number) - num) < 1e-6 * Math.max(1, Math.abs(num)),
          `x=${x} i=${i}: ${g[i]} vs ${num}`,
        );
      }
    }
  });

  it('rejects mismatched lengths and σ = 0 with a σ-derivative', () => {
    assert.throws(() => chainToInputs(1, 1, [1, 2], [1], 1), ValidationError);
    assert.throws(() => chainToInputs(1, 1, [1], [1], 0), NumericsError);
    assert.deepEqual(Array.from(chainToInputs(2, 0, [1, 3], [5, 5], 0)), [2, 6]);
  });
});
