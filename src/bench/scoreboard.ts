/**
 * The suite's scoreboard: per case (one testbed, metric and noise setting,
 * methods × seeds) and across cases, the measures that say whether a method
 * wins on every kind of mixture problem. Pure functions of trajectories
 * (./trajectory.ts); the runner is ./suite.ts.
 *
 * Notation (one case):
 * - `v*` the reference optimum at the target; `c_t = c(m*, z*)` the cost of
 *   one target run; `B` the budget; `a = 2 c_t` where "anytime" starts.
 * - `f_s(x)` seed s's curve: the TRUE target value of the recommended mixture
 *   against charged cost x (a step function, ./step-function.ts).
 * - regret `r(v) = max(0, v − v*)` (minimise) or `max(0, v* − v)` (maximise);
 *   a value better than the reference (found by numeric search) counts as 0.
 *   `r_s(x) = r(f_s(x))`; before a seed's first point, `r_s(x) = r_u`, the
 *   regret of the uniform mixture `(1/k, …, 1/k)` (what one trains knowing
 *   nothing).
 * - final regret `R_s = r(f_s(∞))`, the regret of the last recommendation.
 * - anytime regret `A_s = (1 / (B − a)) ∫_a^B r_s(x) dx`, the mean regret
 *   of what a user gets who stops at a cost drawn uniformly from `[a, B]`
 *   (exact: the integral of a step function); when `B <= a`, `A_s = r_s(B)`.
 * - regression `G_s = max_{x >= a} ( r_s(x) − min_{x' <= x} r_s(x') )`, the
 *   largest rise of the regret above the seed's own best so far, counted
 *   from `a` on (the best so far includes what came before `a`); also
 *   reported as `G_s / r_u`.
 *
 * Across cases, for a method M and a baseline B: the median over cases of
 * `mean_s A_s(M) / mean_s A_s(B)` and of the same ratio of final regrets
 * (`0/0` counts as 1, `x/0` as +∞); wins: per case, every method with the
 * lowest mean final regret (and, separately, anytime regret) gets one.
 */
import type { Direction, Mixture } from '../core/index.ts';
import { medianWithNulls, quantileSorted, sampleStats } from './stats.ts';
import { evalStep, type StepFunction, stepFunction } from './step-function.ts';
import type { BenchSummary } from './summary.ts';
import type { Trajectory } from './trajectory.ts';

/** `r(v)`: the regret of value `v` against the reference `ref` (never negative). */
export function regretOf(direction: Direction, v: number, ref: number): number {
  return Math.max(0, direction === 'minimize' ? v - ref : ref - v);
}

/** The regret curve `r(f(x))` of a value curve. */
export function regretStep(f: StepFunction, direction: Direction, ref: number): StepFunction {
  return { xs: f.xs, values: f.values.map((v) => regretOf(direction, v, ref)) };
}

/**
 * Anytime regret `(1 / (to − from)) ∫_from^to r(x) dx` of a regret curve,
 * with `r = before` where the curve is not defined yet; `r(to)` when
 * `to <= from` (see the module comment).
 */
export function anytimeRegret(r: StepFunction, from: number, to: number, before: number): number {
  const at = (x: number): number => evalStep(r, x) ?? before;
  if (!(to > from)) return at(to);
  let area = 0;
  let x = from;
  for (const b of r.xs) {
    if (b <= x) continue;
    if (b >= to) break;
    area += at(x) * (b - x);
    x = b;
  }
  area += at(x) * (to - x);
  return area / (to - from);
}

/**
 * Regression `max_{x >= from} (r(x) − min_{x' <= x} r(x'))` of a regret curve
 * (0 when it never rises above its best so far after `from`).
 */
export function worstRegression(r: StepFunction, from: number): number {
  let best = Number.POSITIVE_INFINITY;
  let worst = 0;
  const n = r.xs.length;
  for (let i = 0; i < n; i++) {
    const v = r.values[i] as number;
    const end = i + 1 < n ? (r.xs[i + 1] as number) : Number.POSITIVE_INFINITY;
    if (end > from && Number.isFinite(best)) worst = Math.max(worst, v - best);
    best = Math.min(best, v);
  }
  return worst;
}

/** Mean and standard error. */
export interface MeanSem {
  readonly mean: number;
  readonly sem: number;
}

