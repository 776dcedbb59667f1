/**
 * The surrogate of `mfms-bo` fitted once to a history, outside an optimisation: what the
 * optimiser's model predicts a new run would measure. The scale-transfer study uses it to rank
 * held-out runs with the same model the optimiser proposes with.
 *
 * The fit is the proposals' path's first one (surrogate.ts): every restart, the run offsets
 * of `runNoise`, and with `sizeCheck` and at least 3 runs at the target size, the size
 * lengthscale chosen on those runs held out. A prediction at `(w, m, z)` is the latent posterior
 * `N(mu, v)` at `x(w; m, z)` shifted by the trend (`mu + shift(m, z)`), with a new run's
 * observation noise at scale `m` added to `v` (`newRunNoise`: the noise and, with run offsets,
 * the offset variance at that size), mapped to the metric's units (`metricPrediction`: with the
 * log transform, the median `exp(mu)` and the interval's ends exponentiated).
 */
import {
  type History,
  type Mixture,
  type Prediction,
  type SearchSpace,
  ValidationError,
} from '../../core/index.ts';
import type { GPHyperparameters } from '../../gp/index.ts';
import { encodeInput } from '../encoding.ts';
import { parseSettings } from '../gp-common.ts';
import { metricPrediction } from '../mfms-observations.ts';
import { MfmsSettingsSchema } from './settings.ts';
import { createMfmsSurrogate } from './surrogate.ts';

/** A point to predict: a mixture trained at one size for some steps. */
export interface PredictAt {
  readonly mixture: Mixture;
  readonly scale: string;
  readonly steps: number;
}

/** The fitted surrogate of {@link fitMfmsSurrogate}. */
export interface FittedMfmsSurrogate {
  /** A new run's value at each point, in the metric's units, its observation noise included. */
  predict(points: readonly PredictAt[]): Prediction[];
  /** The fitted hyper-parameters (with the standardisation). */
  readonly hyperparameters: GPHyperparameters;
  /** Observations the GP is conditioned on (after the `maxObservations` cap). */
  readonly observations: number;
  /** Whether the model is of `log y` (setting `transform`). */
  readonly log: boolean;
}

/**
 * Fits the surrogate of `mfms-bo` with `settings` (the optimiser's, validated the same way;
 * defaults where absent) to the runs of `history`, seeded by `seed`.
 * @returns undefined when the history has too few runs for a fit (fewer than
 *   `min(initial, 5)` runs or 3 observations)
 * @throws ValidationError on malformed settings, or at predict time on a scale off the ladder
 * @throws NumericsError when the GP cannot be fitted
 */
export function fitMfmsSurrogate(
  space: SearchSpace,
  history: History,
  settings: Record<string, unknown> | undefined,
  seed: number,
): FittedMfmsSurrogate | undefined {
  const s = parseSettings('mfms-bo', MfmsSettingsSchema, settings);
  const surrogate = createMfmsSurrogate(space, s, seed);
  const fit = surrogate.fit(history, true);
  if (fit === undefined) return undefined;
  const { gp, shift, log } = fit;
  // A new run's noise at each ladder size (the surrogate's own, as its acquisition uses it).
  const noise = surrogate.noiseByScale(gp);
  const { enc } = surrogate.encoding;
  return {
    predict(points) {
      return points.map((p) => {
        const nu = noise.get(p.scale);
        if (nu === undefined) {
          throw new ValidationError(
            `fitMfmsSurrogate: scale '${p.scale}' is not on the ladder (${[...noise.keys()].join(', ')})`,
          );
        }
        const x = encodeInput(space, p.mixture, p.scale, p.steps, enc);
        const q = gp.predict(Float64Array.from(x));
        const v = Math.max(q.variance[0]!, 0) + nu;
        return metricPrediction(space, q.mean[0]! + shift(p.scale, p.steps), v, log);
      });
    },
    hyperparameters: gp.hyperparameters,
    observations: gp.n,
    log,
  };
}
