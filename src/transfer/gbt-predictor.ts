/**
 * Gradient-boosted trees (src/gbt) as a predictor of the scale-transfer
 * study: RegMix's regression, given the same training points as the MFMS-GP
 * (inputs `x = [w_1..w_k, s, t]`, see ./surrogate.ts), so that the two rank
 * held-out runs side by side.
 *
 * Notation: `n` training rows, `ŷ_i` the ensemble's in-sample predictions.
 * Trees give no predictive distribution; the variance reported for every test
 * row is the in-sample mean squared residual `σ̂² = Σ (y_i − ŷ_i)² / n` (a
 * constant: interval coverage of this predictor means little; its ranks and
 * R² are what it is compared on).
 */
import { fitGbt, type GbtOptions, predictGbt } from '../gbt/index.ts';
import type { SurrogateFactory } from './surrogate.ts';

/** RegMix-like defaults: 100 trees of depth 3, shrinkage 0.1, 80% rows per tree, >= 2 rows per leaf. */
export const DEFAULT_GBT: Required<Omit<GbtOptions, 'seed'>> = {
  nEstimators: 100,
  learningRate: 0.1,
  maxDepth: 3,
  minSamplesLeaf: 2,
  subsample: 0.8,
};

/**
 * The boosted-tree predictor factory: fits on every training row (`condRows`;
 * trees need no cap), seeded by the split seed.
 */
export function gbtPredictor(opts: Omit<GbtOptions, 'seed'> = {}): SurrogateFactory {
  const o = { ...DEFAULT_GBT, ...opts };
  return (train, seed) => {
    const rows = train.condRows;
    const X = new Float64Array(rows.length * train.d);
    rows.forEach((r, i) => {
      X.set(train.X.subarray(r * train.d, (r + 1) * train.d), i * train.d);
    });
    const y = Float64Array.from(rows, (r) => train.y[r] as number);
    const model = fitGbt(X, rows.length, train.d, y, { ...o, seed });
    const fitted = predictGbt(model, X);
    let ss = 0;
    for (let i = 0; i < rows.length; i++) ss += ((y[i] as number) - (fitted[i] as number)) ** 2;
    const s2 = ss / rows.length;
    return {
      predict(Xs: Float64Array) {
        const mean = predictGbt(model, Xs);
        return { mean, variance: new Float64Array(mean.length).fill(s2) };
      },
      info: {
        nFit: rows.length,
        nCond: rows.length,
        activeDims: Array.from({ length: train.d }, (_, j) => j),
        hyperparameters: { gbt: o, residualVariance: s2 },
      },
    };
  };
}
