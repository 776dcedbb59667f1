/**
 * Run sets for the scale-transfer study: many training runs of many mixtures
 * at many model sizes, each with its learning curve for every metric.
 *
 * Notation:
 * - `k`     number of domains; `w` a mixture (length k, on the simplex).
 * - `m`     a model scale, by name on the ladder (e.g. `"1B"`).
 * - `z`     training steps; a run logs its metrics at `steps[0..L-1]` (ascending).
 * - `y`     a metric value; `values[metric][l]` is `y` at `steps[l]`.
 * - `Dir(1)` the flat Dirichlet on the simplex (mixtures drawn uniformly).
 *
 * A run set is plain JSON-serialisable data; nothing in it is mutated after
 * construction.
 */
import type { MetricSpec, Mixture, Scale, Testbed } from '../core/index.ts';
import { Rng, ValidationError } from '../core/index.ts';

/** One training run: a mixture at one scale, with every logged point of every metric. */
export interface TransferRun {
  readonly id: string;
  readonly mixture: Mixture;
  readonly scale: string;
  /** Logged steps, ascending. For final-value-only data: one entry. */
  readonly steps: readonly number[];
  /** Metric name -> value at each entry of `steps` (same length as `steps`). */
  readonly values: Readonly<Record<string, readonly number[]>>;
}

/** A set of runs and what they were trained on. */
export interface RunSet {
  /** Where the runs came from, e.g. `"testbed slimpajama-mlp, seed 0"` or a CSV path. */
  readonly source: string;
  readonly domains: readonly string[];
  /** The scales present, ascending in parameters. */
  readonly scales: readonly Scale[];
  readonly metrics: readonly MetricSpec[];
  /** Length of a full run in steps (the step of every run's final value when runs are complete). */
  readonly maxSteps: number;
  readonly runs: readonly TransferRun[];
}

/** Runs per scale in the paper's run set (472 runs in all). */
export const PAPER_RUNS_PER_SCALE: Readonly<Record<string, number>> = {
  '20M': 115,
  '60M': 71,
  '150M': 53,
  '300M': 74,
  '500M': 39,
  '700M': 52,
  '1B': 68,
};

/** Optional observation noise added to every logged value of a generated run set. */
export interface RunSetNoise {
  /** Standard deviation of the noise. */
  readonly std: number;
  /**
   * `false` (default): additive, `y + std * eps` in metric units.
   * `true`: multiplicative, `y * (1 + std * eps)`, so `std` is a relative error.
   */
  readonly relative?: boolean;
}

/** Options for {@link generateRunSet}. */
export interface GenerateRunSetOptions {
  readonly seed: number;
  /**
   * Runs per scale name. Default: {@link PAPER_RUNS_PER_SCALE} when the
   * testbed's ladder uses those names, else `round(472 / #scales)` per scale.
   */
  readonly runsPerScale?: Readonly<Record<string, number>>;
  /** Length of every run (default: the testbed's `steps.max`, 19,700 on slimpajama-mlp). */
  readonly maxSteps?: number;
  /** Metrics to record (default: all of the testbed's). */
  readonly metrics?: readonly string[];
  readonly noise?: RunSetNoise;
}

/**
 * The runs-per-scale table used for `testbed` when none is given: the paper's
 * when every scale name is in it, else an even split of 472 runs.
 */
export function defaultRunsPerScale(scales: readonly Scale[]): Record<string, number> {
  const out: Record<string, number> = {};
  const allKnown = scales.every((s) => PAPER_RUNS_PER_SCALE[s.name] !== undefined);
  for (const s of scales) {
    out[s.name] = allKnown
      ? (PAPER_RUNS_PER_SCALE[s.name] as number)
      : Math.round(472 / Math.max(1, scales.length));
  }
  return out;
}

/**
 * Generates a run set from a testbed the way the paper's was made: for each
 * scale `m`, `n_m` mixtures `w ~ Dir(1)`, each trained to `maxSteps` with its
 * curve logged every `testbed.steps.logEvery` steps, for every metric.
 *
 * Randomness: mixtures of scale `m` come from `Rng(seed).fork('mixtures').fork(m)`,
 * noise from `.fork('noise')`, so the same seed gives the same set and changing
 * the count of one scale leaves the others' mixtures unchanged.
 *
 * @throws ValidationError for an unknown scale or metric, a negative or
 *   non-integer count, `maxSteps` outside the testbed's range, or negative noise.
 */
