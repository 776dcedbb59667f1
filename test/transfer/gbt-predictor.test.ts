// The boosted-tree predictor of the transfer study: the ensemble of src/gbt on the training
// rows, a constant variance equal to the in-sample mean squared residual, and a usable fit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitGbt, predictGbt } from '../../src/gbt/index.ts';
import { gbtPredictor, runTransfer } from '../../src/transfer/index.ts';
import { generateRunSet } from '../../src/transfer/run-set.ts';
import { fakeTestbed } from './fake-testbed.ts';

describe('gbtPredictor', () => {
  it('predicts with the ensemble fitted on condRows; variance = in-sample MSE', () => {
    // y = 2 x0 on 6 rows of d = 2; only rows 0..3 are used.
    const X = Float64Array.from([0, 1, 0.2, 1, 0.4, 1, 0.6, 1, 9, 9, 9, 9]);
    const y = Float64Array.from([0, 0.4, 0.8, 1.2, 100, 100]);
    const train = { X, y, n: 6, d: 2, k: 1, condRows: [0, 1, 2, 3], fitRows: [0] };
    const p = gbtPredictor({ nEstimators: 5, subsample: 1, minSamplesLeaf: 1 })(train, 3);
    const ref = fitGbt(X.subarray(0, 8), 4, 2, y.subarray(0, 4), {
      nEstimators: 5,
      learningRate: 0.1,
      maxDepth: 3,
      minSamplesLeaf: 1,
      subsample: 1,
      seed: 3,
    });
    const Xs = Float64Array.from([0.1, 1, 0.5, 1]);
    const out = p.predict(Xs);
    assert.deepEqual([...out.mean], [...predictGbt(ref, Xs)]);
    const fitted = predictGbt(ref, X.subarray(0, 8));
    const mse =
      [0, 1, 2, 3].reduce((s, i) => s + ((y[i] as number) - (fitted[i] as number)) ** 2, 0) / 4;
    assert.ok(Math.abs((out.variance[0] as number) - mse) < 1e-15);
    assert.equal(out.variance[1], out.variance[0]);
    assert.equal(p.info.nCond, 4);
  });
  it('predicts held-out 1B runs from 1B runs on a smooth testbed (R² > 0.8)', () => {
    const tb = fakeTestbed();
    const rs = generateRunSet(tb, {
      seed: 0,
      runsPerScale: { '20M': 0, '60M': 0, '150M': 0, '300M': 0, '500M': 0, '700M': 0, '1B': 40 },
    });
    const res = runTransfer(rs, {
      experiments: ['E1'],
      metrics: ['loss'],
      seeds: [0],
      factory: gbtPredictor(),
    });
    assert.ok((res.cells[0]?.r2 as number) > 0.8, `R² ${res.cells[0]?.r2}`);
  });
});
