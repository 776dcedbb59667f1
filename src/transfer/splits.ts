/**
 * Train/test splits of a run set for the scale-transfer experiments.
 *
 * Notation:
 * - `S`        number of scales in the run set, ladder `m_1 < ... < m_S`;
 *              `m_S` is the largest ("1B" on slimpajama-mlp), `m_{S-1}` the next.
 * - `n_m`      number of runs at scale `m`.
 * - `z_max`    the run set's full length in steps; a *cut* run is used only up
 *              to `z_cut < z_max` (its logged points `z <= z_cut`).
 * - a *split*  = training selections (run, steps used) + test runs, whose
 *              final values (at `z_max`) are the targets.
 *
 * E1..E5 (docs/transfer.md): a random half of the target scale's runs (`floor(n/2)`
 * train, the rest test), plus every run of some other scales:
 *
 * | id | train                                   | test                    |
 * |----|-----------------------------------------|-------------------------|
 * | E1 | half of `m_S`                           | other half of `m_S`     |
 * | E2 | half of `m_S` + all `m_{S-1}`           | other half of `m_S`     |
 * | E3 | half of `m_S` + all of `m_1..m_{S-1}`   | other half of `m_S`     |
 * | E4 | half of `m_{S-1}`                       | other half of `m_{S-1}` |
 * | E5 | half of `m_{S-1}` + all `m_{S-2}`       | other half of `m_{S-1}` |
 *
 * The half-split of a scale depends only on (seed, scale), so E1..E3 share one
 * split (paired comparison), and so do E4..E5.
 *
 * E6..E8 (equal compute): test = `round(f * n_m)` runs of every scale
 * (`f = 0.3`, stratified so the targets spread over all sizes); from the rest,
 * train = one full run per scale + `N` runs cut at `z_cut`:
 * E6 `N = 16, z_cut = 19,600`; E7 `N = 22, z_cut = 13,000`; E8 `N = 32, z_cut = 8,500`
 * on a run set of `z_F = 19,700`-step runs. Here `z_F`, the *full length*, is
 * the smallest over sizes of the longest run at that size (so every size has
 * a full run; longer runs count as full and are used up to `z_F`). When `z_F`
 * is not within 5% of 19,700 the paper's cuts do not fit, and the cuts are
 * derived from the data: the same fractions of `z_F` (0.995, 0.66, 0.431),
 * each moved to the recorded step nearest to it in log-step, so that a cut
 * lands on a checkpoint of irregular logs. The full run of a size is one
 * that reaches `z_F`; cut runs are taken among runs that reach the cut.
 * The `N` cut runs are spread over the scales round-robin from the smallest
 * (`floor(N/S)` each, one more for the `N mod S` smallest scales). The test set
 * and the order in which a scale's runs are taken depend only on (seed, scale),
 * so E6 ⊂-style nesting holds: E8's cut runs include E7's, which include E6's.
 *
 * `custom` (`--train 1M,60M@5000,1B:0.5 --test 1B`): train on the listed
 * sizes, each with an optional share of its runs (`:f`, default all) and step
 * cap (`@z`: points up to `z`); test on the test size's runs not used for
 * training (or a share `:g` of them when it is not a training size). The runs
 * taken at a size depend only on (seed, size).
 */
import type { Rng } from '../core/index.ts';
import { Rng as RngClass, ValidationError } from '../core/index.ts';
import type { RunSet } from './run-set.ts';

/** The experiments of the study. */
export type ExperimentId = 'E1' | 'E2' | 'E3' | 'E4' | 'E5' | 'E6' | 'E7' | 'E8' | 'custom';

/** One size of a custom split: a share of its runs, and a step cap. */
export interface CustomScale {
  readonly scale: string;
  /** Share of the size's runs, in (0, 1] (default 1). */
  readonly fraction?: number;
  /** Use each run's points up to this step (default: the whole run). */
  readonly maxSteps?: number;
}

/** A custom split: training sizes and one test size (module comment). */
export interface CustomSplit {
  readonly train: readonly CustomScale[];
  readonly test: CustomScale;
}

export const ALL_EXPERIMENTS: readonly ExperimentId[] = [
  'E1',
  'E2',
  'E3',
  'E4',
  'E5',
  'E6',
  'E7',
  'E8',
];

/** One training run and the part of its curve used for training. */
export interface TrainSelection {
  /** Index into `runSet.runs`. */
  readonly run: number;
  /** Use logged points with `step <= upTo`. */
  readonly upTo: number;
  /** Use only the last point at or below `upTo` (the final value), not the whole curve. */
  readonly finalOnly: boolean;
}

