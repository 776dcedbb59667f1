// The held-out calibration of mfms-bo's confidence: z-scores of held-out runs at the largest
// sizes, checked against conditioning on the other runs independently, and its selection rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type History, Rng, type RunRecord } from '../../src/core/index.ts';
import { conditionGP, type GPHyperparameters, type GPOptions } from '../../src/gp/index.ts';
import { observationsFromHistory } from '../../src/optimizers/index.ts';
import { heldOutCalibration } from '../../src/optimizers/mfms-calibration.ts';
import { makeRun, synthSpace } from './helpers.ts';

const space = synthSpace();
const k = 3;
const enc = { scaleEncoding: 'log' as const, stepEncoding: 'log' as const };

/** Runs at S, M and L with one shared offset of sd `offset` per curve (every 10th point kept). */
function history(offset: number, nL: number): History {
  const rng = new Rng(2);
  const runs: RunRecord[] = [];
  const scales = [...new Array<string>(6).fill('S'), ...new Array<string>(4).fill('M')];
  for (let i = 0; i < nL; i++) scales.push('L');
  scales.forEach((scale, i) => {
    const w = rng.dirichlet([1, 1, 1]);
    const run = makeRun(space, `r${i}`, w, scale, 4000);
    const off = offset * rng.normal();
    runs.push({
      ...run,
      curve: run.curve
        .filter((_, j) => j % 10 === 9)
        .map((p) => ({ step: p.step, value: p.value + off })),
    });
  });
  return { runs, spent: 0 };
}

const gpOptions: GPOptions = {
  kernel: {
    kind: 'product',
    terms: [
      { kind: 'matern52', dims: [0, 1, 2] },
      { kind: 'rbf', dims: [3, 4] },
    ],
  },
  mean: { kind: 'linear', dims: [3, 4] },
};
const hyper: GPHyperparameters = {
  lengthscales: [
    { kind: 'matern52', dims: [0, 1, 2], values: [0.8] },
    { kind: 'rbf', dims: [3, 4], values: [1.5] },
  ],
  outputScale: 1,
  noise: 1e-4,
  mean: [0, -0.5, -0.5],
};

describe('held-out calibration of mfms-bo', () => {
  it('equals the shrunk mean of z^2 of the largest runs, each predicted from the others', () => {
    const h = history(0.3, 5);
    const obs = observationsFromHistory(space, h, enc);
    assert.equal(obs.d, k + 2);
    const gp = conditionGP(obs.X, obs.y, obs.d, gpOptions, hyper);
    const { factor, z } = heldOutCalibration(gp, obs, space);
    // Independently: drop the run, condition on the rest, predict its last point (+ noise).
    const zRef: number[] = [];
    for (const id of ['r10', 'r11', 'r12', 'r13', 'r14']) {
      const keep = obs.points.map((p, i) => (p.runId === id ? -1 : i)).filter((i) => i >= 0);
      const last = obs.points.map((p) => p.runId).lastIndexOf(id);
      const X = new Float64Array(keep.length * obs.d);
      keep.forEach((i, q) => {
        X.set(obs.X.subarray(i * obs.d, (i + 1) * obs.d), q * obs.d);
      });
      const rest = conditionGP(
        X,
        keep.map((i) => obs.y[i]!),
        obs.d,
        gpOptions,
        gp.hyperparameters,
      );
      const p = rest.predict(obs.X.slice(last * obs.d, (last + 1) * obs.d), { includeNoise: true });
      zRef.push((obs.y[last]! - p.mean[0]!) / Math.sqrt(p.variance[0]!));
    }
    assert.equal(z.length, 5);
    z.forEach((v, i) => {
      assert.ok(Math.abs(v - zRef[i]!) < 1e-6 * Math.max(1, Math.abs(v)), `z ${v} vs ${zRef[i]}`);
    });
    const want = Math.max(1, (zRef.reduce((a, x) => a + x * x, 0) + 3) / (5 + 3));
    assert.ok(Math.abs(factor - want) < 1e-6 * want, `${factor} vs ${want}`);
    // Offsets of sd 0.3 against a model that assumes noise 1e-4: far from calibrated.
    assert.ok(factor > 10, `factor ${factor}`);
  });

  it('is 1 for a model whose errors are as small as it claims, and without enough large runs', () => {
    const h = history(0, 5);
    const obs = observationsFromHistory(space, h, enc);
    // Noise-free smooth data and a generous prior: held-out errors within the claimed sd.
    const loose = { ...hyper, outputScale: 25 };
    const gp = conditionGP(obs.X, obs.y, obs.d, gpOptions, loose);
    assert.equal(heldOutCalibration(gp, obs, space).factor, 1);
    // Two L runs: the M runs join the held-out set (at least 3 runs).
    const two = observationsFromHistory(space, history(0.3, 2), enc);
    const gp2 = conditionGP(two.X, two.y, two.d, gpOptions, hyper);
    assert.equal(heldOutCalibration(gp2, two, space).z.length, 6);
    assert.equal(heldOutCalibration(gp2, two, space, { minRuns: 20 }).factor, 1);
  });
});
