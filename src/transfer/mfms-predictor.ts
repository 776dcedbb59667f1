/**
 * The surrogate `mfms-bo` proposes with, as a predictor of the scale-transfer study
 * (`mixopt transfer --predictor mfms`): given the same training points as the paper's MFMS-GP
 * (./surrogate.ts) and the boosted trees (./gbt-predictor.ts), it models them as runs, the way
 * the optimiser does: the points of one run share a run offset, losses are modelled in log
 * space, the prior mean follows size and steps, and with at least 3 training runs at the
 * target size (the largest of the run set) the size lengthscale is chosen on those runs held
 * out (`fitMfmsSurrogate` in src/optimizers/mfms/fitted.ts).
 *
 * Settings: the optimiser's defaults, except that the GP sees every training point the study
 * conditions on (`maxObservations` = the conditioned rows) and fits its hyper-parameters on at
 * most as many points as the MFMS-GP does (`fitPoints` = the fit rows).
 *
 * Test inputs come encoded as `x = [w, s, t]` (./surrogate.ts `encodeRunInput`); each is
 * decoded back to its mixture, size (the ladder size whose encoded value is `s`) and steps
 * (`round(t z_max)`) and predicted by the optimiser's model at that fidelity.
 */
import type { History, RunRecord, SearchSpace } from '../core/index.ts';
import { ValidationError } from '../core/index.ts';
import { fitMfmsSurrogate } from '../optimizers/index.ts';
import type { RunSet } from './run-set.ts';
import {
  encodeRunInput,
  type SurrogateFactory,
  type TrainingData,
  transferSpace,
} from './surrogate.ts';

/** The search space of a run set for `metric`: the target is the largest size at `maxSteps`. */
export function mfmsTransferSpace(runSet: RunSet, metric: string): SearchSpace {
  const base = transferSpace(runSet);
  const spec = runSet.metrics.find((m) => m.name === metric);
  if (spec === undefined) {
    throw new ValidationError(
      `metric '${metric}' is not in the run set (${runSet.metrics.map((m) => m.name).join(', ')})`,
    );
  }
  let first = runSet.maxSteps;
  for (const r of runSet.runs) if (r.steps.length > 0) first = Math.min(first, r.steps[0]!);
  return {
    ...base,
    steps: {
      min: Math.max(1, Math.min(first, runSet.maxSteps)),
      max: runSet.maxSteps,
      logEvery: 1,
    },
    metric: spec,
  };
}

/** `train.source`, required by the mfms predictor. */
function sourceOf(train: TrainingData): NonNullable<TrainingData['source']> {
  if (train.source === undefined) {
    throw new ValidationError(
      'the mfms predictor needs the training rows with their runs (TrainingData.source)',
    );
  }
  return train.source;
}

/** The training rows the study conditions on, as completed runs (one per run, steps ascending). */
export function trainingHistory(train: TrainingData): History {
  const src = sourceOf(train);
  const byRun = new Map<number, { step: number; value: number }[]>();
  for (const r of train.condRows) {
    const row = src.rows[r];
    if (row === undefined) throw new ValidationError(`training row ${r} has no source row`);
    const pts = byRun.get(row.run) ?? [];
    pts.push({ step: row.step, value: train.y[r] as number });
    byRun.set(row.run, pts);
  }
  const runs: RunRecord[] = [...byRun].map(([ri, pts]) => {
    const run = src.runSet.runs[ri];
    if (run === undefined) throw new ValidationError(`run index ${ri} is not in the run set`);
    pts.sort((a, b) => a.step - b.step);
    return {
      id: run.id,
      mixture: run.mixture,
      scale: run.scale,
      steps: pts[pts.length - 1]!.step,
      curve: pts,
      state: 'completed',
      cost: 0,
    };
  });
  return { runs, spent: 0 };
}

/**
 * The `mfms-bo` surrogate as a transfer predictor, seeded by the split seed; `settings` are
 * more `mfms-bo` settings over the ones above.
 * @throws ValidationError without the rows' source, or with too few training runs for a fit
 */
export function mfmsBoPredictor(settings: Record<string, unknown> = {}): SurrogateFactory {
  return (train, seed) => {
    const history = trainingHistory(train);
    const src = sourceOf(train);
    const space = mfmsTransferSpace(src.runSet, src.metric);
    const fitted = fitMfmsSurrogate(
      space,
      history,
      {
        maxObservations: Math.max(10, train.condRows.length),
        fitPoints: Math.max(10, train.fitRows.length),
        ...settings,
      },
      seed,
    );
    if (fitted === undefined) {
      throw new ValidationError(
        `the mfms predictor needs at least 5 training runs, got ${history.runs.length}`,
      );
    }
    const k = train.k;
    const d = train.d;
    const uniform = new Array<number>(k).fill(1 / k);
    const sOf = src.runSet.scales.map((sc) => ({
      name: sc.name,
      s: encodeRunInput(space, uniform, sc.name, src.runSet.maxSteps, src.sizeEncoding)[k]!,
    }));
    return {
      predict(Xs: Float64Array) {
        const m = Xs.length / d;
        const points = Array.from({ length: m }, (_, i) => {
          const row = Xs.subarray(i * d, (i + 1) * d);
          const s = row[k]!;
          let best = sOf[0]!;
          for (const c of sOf) if (Math.abs(c.s - s) < Math.abs(best.s - s)) best = c;
          if (Math.abs(best.s - s) > 1e-9) {
            throw new ValidationError(`test row ${i}: size input ${s} is not a ladder size's`);
          }
          return {
            mixture: Array.from(row.subarray(0, k)),
            scale: best.name,
            steps: Math.round(row[k + 1]! * src.runSet.maxSteps),
          };
        });
        const preds = fitted.predict(points);
        return {
          mean: Float64Array.from(preds, (p) => p.mean),
          variance: Float64Array.from(preds, (p) => p.std * p.std),
        };
      },
      info: {
        nFit: Math.min(train.fitRows.length, fitted.observations),
        nCond: fitted.observations,
        activeDims: Array.from({ length: d }, (_, j) => j),
        hyperparameters: fitted.hyperparameters,
      },
    };
  };
}
