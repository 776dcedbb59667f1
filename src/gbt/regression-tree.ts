/**
 * A depth-limited least-squares regression tree (CART), the weak learner of
 * the gradient-boosted ensemble (./gradient-boosting.ts).
 *
 * Notation:
 *   n, d      rows, features; X n×d row-major; r_i the targets (residuals)
 *   S ⊆ 1..n  the rows of a node; n_S = |S|; ȳ_S = Σ_{i∈S} r_i / n_S
 *   SSE(S)    Σ_{i∈S} (r_i − ȳ_S)²
 *
 * Split rule (the same as scikit-learn's `DecisionTreeRegressor` with the
 * squared-error or Friedman-MSE criterion, which pick the same split within a
 * node): for every feature j and every cut between two consecutive distinct
 * sorted values (distinct = more than 1e-7 apart), split S into
 * L = {x_j <= θ}, R = {x_j > θ} with θ the midpoint of the two values, and
 * keep the split maximising the SSE reduction
 *   SSE(S) − SSE(L) − SSE(R) = (Σ_L r)²/n_L + (Σ_R r)²/n_R − (Σ_S r)²/n_S.
 * Ties go to the lower feature, then the lower cut. A node is a leaf at
 * `maxDepth`, with fewer than `2 · minSamplesLeaf` rows, when its variance
 * is at most machine epsilon, or when no feature varies; a leaf predicts ȳ_S.
 *
 * Reference: Breiman, Friedman, Olshen & Stone (1984), *Classification and
 * Regression Trees*, ch. 8.
 */

/** Values within this distance count as equal when cutting (scikit-learn's `FEATURE_THRESHOLD`). */
export const FEATURE_THRESHOLD = 1e-7;

/**
 * A fitted tree as flat arrays (JSON): node `i` is a leaf when
 * `feature[i] === -1` (its prediction is `value[i]`); otherwise rows with
 * `x[feature[i]] <= threshold[i]` go to `left[i]`, the others to `right[i]`.
 * Node 0 is the root.
 */
export interface RegressionTree {
  readonly feature: readonly number[];
  readonly threshold: readonly number[];
  readonly left: readonly number[];
  readonly right: readonly number[];
  readonly value: readonly number[];
}

/** Settings of {@link fitRegressionTree} (validated by the caller). */
export interface TreeOptions {
  /** Depth of the deepest split (the root is depth 0; a tree of depth D has up to 2^D leaves). */
  readonly maxDepth: number;
  /** Rows at least in each leaf (>= 1). */
  readonly minSamplesLeaf: number;
}

/**
 * Fits a tree to targets `r` on the given `rows` of `X` (n×d row-major).
 * The caller guarantees finite values and at least one row.
 */
export function fitRegressionTree(
  X: Float64Array,
  d: number,
  r: ArrayLike<number>,
  rows: readonly number[],
  opts: TreeOptions,
): RegressionTree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const minLeaf = opts.minSamplesLeaf;

  const grow = (S: number[], depth: number): number => {
    const id = feature.length;
    const nS = S.length;
    let sum = 0;
    for (const i of S) sum += r[i] as number;
    const mean = sum / nS;
    let sse = 0;
    for (const i of S) sse += ((r[i] as number) - mean) ** 2;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    value.push(mean);
    if (depth >= opts.maxDepth || nS < 2 * minLeaf || sse / nS <= Number.EPSILON) return id;

    let bestGain = Number.NEGATIVE_INFINITY;
    let bestFeature = -1;
    let bestThreshold = 0;
    const base = (sum * sum) / nS;
    const order = S.slice();
    for (let j = 0; j < d; j++) {
      order.sort((a, b) => (X[a * d + j] as number) - (X[b * d + j] as number));
      const lo = X[(order[0] as number) * d + j] as number;
      const hi = X[(order[nS - 1] as number) * d + j] as number;
      if (hi <= lo + FEATURE_THRESHOLD) continue;
      let sumL = 0;
      for (let p = 1; p < nS; p++) {
        sumL += r[order[p - 1] as number] as number;
        if (p < minLeaf || nS - p < minLeaf) continue;
        const xPrev = X[(order[p - 1] as number) * d + j] as number;
        const xNext = X[(order[p] as number) * d + j] as number;
        if (xNext <= xPrev + FEATURE_THRESHOLD) continue;
        const sumR = sum - sumL;
        const gain = (sumL * sumL) / p + (sumR * sumR) / (nS - p) - base;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = j;
          let t = xPrev / 2 + xNext / 2;
          if (t === xNext || !Number.isFinite(t)) t = xPrev;
          bestThreshold = t;
        }
      }
    }
    if (bestFeature < 0) return id;
    const L: number[] = [];
    const R: number[] = [];
    for (const i of S) {
      if ((X[i * d + bestFeature] as number) <= bestThreshold) L.push(i);
      else R.push(i);
    }
    feature[id] = bestFeature;
    threshold[id] = bestThreshold;
    left[id] = grow(L, depth + 1);
    right[id] = grow(R, depth + 1);
    return id;
  };

  grow([...rows], 0);
  return { feature, threshold, left, right, value };
}

/** The tree's prediction for the row starting at `X[offset]`. */
export function predictTree(tree: RegressionTree, X: ArrayLike<number>, offset = 0): number {
  let node = 0;
  for (;;) {
    const f = tree.feature[node] as number;
    if (f < 0) return tree.value[node] as number;
    node =
      (X[offset + f] as number) <= (tree.threshold[node] as number)
        ? (tree.left[node] as number)
        : (tree.right[node] as number);
  }
}
