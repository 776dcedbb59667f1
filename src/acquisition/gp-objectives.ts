/**
 * Objectives over the mixture `w` at a fixed fidelity, built from a fitted GP,
 * for {@link maximizeOverSimplex}.
 *
 * Notation:
 * - `x(w) = [w, s, t]` the GP input with the fidelity coordinates `(s, t)` held fixed.
 * - `mu(x)`, `v(x) = sigma(x)^2` the posterior mean and variance of the latent f
 *   (minimisation convention), with gradients `dmu/dx`, `dv/dx` from the GP;
 *   only the first k components (the `w` part) are used.
 * - `products` (optional): encoded columns that are products of mixture weights and a factor of
 *   the fidelity, `x_col = factor w_a` or `factor w_a w_b` (e.g. a prior mean's mixture x size
 *   or quadratic terms); they are set from `w`, and `dmu/dw` gains `dx_col/dw * dmu/dx_col`
 *   (likewise `dv/dw`).
 * - `best` the incumbent value (minimisation convention).
 * - `logEI(w) = log E[max(best - f(x(w)), 0)]`; its gradient by
 *   `chainToInputs(dlogEI/dmu, dlogEI/dsigma, dmu/dw, dv/dw, sigma)`.
 */

import type { GaussianProcess } from '../gp/index.ts';
import { chainToInputs } from './chain-rule.ts';
import { logExpectedImprovement } from './expected-improvement.ts';
import type { SimplexObjective } from './simplex-search.ts';

/** Variance floor (original units squared) below which sigma is clamped, so the chain rule stays defined. */
const VAR_FLOOR = 1e-18;

/**
 * An encoded column that is a product of mixture weights and a factor of the fidelity:
 * `x_col = factor * w[dim]`, or `factor * w[dim] * w[dim2]` with `dim2`.
 */
export interface MixtureProduct {
  readonly col: number;
  readonly dim: number;
  readonly dim2?: number;
  readonly factor: number;
}

/** The value of a product column at the mixture `w`. */
export function productValue(p: MixtureProduct, w: ArrayLike<number>): number {
  const v = (w[p.dim] as number) * p.factor;
  return p.dim2 === undefined ? v : v * (w[p.dim2] as number);
}

function inputAt(
  template: readonly number[],
  w: ArrayLike<number>,
  k: number,
  products: readonly MixtureProduct[],
): Float64Array {
  const x = Float64Array.from(template);
  for (let i = 0; i < k; i++) x[i] = w[i] as number;
  for (const p of products) x[p.col] = productValue(p, w);
  return x;
}

/** The gradient in `w` (first k entries) of a gradient in `x`, through `products`. */
function pullBack(
  gx: ArrayLike<number>,
  w: ArrayLike<number>,
  k: number,
  products: readonly MixtureProduct[],
  grad: Float64Array,
  sign: 1 | -1,
): void {
  for (let i = 0; i < k; i++) grad[i] = sign * (gx[i] as number);
  for (const p of products) {
    const g = sign * p.factor * (gx[p.col] as number);
    if (p.dim2 === undefined) {
      grad[p.dim] = grad[p.dim]! + g;
    } else {
      grad[p.dim] = grad[p.dim]! + g * (w[p.dim2] as number);
      grad[p.dim2] = grad[p.dim2]! + g * (w[p.dim] as number);
    }
  }
}

/**
 * `w -> logEI(mu(x(w)), sigma(x(w)), best)` with its gradient in `w`.
 * `template` supplies the fidelity coordinates (its first k entries are ignored).
 */
export function logEiObjective(
  gp: GaussianProcess,
  template: readonly number[],
  k: number,
  best: number,
  products: readonly MixtureProduct[] = [],
): SimplexObjective {
  return (w, grad) => {
    const p = gp.predictWithGradient(inputAt(template, w, k, products));
    const v = Math.max(p.variance, VAR_FLOOR);
    const sigma = Math.sqrt(v);
    const a = logExpectedImprovement(p.mean, sigma, best);
    if (!Number.isFinite(a.value)) return a.value;
    const dv = p.variance > VAR_FLOOR ? p.dVariance : new Float64Array(p.dVariance.length);
    const g = chainToInputs(a.dMu, a.dSigma, p.dMean, dv, sigma);
    pullBack(g, w, k, products, grad, 1);
    return a.value;
  };
}

/** `w -> -mu(x(w))`: maximising it minimises the posterior mean at the fidelity of `template`. */
export function negativeMeanObjective(
  gp: GaussianProcess,
  template: readonly number[],
  k: number,
  products: readonly MixtureProduct[] = [],
): SimplexObjective {
  return (w, grad) => {
    const p = gp.predictWithGradient(inputAt(template, w, k, products));
    pullBack(p.dMean, w, k, products, grad, -1);
    return -p.mean;
  };
}