/** A train/test split. Test targets are the final values of the test runs. */
export interface Split {
  readonly experiment: ExperimentId;
  readonly seed: number;
  readonly train: readonly TrainSelection[];
  /** Indices into `runSet.runs`. */
  readonly test: readonly number[];
  /** One line: what was trained on. */
  readonly description: string;
}

/** Which part of the training runs E1..E5 use. */
export type HalfTrainPoints = 'final' | 'curve';

/** The truncation settings of E6..E8. */
export interface TruncationDesign {
  readonly runs: number;
  readonly cutAt: number;
}

/** Paper settings for E6..E8 (on a 19,700-step run set). */
export const TRUNCATION_DESIGNS: Readonly<Record<'E6' | 'E7' | 'E8', TruncationDesign>> = {
  E6: { runs: 16, cutAt: 19_600 },
  E7: { runs: 22, cutAt: 13_000 },
  E8: { runs: 32, cutAt: 8_500 },
};

/** Options for {@link makeSplit}. */
export interface SplitOptions {
  /** E1..E5: train on final values (default) or on every logged point of the training runs. */
  readonly halfTrainPoints?: HalfTrainPoints;
  /** E6..E8: share of each scale's runs held out as targets (default 0.3). */
  readonly testFraction?: number;
  /** The `custom` experiment's split. */
  readonly custom?: CustomSplit;
}

/** Fractions of the full length at which the paper cuts (19,600, 13,000, 8,500 of 19,700). */
const CUT_FRACTIONS = { E6: 19_600 / 19_700, E7: 13_000 / 19_700, E8: 8_500 / 19_700 } as const;

/** The full length `z_F`: the smallest over sizes of the longest run at that size (module comment). */
export function fullLength(runSet: RunSet): number {
  const longest = new Map<string, number>();
  for (const r of runSet.runs) {
    const z = r.steps[r.steps.length - 1] ?? 0;
    longest.set(r.scale, Math.max(longest.get(r.scale) ?? 0, z));
  }
  const zs = [...longest.values()];
  return zs.length === 0 ? 0 : Math.min(...zs);
}

/**
 * The E6..E8 design for a run set: the paper's when the full length is within
 * 5% of 19,700 steps, else cuts derived from the data (module comment).
 */
export function truncationDesign(
  runSet: RunSet,
  experiment: 'E6' | 'E7' | 'E8',
): TruncationDesign & { readonly full: number; readonly derived: boolean } {
  const full = fullLength(runSet);
  const paper = TRUNCATION_DESIGNS[experiment];
  if (Math.abs(full - 19_700) <= 0.05 * 19_700 && paper.cutAt < full) {
    return { ...paper, full, derived: false };
  }
  const want = CUT_FRACTIONS[experiment] * full;
  const steps = new Set<number>();
  for (const r of runSet.runs) for (const z of r.steps) if (z < full) steps.add(z);
  let cutAt = Math.round(want);
  let bestD = Number.POSITIVE_INFINITY;
  for (const z of steps) {
    const d = Math.abs(Math.log(z / want));
    if (d < bestD || (d === bestD && z < cutAt)) {
      bestD = d;
      cutAt = z;
    }
  }
  return { runs: paper.runs, cutAt, full, derived: true };
}

/** Runs of each scale (indices into `runSet.runs`), by scale name, in run-set order. */
export function runsByScale(runSet: RunSet): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const s of runSet.scales) out.set(s.name, []);
  runSet.runs.forEach((r, i) => {
    const list = out.get(r.scale);
    if (list === undefined) {
      throw new ValidationError(
        `run '${r.id}' has scale '${r.scale}', which is not in the run set's scales (${runSet.scales.map((s) => s.name).join(', ')})`,
      );
    }
    list.push(i);
  });
  return out;
}

/** A random half of `idx`: `floor(n/2)` for training, the rest for testing. */
function halve(idx: readonly number[], rng: Rng): { train: number[]; test: number[] } {
  const shuffled = rng.shuffle(idx);
  const h = Math.floor(shuffled.length / 2);
  return { train: shuffled.slice(0, h), test: shuffled.slice(h) };
}

function need(cond: boolean, message: string, details?: Record<string, unknown>): void {
  if (!cond) throw new ValidationError(message, details);
}

/**
 * The split of `runSet` for `experiment` and `seed`.
 * @throws ValidationError when the run set has too few scales or runs for the
 *   experiment (e.g. E5 needs 3 scales; E6..E8 need enough runs per scale).
 */
