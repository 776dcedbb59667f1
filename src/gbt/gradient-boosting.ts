/**
 * Gradient-boosted regression trees with squared loss (Friedman 2001), the
 * regression RegMix fits over mixture weights (there with LightGBM).
 *
 * Notation:
 *   n, d        training rows, features; X n×d row-major; y_i targets
 *   M, ν, D     trees (`nEstimators`), shrinkage (`learningRate`), `maxDepth`
 *   F_m(x)      the ensemble after m trees; F_0 = ȳ (the mean target)
 *   r_i^(m)     y_i − F_{m−1}(x_i), the negative gradient of ½(y − F)²
 *   S_m         the rows tree m is fitted on: all of them, or, with
 *               `subsample` q < 1, ⌊q·n⌋ (at least 1) rows drawn without
 *               replacement from the seeded `Rng` (stochastic boosting)
 *
 *   F_m(x) = F_{m−1}(x) + ν · h_m(x),  h_m = the least-squares tree
 *            (./regression-tree.ts) fitted to r^(m) on S_m
 *
 * With `subsample` 1 this is scikit-learn's `GradientBoostingRegressor`
 * (`loss='squared_error'`, `max_features=None`) and XGBoost's exact greedy
 * trees with `reg_lambda=0`, `min_child_weight=0`, `base_score=ȳ`; both are
 * the peers of `test/gbt/`.
 *
 * Reference: J. H. Friedman, "Greedy function approximation: a gradient
 * boosting machine", Annals of Statistics 29 (2001), Algorithm 2 (LS_Boost);
 * "Stochastic gradient boosting", CSDA 38 (2002).
 */
import { Rng, ValidationError } from '../core/index.ts';
import { fitRegressionTree, predictTree, type RegressionTree } from './regression-tree.ts';

/** Hyper-parameters of {@link fitGbt}. */
export interface GbtOptions {
  /** Trees M (default 100). */
  readonly nEstimators?: number;
  /** Shrinkage ν in (0, 1] (default 0.1). */
  readonly learningRate?: number;
  /** Depth D of each tree (default 3). */
  readonly maxDepth?: number;
  /** Rows at least in each leaf (default 1). */
  readonly minSamplesLeaf?: number;
  /** Share q in (0, 1] of the rows each tree sees (default 1: no subsampling). */
  readonly subsample?: number;
  /** Seed of the subsampling (default 0; unused when `subsample` is 1). */
  readonly seed?: number;
}

/** A fitted ensemble (JSON). */
export interface GbtModel {
  /** Number of features d. */
  readonly d: number;
  /** F_0 = ȳ. */
  readonly init: number;
  readonly learningRate: number;
  readonly trees: readonly RegressionTree[];
}

function positiveInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) {
    throw new ValidationError(`gbt ${name} must be an integer >= ${min}, got ${String(v)}`, {
      [name]: v,
    });
  }
  return v;
}

function unitInterval(name: string, v: number): number {
  if (!(v > 0 && v <= 1)) {
    throw new ValidationError(`gbt ${name} must be in (0, 1], got ${String(v)}`, { [name]: v });
  }
  return v;
}

/**
 * Fits the ensemble (see the module comment) to `n` rows of `X` (n×d
 * row-major) and targets `y`.
 * @throws ValidationError for mismatched shapes, no rows, a non-finite value
 *   or a bad hyper-parameter (naming it).
 */
export function fitGbt(
  X: Float64Array,
  n: number,
  d: number,
  y: ArrayLike<number>,
  opts: GbtOptions = {},
): GbtModel {
  const M = positiveInt('nEstimators', opts.nEstimators ?? 100, 1);
  const lr = unitInterval('learningRate', opts.learningRate ?? 0.1);
  const maxDepth = positiveInt('maxDepth', opts.maxDepth ?? 3, 1);
  const minSamplesLeaf = positiveInt('minSamplesLeaf', opts.minSamplesLeaf ?? 1, 1);
  const q = unitInterval('subsample', opts.subsample ?? 1);
  positiveInt('rows', n, 1);
  positiveInt('features', d, 1);
  if (X.length !== n * d || y.length !== n) {
    throw new ValidationError(
      `gbt needs X of n·d = ${n * d} values and y of n = ${n}; got ${X.length} and ${y.length}`,
    );
  }
  for (let i = 0; i < X.length; i++) {
    if (!Number.isFinite(X[i])) {
      throw new ValidationError(
        `gbt input X[${Math.floor(i / d)}][${i % d}] is ${String(X[i])}; drop or fix that row`,
      );
    }
  }
  let init = 0;
  for (let i = 0; i < n; i++) {
    const v = y[i] as number;
    if (!Number.isFinite(v)) {
      throw new ValidationError(`gbt target y[${i}] is ${String(v)}; drop or fix that row`);
    }
    init += v;
  }
  init /= n;
  const F = new Float64Array(n).fill(init);
  const r = new Float64Array(n);
  const all = Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(opts.seed ?? 0).fork('gbt');
  const m = Math.max(1, Math.floor(q * n));
  const trees: RegressionTree[] = [];
  for (let t = 0; t < M; t++) {
    for (let i = 0; i < n; i++) r[i] = (y[i] as number) - (F[i] as number);
    const rows = q < 1 ? sampleRows(rng.fork(t), n, m) : all;
    const tree = fitRegressionTree(X, d, r, rows, { maxDepth, minSamplesLeaf });
    trees.push(tree);
    for (let i = 0; i < n; i++) F[i] = (F[i] as number) + lr * predictTree(tree, X, i * d);
  }
  return { d, init, learningRate: lr, trees };
}

/** `m` distinct rows of `0..n-1` drawn without replacement (partial Fisher–Yates), ascending. */
function sampleRows(rng: Rng, n: number, m: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i] as number;
    idx[i] = idx[j] as number;
    idx[j] = t;
  }
  return idx.slice(0, m).sort((a, b) => a - b);
}

/**
 * `F_M(x)` for every row of `Xs` (rows × d row-major).
 * @throws ValidationError when `Xs` is not a whole number of rows of d features.
 */
export function predictGbt(model: GbtModel, Xs: ArrayLike<number>): Float64Array {
  const { d } = model;
  if (Xs.length % d !== 0) {
    throw new ValidationError(
      `gbt prediction needs rows of ${d} features; got ${Xs.length} values`,
    );
  }
  const rows = Xs.length / d;
  const out = new Float64Array(rows).fill(model.init);
  for (const tree of model.trees) {
    for (let i = 0; i < rows; i++) {
      out[i] = (out[i] as number) + model.learningRate * predictTree(tree, Xs, i * d);
    }
  }
  return out;
}