/** One method's scores on one case. */
export interface MethodScore {
  /** Seeds with a trajectory. */
  readonly seeds: number;
  readonly finalRegret: MeanSem;
  readonly anytimeRegret: MeanSem;
  /** Per seed (ascending seed index): final regret, anytime regret, regression. */
  readonly perSeed: {
    readonly seed: number[];
    readonly final: number[];
    readonly anytime: number[];
    readonly regression: number[];
  };
  /** The largest regression of any seed. */
  readonly worstRegression: number;
  /** `worstRegression / r_u`; null when the uniform mixture has no regret. */
  readonly worstRegressionRelative: number | null;
  /** Per baseline: the median over seeds of the per-seed sustained speedup (./speedup.ts); null = not reached. */
  readonly speedup: Record<string, number | null>;
  /** Seeds whose optimiser failed. */
  readonly failed: number;
}

/** A case of the suite, as scored. */
export interface CaseScore {
  readonly id: string;
  readonly testbed: string;
  readonly metric: string;
  readonly noise?: string;
  readonly direction: Direction;
  readonly budget: number;
  readonly targetCost: number;
  /** `v*`. */
  readonly reference: number;
  /** `r_u`, the regret of the uniform mixture at the target. */
  readonly uniformRegret: number;
  readonly methods: Record<string, MethodScore>;
}

/** What {@link scoreCase} needs besides the trajectories. */
export interface CaseInfo {
  readonly id: string;
  readonly testbed: string;
  readonly metric: string;
  readonly noise?: string;
  readonly reference: number;
  /** True target value of the uniform mixture. */
  readonly uniformValue: number;
  /** The benchmark summary of the case (for the per-seed speedups); optional. */
  readonly summary?: BenchSummary;
  /** Baselines of the speedups (default hyperband and random). */
  readonly speedupBaselines?: readonly string[];
}

/** Scores one case's trajectories (one metric, any methods and seeds). */
export function scoreCase(trajectories: readonly Trajectory[], info: CaseInfo): CaseScore {
  const first = trajectories[0];
  const direction: Direction = first?.direction ?? 'minimize';
  const budget = Math.max(0, ...trajectories.map((t) => t.budget));
  const targetCost = Math.max(0, ...trajectories.map((t) => t.targetCost));
  const from = 2 * targetCost;
  const ru = regretOf(direction, info.uniformValue, info.reference);
  const methods: Record<string, MethodScore> = {};
  const names = [...new Set(trajectories.map((t) => t.method))];
  const baselines = info.speedupBaselines ?? ['hyperband', 'random'];
  for (const m of names) {
    const ts = trajectories.filter((t) => t.method === m).sort((a, b) => a.seed - b.seed);
    const seed: number[] = [];
    const final: number[] = [];
    const anytime: number[] = [];
    const regression: number[] = [];
    for (const t of ts) {
      const r = regretStep(stepFunction(t.points), direction, info.reference);
      seed.push(t.seed);
      final.push(r.values.length > 0 ? (r.values[r.values.length - 1] as number) : ru);
      anytime.push(anytimeRegret(r, from, budget, ru));
      regression.push(worstRegression(r, from));
    }
    const worst = regression.length > 0 ? Math.max(...regression) : 0;
    const speedup: Record<string, number | null> = {};
    for (const b of baselines) {
      if (b === m || !names.includes(b)) continue;
      speedup[b] = info.summary?.speedups[m]?.[b]?.perSeedMedian[info.metric] ?? null;
    }
    methods[m] = {
      seeds: ts.length,
      finalRegret: meanSem(final),
      anytimeRegret: meanSem(anytime),
      perSeed: { seed, final, anytime, regression },
      worstRegression: worst,
      worstRegressionRelative: ru > 0 ? worst / ru : null,
      speedup,
      failed: ts.filter((t) => t.error !== undefined).length,
    };
  }
  return {
    id: info.id,
    testbed: info.testbed,
    metric: info.metric,
    ...(info.noise !== undefined ? { noise: info.noise } : {}),
    direction,
    budget,
    targetCost,
    reference: info.reference,
    uniformRegret: ru,
    methods,
  };
}

function meanSem(xs: readonly number[]): MeanSem {
  if (xs.length === 0) return { mean: Number.NaN, sem: Number.NaN };
  const s = sampleStats(xs);
  return { mean: s.mean, sem: s.sem };
}