export function makeSplit(
  runSet: RunSet,
  experiment: ExperimentId,
  seed: number,
  options: SplitOptions = {},
): Split {
  const byScale = runsByScale(runSet);
  const names = runSet.scales.map((s) => s.name);
  const S = names.length;
  const root = new RngClass(seed);
  const lastStep = (run: number): number => {
    const steps = runSet.runs[run]?.steps ?? [];
    return steps[steps.length - 1] ?? 0;
  };
  const halfPoints = options.halfTrainPoints ?? 'final';
  const whole = (run: number): TrainSelection => ({
    run,
    upTo: lastStep(run),
    finalOnly: halfPoints === 'final',
  });

  if (experiment === 'E1' || experiment === 'E2' || experiment === 'E3') {
    need(S >= 1, 'the run set has no scales');
    if (experiment === 'E2') need(S >= 2, `${experiment} needs at least 2 scales, got ${S}`);
    const target = names[S - 1] as string;
    const idx = byScale.get(target) ?? [];
    need(idx.length >= 2, `${experiment} needs at least 2 runs at ${target}, got ${idx.length}`);
    const half = halve(idx, root.fork('half').fork(target));
    const extraScales =
      experiment === 'E1'
        ? []
        : experiment === 'E2'
          ? [names[S - 2] as string]
          : names.slice(0, S - 1);
    const extra = extraScales.flatMap((n) => byScale.get(n) ?? []);
    return {
      experiment,
      seed,
      train: [...half.train, ...extra].map(whole),
      test: half.test,
      description:
        extraScales.length === 0
          ? `half of ${target}`
          : `half of ${target} + all ${extraScales.join(', ')}`,
    };
  }
  if (experiment === 'E4' || experiment === 'E5') {
    need(
      S >= (experiment === 'E4' ? 2 : 3),
      `${experiment} needs at least ${experiment === 'E4' ? 2 : 3} scales, got ${S}`,
    );
    const target = names[S - 2] as string;
    const idx = byScale.get(target) ?? [];
    need(idx.length >= 2, `${experiment} needs at least 2 runs at ${target}, got ${idx.length}`);
    const half = halve(idx, root.fork('half').fork(target));
    const extraScales = experiment === 'E4' ? [] : [names[S - 3] as string];
    const extra = extraScales.flatMap((n) => byScale.get(n) ?? []);
    return {
      experiment,
      seed,
      train: [...half.train, ...extra].map(whole),
      test: half.test,
      description:
        extraScales.length === 0
          ? `half of ${target}`
          : `half of ${target} + all ${extraScales.join(', ')}`,
    };
  }
  if (experiment === 'custom') return customSplit(runSet, seed, options, whole, byScale);
  // E6..E8
  need(
    runSet.runs.some((r) => r.steps.length > 1),
    `${experiment} needs learning curves (several checkpoints per run); the runs of ${runSet.source} have one value each`,
  );
  const design = truncationDesign(runSet, experiment);
  const f = options.testFraction ?? 0.3;
  need(f > 0 && f < 1, `testFraction must be in (0, 1), got ${String(f)}`);
  need(
    design.cutAt < design.full,
    `${experiment} cuts runs at ${design.cutAt} steps, which needs runs longer than that; the run set's full length (the shortest size's longest run) is ${design.full} steps`,
    { cutAt: design.cutAt, full: design.full },
  );
  const perScaleCut = spreadCounts(design.runs, S);
  const test: number[] = [];
  const train: TrainSelection[] = [];
  names.forEach((name, j) => {
    const idx = byScale.get(name) ?? [];
    const shuffled = root.fork('truncation').fork(name).shuffle(idx);
    const nTest = Math.round(f * idx.length);
    const nCut = perScaleCut[j] as number;
    need(
      idx.length >= nTest + 1 + nCut,
      `${experiment} needs ${nTest} test + 1 full + ${nCut} cut runs at ${name}, but it has only ${idx.length} runs`,
      { scale: name, runs: idx.length },
    );
    test.push(...shuffled.slice(0, nTest));
    const pool = shuffled.slice(nTest);
    const full = pool.find((r) => lastStep(r) >= design.full);
    need(
      full !== undefined,
      `${experiment}: no run at ${name} outside the test set reaches the full length ${design.full} steps; E6..E8 need one complete learning curve per size (lower --test-fraction)`,
      { scale: name },
    );
    train.push({ run: full as number, upTo: design.full, finalOnly: false });
    const rest = pool.filter((r) => r !== full);
    const cut = [
      ...rest.filter((r) => lastStep(r) >= design.cutAt),
      ...rest.filter((r) => lastStep(r) < design.cutAt),
    ];
    for (const r of cut.slice(0, nCut)) {
      train.push({ run: r, upTo: design.cutAt, finalOnly: false });
    }
  });
  return {
    experiment,
    seed,
    train,
    test,
    description: `1 full run per size + ${design.runs} runs cut at ${design.cutAt} steps${design.derived ? ` (cut derived from the data: full length ${design.full} steps)` : ''}`,
  };
}

