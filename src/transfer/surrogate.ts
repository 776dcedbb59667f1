/**
 * The surrogate of the scale-transfer study: the MFMS-GP over `x = [w, s, t]`,
 * fitted to a split's training points and asked for the test runs' final values.
 *
 * Notation:
 * - `k`          number of domains; `d = k + 2` input dims: `w_1..w_k`, `s`, `t`.
 * - `s`          scaled size (`'log'`: `ln(p/p_min)/ln(p_max/p_min)`; `'linear'`:
 *                `p/p_max`); `t = z / z_max` (see {@link encodeRunInput}).
 * - `n`          training points; `n_cond <= maxPoints` points the GP is
 *                conditioned on; `n_fit <= maxFitPoints` points its
 *                hyper-parameters are fitted on (a subset of the former).
 * - active dims  the input dims that vary over the training points; a dim
 *                constant in training (e.g. `t` when only final values are
 *                used, `s` when one scale is used) carries no information, its
 *                kernel factor is 1 and its linear-mean coefficient would be
 *                unidentifiable, so it is left out of the GP.
 *
 * MFMS-GP (paper): `k(x, x') = k_w(w, w') · k_s(s, s') · k_t(t, t')`, each an
 * isotropic RBF, times an output scale; linear mean `c + bᵀx`; learned noise;
 * hyper-parameters by maximising the log marginal likelihood (multi-start L-BFGS-B).
 * Reference: Yen et al., arXiv 2503.21023, §3 (MFMS-GP).
 */
import type { SearchSpace } from '../core/index.ts';
import { ValidationError } from '../core/index.ts';
import { conditionGP, fitGP, type GPOptions, type KernelSpec } from '../gp/index.ts';
import { encodeInput } from '../optimizers/index.ts';
import type { RunSet } from './run-set.ts';

/** How the model size enters the input. */
export type SizeEncoding = 'log' | 'linear';

/** Surrogate settings (all JSON). */
export interface SurrogateSpec {
  /** Kernel family of the three factors (default `'rbf'`, the paper's). */
  readonly kernel: 'rbf' | 'matern52';
  /** Per-domain lengthscales on `w` (default false: one, the paper's). */
  readonly ardMixture: boolean;
  /** Prior mean (default `'linear'`, the paper's). */
  readonly mean: 'linear' | 'constant' | 'zero';
  /** `'log'` (default): `s = ln(p/p_min)/ln(p_max/p_min)`; `'linear'`: `s = p/p_max` (the paper's). */
  readonly sizeEncoding: SizeEncoding;
  /** L-BFGS-B starts (default 3). */
  readonly restarts: number;
  /** L-BFGS-B iterations per start (default 150). */
  readonly maxIter: number;
  /** At most this many points are used to fit hyper-parameters (default 300). */
  readonly maxFitPoints: number;
  /** At most this many points are conditioned on for prediction (default 2000). */
  readonly maxPoints: number;
}

export const DEFAULT_SURROGATE: SurrogateSpec = {
  kernel: 'rbf',
  ardMixture: false,
  mean: 'linear',
  sizeEncoding: 'log',
  restarts: 3,
  maxIter: 150,
  maxFitPoints: 300,
  maxPoints: 2000,
};

/** Checks a surrogate spec (user input from the CLI or a config). */
export function validateSurrogateSpec(spec: SurrogateSpec): SurrogateSpec {
  if (spec.kernel !== 'rbf' && spec.kernel !== 'matern52') {
    throw new ValidationError(`kernel must be 'rbf' or 'matern52', got '${String(spec.kernel)}'`);
  }
  if (!['linear', 'constant', 'zero'].includes(spec.mean)) {
    throw new ValidationError(
      `mean must be 'linear', 'constant' or 'zero', got '${String(spec.mean)}'`,
    );
  }
  if (spec.sizeEncoding !== 'log' && spec.sizeEncoding !== 'linear') {
    throw new ValidationError(
      `size encoding must be 'log' or 'linear', got '${String(spec.sizeEncoding)}'`,
    );
  }
  for (const [name, v, min] of [
    ['restarts', spec.restarts, 1],
    ['maxIter', spec.maxIter, 1],
    ['maxFitPoints', spec.maxFitPoints, 10],
    ['maxPoints', spec.maxPoints, 10],
  ] as const) {
    if (!Number.isInteger(v) || v < min) {
      throw new ValidationError(`${name} must be an integer >= ${min}, got ${String(v)}`);
    }
  }
  if (spec.maxFitPoints > spec.maxPoints) {
    throw new ValidationError(
      `maxFitPoints (${spec.maxFitPoints}) must not exceed maxPoints (${spec.maxPoints})`,
    );
  }
  return spec;
}

/**
 * The search space the optimisers' input encoding needs, for a run set:
 * its domains and ladder, steps up to `maxSteps` (so `t = z / maxSteps`).
 * The metric and cost are placeholders: the encoding does not read them.
 */
export function transferSpace(runSet: RunSet): SearchSpace {
  const largest = runSet.scales[runSet.scales.length - 1]?.name ?? '';
  return {
    domains: runSet.domains,
    scales: runSet.scales,
    steps: { min: 1, max: runSet.maxSteps, logEvery: 1 },
    target: { scale: largest, steps: runSet.maxSteps },
    metric: runSet.metrics[0] ?? { name: 'value', direction: 'minimize' },
    cost: () => 0,
  };
}

/**
 * The input of a run's point: `x = [w_1..w_k, s, t]` with `t = z / z_max`,
 * by the optimisers' `encodeInput` (so the study and MFMS-BO see the same inputs).
 */