/** `a / b` with `0/0 = 1` and `x/0 = +∞` (see the module comment). */
export function regretRatio(a: number, b: number): number {
  if (b > 0) return a / b;
  return a > 0 ? Number.POSITIVE_INFINITY : 1;
}

/** Median of finite-or-infinite numbers; null for none. */
function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  return quantileSorted(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
}

/** One target of the issue: its measured value, threshold and verdict. */
export interface TargetCheck {
  readonly id: 'final' | 'anytime' | 'speedup' | 'regression';
  readonly description: string;
  /** The measured quantity (a share, a speedup, a ratio); null when it cannot be computed. */
  readonly value: number | null;
  readonly threshold: number;
  /** null when a baseline it needs is missing. */
  readonly pass: boolean | null;
  /** Which cases fail it, or why it was not checked. */
  readonly detail: string;
}

/** Medians over cases of a method's regret ratios against one baseline. */
export interface RatioEntry {
  /** Median over cases of the anytime-regret ratio (null: no common case; +∞ is reported as null in JSON). */
  readonly anytime: number | null;
  readonly final: number | null;
  /** Per case id: the two ratios. */
  readonly perCase: Record<string, { anytime: number; final: number }>;
}

/** The scoreboard of a suite run. */
export interface Scoreboard {
  readonly suite: string;
  readonly methods: string[];
  /** The method the targets are checked for. */
  readonly subject: string;
  readonly seeds: number;
  readonly cases: CaseScore[];
  /** Cases that could not run (e.g. their data are missing), with the reason. */
  readonly skipped: { id: string; reason: string }[];
  /** `ratios[method][baseline]`. */
  readonly ratios: Record<string, Record<string, RatioEntry>>;
  /** Wins per method: lowest mean final regret, lowest mean anytime regret (ties: each). */
  readonly wins: Record<string, { final: number; anytime: number }>;
  readonly targets: TargetCheck[];
}

/** Options of {@link buildScoreboard}. */
export interface ScoreboardOptions {
  readonly suite: string;
  readonly seeds: number;
  /** Default `mfms-bo` when present, else the first method. */
  readonly subject?: string;
  /** Ratio baselines (default: hyperband, random, optuna-tpe, those present). */
  readonly baselines?: readonly string[];
  readonly skipped?: readonly { id: string; reason: string }[];
}

/** Relative tolerance of the "≤" comparisons of the targets (absorbs rounding). */
const TOL = 1e-12;

/** Aggregates scored cases (see the module comment) and checks the targets. */
export function buildScoreboard(cases: readonly CaseScore[], opts: ScoreboardOptions): Scoreboard {
  const methods = [...new Set(cases.flatMap((c) => Object.keys(c.methods)))];
  const subject =
    opts.subject ?? (methods.includes('mfms-bo') ? 'mfms-bo' : (methods[0] ?? 'mfms-bo'));
  const baselines = (opts.baselines ?? ['hyperband', 'random', 'optuna-tpe']).filter((b) =>
    methods.includes(b),
  );
  const ratios: Scoreboard['ratios'] = {};
  for (const m of methods) {
    ratios[m] = {};
    for (const b of baselines) {
      if (b === m) continue;
      const perCase: Record<string, { anytime: number; final: number }> = {};
      for (const c of cases) {
        const sm = c.methods[m];
        const sb = c.methods[b];
        if (sm === undefined || sb === undefined) continue;
        perCase[c.id] = {
          anytime: regretRatio(sm.anytimeRegret.mean, sb.anytimeRegret.mean),
          final: regretRatio(sm.finalRegret.mean, sb.finalRegret.mean),
        };
      }
      const vals = Object.values(perCase);
      ratios[m][b] = {
        anytime: median(vals.map((v) => v.anytime)),
        final: median(vals.map((v) => v.final)),
        perCase,
      };
    }
  }
  const wins: Scoreboard['wins'] = {};
  for (const m of methods) wins[m] = { final: 0, anytime: 0 };
  for (const c of cases) {
    for (const key of ['final', 'anytime'] as const) {
      const field = key === 'final' ? 'finalRegret' : 'anytimeRegret';
      const entries = Object.entries(c.methods).filter(([, s]) => Number.isFinite(s[field].mean));
      if (entries.length === 0) continue;
      const best = Math.min(...entries.map(([, s]) => s[field].mean));
      for (const [m, s] of entries) {
        if (s[field].mean <= best + TOL * Math.max(1, Math.abs(best))) {
          (wins[m] as { final: number; anytime: number })[key]++;
        }
      }
    }
  }
  return {
    suite: opts.suite,
    methods,
    subject,
    seeds: opts.seeds,
    cases: [...cases],
    skipped: [...(opts.skipped ?? [])],
    ratios,
    wins,
    targets: checkTargets(cases, subject),
  };
}