function customSplit(
  runSet: RunSet,
  seed: number,
  options: SplitOptions,
  whole: (run: number) => TrainSelection,
  byScale: Map<string, number[]>,
): Split {
  const c = options.custom;
  need(c !== undefined, "the 'custom' experiment needs a split (--train SIZES --test SIZE)");
  const spec = c as CustomSplit;
  need(spec.train.length > 0, 'a custom split needs at least one training size (--train)');
  const root = new RngClass(seed).fork('custom');
  const names = runSet.scales.map((x) => x.name);
  const pick = (cs: CustomScale, flag: string): { taken: number[]; rest: number[] } => {
    need(
      names.includes(cs.scale),
      `${flag}: size '${cs.scale}' is not in the run set; sizes: ${names.join(', ')}`,
      { scale: cs.scale },
    );
    const f = cs.fraction ?? 1;
    need(f > 0 && f <= 1, `${flag}: the share of ${cs.scale} must be in (0, 1], got ${f}`);
    const shuffled = root.fork(cs.scale).shuffle(byScale.get(cs.scale) ?? []);
    const n = f === 1 ? shuffled.length : Math.max(1, Math.floor(f * shuffled.length));
    return { taken: shuffled.slice(0, n), rest: shuffled.slice(n) };
  };
  const train: TrainSelection[] = [];
  const used = new Map<string, number[]>();
  for (const cs of spec.train) {
    need(!used.has(cs.scale), `--train names size '${cs.scale}' twice`);
    const { taken, rest } = pick(cs, '--train');
    used.set(cs.scale, rest);
    for (const r of taken) {
      const w = whole(r);
      train.push(cs.maxSteps === undefined ? w : { ...w, upTo: Math.min(w.upTo, cs.maxSteps) });
    }
  }
  const t = spec.test;
  const test = used.has(t.scale) ? (used.get(t.scale) as number[]) : pick(t, '--test').taken;
  need(
    test.length >= 2,
    `the custom split leaves ${test.length} test runs at ${t.scale}; it needs at least 2 (train on a share of it, e.g. --train ${t.scale}:0.5)`,
    { scale: t.scale },
  );
  const part = (cs: CustomScale) =>
    `${cs.fraction !== undefined && cs.fraction < 1 ? `${cs.fraction} of ` : ''}${cs.scale}${cs.maxSteps !== undefined ? ` (≤ ${cs.maxSteps} steps)` : ''}`;
  return {
    experiment: 'custom',
    seed,
    train,
    test,
    description: `train ${spec.train.map(part).join(', ')}; test ${used.has(t.scale) ? `the other ${t.scale} runs` : part(t)}`,
  };
}

/**
 * `N` items spread over `S` bins round-robin from the first: `floor(N/S)`
 * each, plus one for each of the first `N mod S` bins.
 */
export function spreadCounts(N: number, S: number): number[] {
  const base = Math.floor(N / S);
  const extra = N % S;
  return Array.from({ length: S }, (_, j) => base + (j < extra ? 1 : 0));
}

/** Compute spent on a split's training runs. */
export interface SplitCompute {
  /** Number of training runs. */
  readonly runs: number;
  /** Sum over training runs of the steps trained (`upTo`). */
  readonly steps: number;
  /** Sum over training runs of `cost(scale, upTo)`, when a cost function was given. */
  readonly cost?: number;
  /** Number of training points (logged values) the split yields. */
  readonly points: number;
}

/**
 * Counts the compute of a split's training runs: runs, steps, points and
 * (with `cost`) cost units. A cut run trained to `z_cut` costs `cost(m, z_cut)`:
 * the runs are trained from scratch to the cut, not cut from a longer run.
 */
export function splitCompute(
  runSet: RunSet,
  split: Split,
  cost?: (scale: string, steps: number) => number,
): SplitCompute {
  let steps = 0;
  let c = 0;
  let points = 0;
  for (const t of split.train) {
    const run = runSet.runs[t.run];
    if (run === undefined)
      throw new ValidationError(`split names run index ${t.run}, not in the run set`);
    steps += t.upTo;
    if (cost !== undefined) c += cost(run.scale, t.upTo);
    points += t.finalOnly ? 1 : run.steps.filter((z) => z <= t.upTo).length;
  }
  return cost === undefined
    ? { runs: split.train.length, steps, points }
    : { runs: split.train.length, steps, cost: c, points };
}