export function encodeRunInput(
  space: SearchSpace,
  mixture: readonly number[],
  scale: string,
  steps: number,
  enc: SizeEncoding,
): number[] {
  return encodeInput(space, mixture, scale, steps, { scaleEncoding: enc, stepEncoding: 'linear' });
}

/** Predictive distribution of new observations at test inputs. */
export interface TransferPredictor {
  /** Mean and variance (latent + observation noise) per test row, original units. */
  predict(Xs: Float64Array): { mean: Float64Array; variance: Float64Array };
  /** What was fitted, for the record. */
  readonly info: { nFit: number; nCond: number; activeDims: number[]; hyperparameters?: unknown };
}

/** Builds a predictor from training data (so tests can swap in a reference model). */
export type SurrogateFactory = (train: TrainingData, seed: number) => TransferPredictor;

/** Training data for a surrogate: rows of `X` (n × d) and `y`, plus subsampling order. */
export interface TrainingData {
  readonly X: Float64Array;
  readonly y: Float64Array;
  readonly n: number;
  readonly d: number;
  /** Number of mixture dims (`k`). */
  readonly k: number;
  /**
   * Rows to condition on and rows to fit on (indices into `X`), chosen by the
   * caller within the caps (see `thinPoints` in experiments).
   */
  readonly condRows: readonly number[];
  readonly fitRows: readonly number[];
  /**
   * Where the rows came from (the study sets it; a predictor that models runs rather than
   * points, such as the `mfms-bo` surrogate of ./mfms-predictor.ts, needs it): the run set, the
   * metric, the size encoding of `X`, and per row the run (index into `runSet.runs`) and its step.
   */
  readonly source?: {
    readonly runSet: RunSet;
    readonly metric: string;
    readonly sizeEncoding: SizeEncoding;
    readonly rows: readonly { readonly run: number; readonly step: number }[];
  };
}

/** The kernel over the active dims (indices into the reduced input). */
export function mfmsKernel(
  spec: SurrogateSpec,
  k: number,
  activeDims: readonly number[],
): KernelSpec {
  const terms: KernelSpec[] = [];
  const pos = (dim: number): number => activeDims.indexOf(dim);
  const wDims = activeDims.filter((j) => j < k).map(pos);
  if (wDims.length > 0) terms.push({ kind: spec.kernel, dims: wDims, ard: spec.ardMixture });
  for (const j of [k, k + 1]) {
    if (activeDims.includes(j)) terms.push({ kind: spec.kernel, dims: [pos(j)] });
  }
  if (terms.length === 0) {
    throw new ValidationError(
      'every input dim is constant over the training points; nothing to learn',
    );
  }
  return terms.length === 1 ? (terms[0] as KernelSpec) : { kind: 'product', terms };
}

function pickRows(
  X: Float64Array,
  d: number,
  rows: readonly number[],
  dims: readonly number[],
): Float64Array {
  const out = new Float64Array(rows.length * dims.length);
  rows.forEach((r, i) => {
    dims.forEach((j, c) => {
      out[i * dims.length + c] = X[r * d + j] as number;
    });
  });
  return out;
}

/** Dims whose value differs between some training rows. */
export function activeDimensions(X: Float64Array, n: number, d: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < d; j++) {
    const first = X[j] as number;
    for (let i = 1; i < n; i++) {
      if (Math.abs((X[i * d + j] as number) - first) > 1e-12) {
        out.push(j);
        break;
      }
    }
  }
  return out;
}

/**
 * The MFMS-GP surrogate factory for `spec`: fits hyper-parameters on
 * `fitRows`, then conditions on `condRows` with them.
 * @throws ValidationError when nothing varies; NumericsError from the GP.
 */
export function mfmsSurrogate(spec: SurrogateSpec): SurrogateFactory {
  validateSurrogateSpec(spec);
  return (train, seed) => {
    const condX = pickRows(
      train.X,
      train.d,
      train.condRows,
      Array.from({ length: train.d }, (_, j) => j),
    );
    const activeDims = activeDimensions(condX, train.condRows.length, train.d);
    const kernel = mfmsKernel(spec, train.k, activeDims);
    const options: GPOptions = {
      kernel,
      mean: spec.mean,
      noise: { kind: 'learned', lower: 1e-6 },
      restarts: spec.restarts,
      maxIter: spec.maxIter,
      seed,
    };
    const yOf = (rows: readonly number[]): Float64Array =>
      Float64Array.from(rows, (r) => train.y[r] as number);
    const fitted = fitGP(
      pickRows(train.X, train.d, train.fitRows, activeDims),
      yOf(train.fitRows),
      activeDims.length,
      options,
    );
    const sameRows =
      train.fitRows.length === train.condRows.length &&
      train.fitRows.every((r, i) => r === train.condRows[i]);
    const gp = sameRows
      ? fitted
      : conditionGP(
          pickRows(train.X, train.d, train.condRows, activeDims),
          yOf(train.condRows),
          activeDims.length,
          options,
          fitted.hyperparameters,
        );
    return {
      predict(Xs: Float64Array) {
        const m = Xs.length / train.d;
        const rows = Array.from({ length: m }, (_, i) => i);
        return gp.predict(pickRows(Xs, train.d, rows, activeDims), { includeNoise: true });
      },
      info: {
        nFit: train.fitRows.length,
        nCond: train.condRows.length,
        activeDims,
        hyperparameters: fitted.hyperparameters,
      },
    };
  };
}