export function generateRunSet(testbed: Testbed, options: GenerateRunSetOptions): RunSet {
  const counts = options.runsPerScale ?? defaultRunsPerScale(testbed.scales);
  const known = new Set(testbed.scales.map((s) => s.name));
  for (const [name, n] of Object.entries(counts)) {
    if (!known.has(name)) {
      throw new ValidationError(
        `runsPerScale names scale '${name}', which testbed '${testbed.name}' does not have; its scales: ${[...known].join(', ')}`,
        { scale: name },
      );
    }
    if (!Number.isInteger(n) || n < 0) {
      throw new ValidationError(
        `runsPerScale['${name}'] must be a non-negative integer, got ${String(n)}`,
        { scale: name, value: n },
      );
    }
  }
  const maxSteps = options.maxSteps ?? testbed.steps.max;
  if (
    !Number.isFinite(maxSteps) ||
    maxSteps < testbed.steps.min ||
    maxSteps > testbed.steps.max ||
    maxSteps < testbed.steps.logEvery
  ) {
    throw new ValidationError(
      `maxSteps ${String(maxSteps)} is outside testbed '${testbed.name}' range [${testbed.steps.min}, ${testbed.steps.max}]`,
      { maxSteps },
    );
  }
  const metricNames = options.metrics ?? testbed.metrics.map((m) => m.name);
  const metrics: MetricSpec[] = metricNames.map((name) => {
    const spec = testbed.metrics.find((m) => m.name === name);
    if (spec === undefined) {
      throw new ValidationError(
        `testbed '${testbed.name}' has no metric '${name}'; known metrics: ${testbed.metrics.map((m) => m.name).join(', ')}`,
        { metric: name },
      );
    }
    return spec;
  });
  const noise = options.noise;
  if (noise !== undefined && !(noise.std >= 0 && Number.isFinite(noise.std))) {
    throw new ValidationError(`noise.std must be a finite number >= 0, got ${String(noise.std)}`, {
      noise,
    });
  }
  const root = new Rng(options.seed);
  const mixRng = root.fork('mixtures');
  const noiseRng = root.fork('noise');
  const k = testbed.domains.length;
  const runs: TransferRun[] = [];
  const scales = testbed.scales.filter((s) => (counts[s.name] ?? 0) > 0);
  for (const scale of scales) {
    const n = counts[scale.name] ?? 0;
    const rng = mixRng.fork(scale.name);
    for (let i = 0; i < n; i++) {
      const mixture = rng.dirichlet(1, k);
      const values: Record<string, number[]> = {};
      let steps: number[] = [];
      for (const metric of metrics) {
        const curve = testbed.curve(mixture, scale.name, maxSteps, metric.name);
        steps = curve.map((p) => p.step);
        values[metric.name] = curve.map((p) => p.value);
      }
      runs.push({ id: `${scale.name}-${i}`, mixture, scale: scale.name, steps, values });
    }
  }
  const noisy =
    noise !== undefined && noise.std > 0 ? addNoise(runs, metrics, noise, noiseRng) : runs;
  return {
    source: `testbed ${testbed.name}, seed ${options.seed}${noise !== undefined && noise.std > 0 ? `, noise ${noise.relative === true ? 'relative' : 'absolute'} std ${noise.std}` : ''}`,
    domains: [...testbed.domains],
    scales,
    metrics,
    maxSteps,
    runs: noisy,
  };
}

/** Adds i.i.d. Gaussian noise to every logged value (a copy; runs are not mutated). */
function addNoise(
  runs: readonly TransferRun[],
  metrics: readonly MetricSpec[],
  noise: RunSetNoise,
  rng: Rng,
): TransferRun[] {
  return runs.map((run) => {
    const r = rng.fork(run.id);
    const values: Record<string, number[]> = {};
    for (const metric of metrics) {
      const ys = run.values[metric.name] ?? [];
      values[metric.name] = ys.map((y) =>
        noise.relative === true ? y * (1 + noise.std * r.normal()) : y + noise.std * r.normal(),
      );
    }
    return { ...run, values };
  });
}

/** The final logged value of `metric` for `run` (its last curve point). */
export function finalValue(run: TransferRun, metric: string): number {
  const ys = run.values[metric];
  const y = ys?.[ys.length - 1];
  if (y === undefined) {
    throw new ValidationError(`run '${run.id}' has no values for metric '${metric}'`, {
      run: run.id,
      metric,
    });
  }
  return y;
}