const leq = (a: number, b: number): boolean => a <= b + TOL * Math.max(1, Math.abs(b));

/** The four targets of the issue for `subject` (see docs/benchmarks.md). */
export function checkTargets(cases: readonly CaseScore[], subject: string): TargetCheck[] {
  const out: TargetCheck[] = [];
  const withAll = (bs: readonly string[]): CaseScore[] =>
    cases.filter((c) => c.methods[subject] !== undefined && bs.every((b) => c.methods[b]));
  const missing = (bs: readonly string[]): string =>
    `needs ${subject} and ${bs.join(' and ')} on some case`;

  const fc = withAll(['hyperband', 'random']);
  const finalFails = fc
    .filter((c) => {
      const s = (c.methods[subject] as MethodScore).finalRegret.mean;
      return !(
        leq(s, (c.methods['hyperband'] as MethodScore).finalRegret.mean) &&
        leq(s, (c.methods['random'] as MethodScore).finalRegret.mean)
      );
    })
    .map((c) => c.id);
  out.push({
    id: 'final',
    description: `${subject}'s mean final regret <= hyperband's and <= random's on every case`,
    value: fc.length > 0 ? (fc.length - finalFails.length) / fc.length : null,
    threshold: 1,
    pass: fc.length > 0 ? finalFails.length === 0 : null,
    detail:
      fc.length === 0
        ? missing(['hyperband', 'random'])
        : finalFails.length === 0
          ? `all ${fc.length} cases`
          : `fails on ${finalFails.join(', ')}`,
  });

  const ac = withAll(['hyperband']);
  const anyFails = ac
    .filter(
      (c) =>
        !leq(
          (c.methods[subject] as MethodScore).anytimeRegret.mean,
          0.5 * (c.methods['hyperband'] as MethodScore).anytimeRegret.mean,
        ),
    )
    .map((c) => c.id);
  const share = ac.length > 0 ? (ac.length - anyFails.length) / ac.length : null;
  out.push({
    id: 'anytime',
    description: `${subject}'s anytime regret <= 0.5x hyperband's on at least 80% of cases`,
    value: share,
    threshold: 0.8,
    pass: share === null ? null : share >= 0.8,
    detail:
      ac.length === 0
        ? missing(['hyperband'])
        : `${ac.length - anyFails.length} of ${ac.length} cases${anyFails.length > 0 ? `; not on ${anyFails.join(', ')}` : ''}`,
  });

  const sp = ac.map((c) => (c.methods[subject] as MethodScore).speedup['hyperband'] ?? null);
  const med = medianWithNulls(sp);
  out.push({
    id: 'speedup',
    description: `median over cases of ${subject}'s per-seed median sustained speedup over hyperband >= 2x`,
    value: med,
    threshold: 2,
    pass: ac.length === 0 ? null : med !== null && med >= 2,
    detail:
      ac.length === 0
        ? missing(['hyperband'])
        : `${sp.filter((x) => x === null).length} of ${sp.length} cases not reached`,
  });

  const rc = cases.filter((c) => c.methods[subject] !== undefined);
  const rel = rc.map((c) => {
    const s = c.methods[subject] as MethodScore;
    return s.worstRegressionRelative ?? (s.worstRegression > 0 ? Number.POSITIVE_INFINITY : 0);
  });
  const worst = rel.length > 0 ? Math.max(...rel) : null;
  const regFails = rc.filter((_, i) => (rel[i] as number) > 0.25).map((c) => c.id);
  out.push({
    id: 'regression',
    description: `no seed of ${subject} regresses by more than 0.25x the uniform mixture's regret after two target-run costs`,
    value: worst,
    threshold: 0.25,
    pass: rc.length === 0 ? null : regFails.length === 0,
    detail:
      rc.length === 0
        ? `needs ${subject} on some case`
        : regFails.length === 0
          ? `all ${rc.length} cases`
          : `fails on ${regFails.join(', ')}`,
  });
  return out;
}

/** The uniform mixture of `k` domains. */
export function uniformMixture(k: number): Mixture {
  return new Array<number>(k).fill(1 / k);
}
