/**
 * Best-so-far curves as step functions of cost, and their aggregation.
 *
 * Notation: a trajectory has points `j = 0..P-1` in run order with charged
 * positions `x_j` (not necessarily increasing: a confirmation charge can come
 * and go) and values `v_j`. Its curve is `f(x) = v_{J(x)}` with
 * `J(x) = max { j : x_j <= x }` — the newest state affordable with cost `x`;
 * `f` is undefined before `min_j x_j`. The curve follows the RECOMMENDED
 * mixture, so it need not be monotone.
 */

/** A right-continuous step function: `values[i]` holds on `[xs[i], xs[i+1])`; undefined before `xs[0]`. */
export interface StepFunction {
  readonly xs: readonly number[];
  readonly values: readonly number[];
}

/** The step function of a trajectory's points (see the module comment). */
export function stepFunction(points: readonly { x: number; value: number }[]): StepFunction {
  const order = points
    .map((_, j) => j)
    .sort((a, b) => {
      const d = (points[a] as { x: number }).x - (points[b] as { x: number }).x;
      return d !== 0 ? d : a - b;
    });
  const xs: number[] = [];
  const values: number[] = [];
  let maxJ = -1;
  for (const j of order) {
    if (j <= maxJ) continue;
    maxJ = j;
    const p = points[j] as { x: number; value: number };
    if (xs.length > 0 && xs[xs.length - 1] === p.x) values[values.length - 1] = p.value;
    else {
      xs.push(p.x);
      values.push(p.value);
    }
  }
  return { xs, values };
}

/** `f(x)`, or undefined before the first step. */
export function evalStep(f: StepFunction, x: number): number | undefined {
  const { xs, values } = f;
  let lo = 0;
  let hi = xs.length - 1;
  if (hi < 0 || x < (xs[0] as number)) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((xs[mid] as number) <= x) lo = mid;
    else hi = mid - 1;
  }
  return values[lo];
}

/**
 * The pointwise mean of step functions, exact on the union of their steps;
 * defined only where every function is (from the largest first step on).
 */
export function meanStep(fs: readonly StepFunction[]): StepFunction {
  if (fs.length === 0) return { xs: [], values: [] };
  const start = Math.max(...fs.map((f) => (f.xs.length > 0 ? (f.xs[0] as number) : Infinity)));
  if (!Number.isFinite(start)) return { xs: [], values: [] };
  const all = new Set<number>([start]);
  for (const f of fs) for (const x of f.xs) if (x >= start) all.add(x);
  const xs = [...all].sort((a, b) => a - b);
  const values = xs.map((x) => {
    let s = 0;
    for (const f of fs) s += evalStep(f, x) as number;
    return s / fs.length;
  });
  return { xs, values };
}
