import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { History, RunRecord } from '../../../src/core/index.ts';
import { conditionGP, type GPHyperparameters } from '../../../src/gp/index.ts';
import { hopelessRuns, probabilityBetter } from '../../../src/optimizers/mfms/early-stop.ts';

// A GP with one observation, zero mean, no standardisation, RBF over 5 inputs (3 mixture
// weights, size, steps): k(a, b) = s exp(-|a - b|^2 / (2 l^2)); with x0, y0 and noise v,
// mu(a) = k(a, x0) y0 / (s + v), C(a, b) = k(a, b) - k(a, x0) k(x0, b) / (s + v).
const d = 5;
const s = 2;
const l = 0.5;
const v = 0.1;
const x0 = [0.6, 0.3, 0.1, 1, 1];
const y0 = -1.5;
const hyper: GPHyperparameters = {
  lengthscales: [{ kind: 'rbf', dims: [0, 1, 2, 3, 4], values: [l] }],
  outputScale: s,
  noise: v,
  mean: [],
  standardization: { mean: 0, std: 1 },
};
const gp = conditionGP(
  Float64Array.from(x0),
  [y0],
  d,
  {
    kernel: { kind: 'rbf', dims: [0, 1, 2, 3, 4] },
    mean: 'zero',
    noise: { kind: 'fixed', variance: v },
    standardize: false,
  },
  hyper,
);
const k = (a: readonly number[], b: readonly number[]) =>
  s * Math.exp(-a.reduce((acc, ai, j) => acc + (ai - b[j]!) ** 2, 0) / (2 * l * l));
const mu = (a: readonly number[]) => (k(a, x0) * y0) / (s + v);
const C = (a: readonly number[], b: readonly number[]) => k(a, b) - (k(a, x0) * k(x0, b)) / (s + v);
/** Phi by its Taylor series (exact to double precision for |z| < 6). */
function normCdf(z: number): number {
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= (z * z) / (2 * n + 1);
    sum += term;
  }
  return 0.5 + (sum * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
}
const xStar = (w: ArrayLike<number>) => [...Array.from(w), 1, 1];

describe('mfms early stop', () => {
  const wRec = [0.6, 0.3, 0.1];

  it('P(a run beats the recommendation at the target) matches the closed-form joint posterior', () => {
    for (const w of [
      [0.1, 0.2, 0.7],
      [0.5, 0.3, 0.2],
      [0.9, 0.05, 0.05],
    ]) {
      const a = xStar(w);
      const b = xStar(wRec);
      const want = normCdf((mu(b) - mu(a)) / Math.sqrt(C(a, a) + C(b, b) - 2 * C(a, b)));
      const got = probabilityBetter(gp, xStar, w, wRec);
      assert.ok(Math.abs(got - want) < 1e-9, `${w}: ${got} vs ${want}`);
    }
  });

  it('stops running runs with >= 2 points below the threshold, never the recommendation nor finished runs', () => {
    const far = [0.05, 0.05, 0.9];
    const pFar = probabilityBetter(gp, xStar, far, wRec);
    assert.ok(pFar > 0 && pFar < 0.5, `P ${pFar}`);
    const pt = (step: number) => ({ step, value: 3 });
    const run = (
      id: string,
      mixture: number[],
      state: RunRecord['state'],
      n: number,
    ): RunRecord => ({
      id,
      mixture,
      scale: 'L',
      steps: 1000,
      curve: Array.from({ length: n }, (_, i) => pt(100 * (i + 1))),
      state,
      cost: 1,
    });
    const h: History = {
      runs: [
        run('a', far, 'running', 2),
        run('b', far, 'running', 1),
        run('c', far, 'completed', 5),
        run('d', wRec, 'running', 4),
        run('e', far, 'running', 3),
      ],
      spent: 0,
    };
    assert.deepEqual(hopelessRuns(h, gp, xStar, wRec, pFar * 1.01), ['a', 'e']);
    assert.deepEqual(hopelessRuns(h, gp, xStar, wRec, pFar * 0.99), []);
    assert.deepEqual(hopelessRuns(h, gp, xStar, wRec, 0), []);
  });
});
