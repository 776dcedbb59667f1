// A GP with one observation, for closed-form checks: zero mean, no standardisation, RBF over
// all d inputs, k(a, b) = s exp(-|a - b|^2 / (2 l^2)); with x0, y0 and noise v,
// mu(a) = k(a, x0) y0 / (s + v), C(a, b) = k(a, b) - k(a, x0) k(x0, b) / (s + v).
import {
  conditionGP,
  type GaussianProcess,
  type GPHyperparameters,
} from '../../../src/gp/index.ts';

export interface OnePointGp {
  readonly gp: GaussianProcess;
  readonly hyper: GPHyperparameters;
  readonly mu: (a: readonly number[]) => number;
  readonly C: (a: readonly number[], b: readonly number[]) => number;
}

export function onePointGp(o: {
  s: number;
  l: number;
  v: number;
  x0: readonly number[];
  y0: number;
}): OnePointGp {
  const { s, l, v, x0, y0 } = o;
  const dims = x0.map((_, j) => j);
  const hyper: GPHyperparameters = {
    lengthscales: [{ kind: 'rbf', dims, values: [l] }],
    outputScale: s,
    noise: v,
    mean: [],
    standardization: { mean: 0, std: 1 },
  };
  const gp = conditionGP(
    Float64Array.from(x0),
    [y0],
    x0.length,
    {
      kernel: { kind: 'rbf', dims },
      mean: 'zero',
      noise: { kind: 'fixed', variance: v },
      standardize: false,
    },
    hyper,
  );
  const k = (a: readonly number[], b: readonly number[]) =>
    s * Math.exp(-a.reduce((acc, ai, j) => acc + (ai - b[j]!) ** 2, 0) / (2 * l * l));
  return {
    gp,
    hyper,
    mu: (a) => (k(a, x0) * y0) / (s + v),
    C: (a, b) => k(a, b) - (k(a, x0) * k(x0, b)) / (s + v),
  };
}

/** Phi(z) by its Taylor series (exact to double precision for |z| < 6). */
export function normCdf(z: number): number {
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= (z * z) / (2 * n + 1);
    sum += term;
  }
  return 0.5 + (sum * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
}
