/**
 * The settings of `mfms-bo` (a public interface: every name is a setting users write in a
 * study file or a benchmark; each one is an ablation switch, bench/ablations.ts).
 */
import { z } from 'zod';
import { costAwareSettings } from '../gp-common.ts';

/** Settings of `mfms-bo` (each one an ablation switch). */
export const MfmsSettingsSchema = z.strictObject({
  initial: z.number().int().min(2).default(20),
  /**
   * `'sobol'`: the initial design's runs train distinct mixtures (scrambled Sobol) at random
   * sizes. `'nested'`: pairs, each mixture trained for the same steps at a random size of the
   * smaller half of the ladder and one of the larger half, so the first fit sees directly how
   * much mixture effects change with size. `'half-nested'`: the first half of the runs (rounded
   * down to whole pairs) in pairs, the rest distinct mixtures at random sizes (15 distinct
   * mixtures of 20 runs instead of 10).
   */
  initialDesign: z.enum(['sobol', 'nested', 'half-nested']).default('sobol'),
  /**
   * The initial design's first mixtures are the simplex's vertices (each domain alone): all `k`
   * of them when `k <= initial / 2`, else `floor(initial / 2)` of them in a seeded order; the
   * rest stay scrambled Sobol. A design of interior points only leaves the model's prediction at
   * a vertex to its prior, and on noisy runs the fitted mixture lengthscale is short, so the
   * acquisition sees nothing to gain there and never looks (a single-domain optimum is then
   * missed for good).
   */
  designVertices: z.boolean().default(false),
  /** Refit hyper-parameters every this many proposals (0: fit once, as the paper). */
  refitEvery: z.number().int().min(0).default(3),
  restarts: z.number().int().min(1).default(3),
  /**
   * How a refit starts: `'warm'` from the stored hyper-parameters (one start); `'warm-or-fresh'`
   * also one start from the default point, the fit with the larger marginal likelihood kept (a
   * warm start can stay in a basin the data have left, e.g. the kernel's output scale on its
   * floor and every difference between runs taken as noise). Default `'warm-or-fresh'` with
   * `sizeCheck` (since 2026-12-07, chosen on the full suite: BENCHMARKS.md, "A fresh start at
   * every refit, and the size lengthscale checked on target runs").
   */
  refitStart: z.enum(['warm', 'warm-or-fresh']).default('warm-or-fresh'),
  scaleEncoding: z.enum(['log', 'linear']).default('log'),
  stepEncoding: z.enum(['log', 'linear']).default('log'),
  wKernel: z.enum(['rbf', 'matern52']).default('matern52'),
  ard: z.boolean().default(false),
  /**
   * Prior mean: `'linear'` in every input (mixture, size, steps), `'fidelity'` linear in size and
   * steps only (the mixture's effect left to the kernel, so the small models' ranking of
   * mixtures is not extrapolated linearly to the target), or `'constant'`.
   */
  mean: z.enum(['linear', 'fidelity', 'constant']).default('fidelity'),
  /**
   * With `mean: 'fidelity'`: `'linear'` in the scaled size and steps, or `'quadratic'` (also
   * `s^2`, `t^2`, `s t`), so the curvature of the loss in size and steps is the mean's and the
   * kernel is left with how mixtures differ. `'power-law'` (with the log transform): the GP
   * models `log y - log L(N, D)`, `L = E + A n^-alpha + B d^-beta` fitted to the data
   * (src/gp/power-law-trend.ts), plus the linear mean; otherwise as `'linear'`.
   */
  trend: z.enum(['linear', 'quadratic', 'power-law']).default('power-law'),
  /**
   * With `mean: 'fidelity'`: `'size'` adds prior-mean terms `b_i w_i (s - s*)` (`s` the encoded
   * size, `s*` the target's; one per domain but the last), so a domain's effect can drift
   * linearly with log model size and the predicted best mixture at the target can lie where the
   * small runs' trend points, not only where the small runs put it. Each `b_i` has a Gaussian
   * prior `N(0, 1 / interactionPrecision)` in standardised units (a ridge: with many domains and
   * few sizes a flat prior would explain every mixture effect of the small runs as a drift).
   * The terms vanish at the target size. `'size-steps'`: also `c_i w_i (t - t*)` (`t` the
   * encoded steps), so a domain's effect can drift along the learning curve too (e.g. a small
   * domain whose repeated tokens help less the longer it trains), under the same prior.
   * `'none'`: no such terms.
   */
  interaction: z.enum(['none', 'size', 'size-steps']).default('none'),
  /** With `interaction`: the prior precision of each drift coefficient. */
  interactionPrecision: z.number().gt(0).default(1),
  /**
   * With `mean: 'fidelity'`: `'quadratic'` adds prior-mean terms `q_ij w_i w_j` (`i <= j`), a
   * quadratic in the mixture shared by every size, each `q_ij` under a Gaussian prior
   * `N(0, 1 / mixtureMeanPrecision)` in standardised units. Mixing laws make the loss a smooth,
   * mostly convex function of the mixture; where noise makes the kernel's mixture lengthscale
   * short, the GP alone reverts to a flat mean between runs, and its predicted optimum follows
   * single lucky runs. The quadratic pools every run into one bowl, and the GP models what it
   * misses. `'linear'`: terms `q_i w_i` (`i < k - 1`) only, a mixture effect linear in the
   * weights (the log-linear mixing law with the log transform); with `interaction: 'size'` its
   * coefficients then change linearly with log size. `'none'`: the mixture's effect is the
   * kernel's alone.
   */
  mixtureMean: z.enum(['none', 'linear', 'quadratic']).default('none'),
  /** With `mixtureMean`: the prior precision of each of its coefficients. */
  mixtureMeanPrecision: z.number().gt(0).default(1),
  /**
   * With `mixtureMean` or `interaction`: `'evidence'` fits, at every hyper-parameter fit, the GP
   * with those terms and the GP without them, and keeps the one with the larger evidence (the
   * marginal likelihood with the terms' coefficients integrated over their prior, so their
   * number is paid for); the model kept is used until the next fit. `'target'`: the one that
   * better predicts the target-size runs held out one at a time (as `sizeCheck` scores), once at
   * least 3 such runs exist (short probes included), and the one without the terms before.
   * `'none'`: the terms always.
   */
  meanSelect: z.enum(['none', 'evidence', 'target']).default('none'),
  noise: z.enum(['learned', 'fixed']).default('learned'),
  /**
   * `'learned'`: the points of one run's learning curve share a random offset of learned variance
   * (seed-to-seed noise is shared along a curve), which the GP treats as noise: a run counts as
   * one noisy look at its mixture, not as many independent ones. `'none'`: every point's noise
   * is independent. `'by-size'`: as `'learned'`, with the offsets' variance log-linear in the
   * run's encoded size (`v(m) = v* exp(gamma (s(m) - s(m*)))`, gamma fitted): small runs may be
   * noisier than large ones, and a run's value of information says so. `'auto'`: `'none'` with
   * the mixture lengthscale floored (`wLengthscaleFloor`, 0.25 when that is 0) until a fit stops
   * on the floor, i.e. the data would rather explain each run as its own mixture effect than as a
   * smooth function of the mixture, the sign of noise shared along curves; from that fit on
   * (for good: the switch is saved with the state), `'by-size'` with the floor kept.
   */
  runNoise: z.enum(['learned', 'by-size', 'none', 'auto']).default('auto'),
  /**
   * With run offsets: 0 keeps every run's offset. `z > 0`: a run whose fitted offset is more than
   * `z` of its prior sds from 0 loses its offset (the GP is conditioned again on the same
   * hyper-parameters), so its deviation counts as its mixture's effect. A mixture far worse than
   * the rest can otherwise be explained as one very unlucky run and predicted best.
   */
  offsetLimit: z.number().min(0).default(0),
  /**
   * With run offsets by size (`runNoise: 'by-size'`, or `'auto'` once on): the offsets' variance
   * never grows with model size (`gamma <= 0`; small runs at least as noisy as large ones, as
   * published seed-to-seed spreads are). Without it a fit can explain target-size runs that
   * disagree with the small runs as target-size noise, instead of as a mixture effect that
   * changes with size.
   */
  noisierSmallRuns: z.boolean().default(false),
  /** `'target'`: improvement of the target prediction per cost; `'paper'`: EI at each fidelity / c^alpha. */
  acquisition: z.enum(['target', 'paper']).default('target'),
  /**
   * Default `'verified-or-confident'` (with `verify`; since session 14, 2026-12-07, chosen by paired
   * comparison over 16 seeds: BENCHMARKS.md, "The model's choice over a measured run"; before
   * that `'verified'`, chosen on the full suite: "The default verifies at the target").
   * `'stable'`: the stable rule (below;
   * the earlier default). `'posterior'`: argmin of the predicted target value; `'best-raw'`: best raw value at any
   * fidelity; `'pessimistic'`: smallest mean + sd at the target over the observed mixtures and the
   * predicted optimum; `'verified'`: the best completed target run once one exists, the
   * posterior until then; `'verified-posterior'`: the completed target run whose mixture is
   * predicted best at the target (posterior mean, so one lucky run is not chased), the
   * posterior until then; `'verified-or-confident'`: as `'verified'`, except that the
   * posterior's choice is recommended while it beats the best completed target run with
   * probability >= `pSwitch` (a model that is sure of an unverified mixture is followed).
   */
  recommend: z
    .enum([
      'stable',
      'posterior',
      'best-raw',
      'pessimistic',
      'verified',
      'verified-posterior',
      'verified-or-confident',
    ])
    .default('verified-or-confident'),
  /**
   * With `'verified'`, `'verified-posterior'` or `'verified-or-confident'`: the recommendation until a target run has
   * completed, `'posterior'` (the predicted argmin, which can jump with every refit),
   * `'stable'` (the stable rule, below) or `'pessimistic'` (the smallest mean + sd at the
   * target over the observed mixtures and the predicted optimum).
   */
  verifiedFallback: z.enum(['posterior', 'stable', 'pessimistic']).default('posterior'),
  /**
   * With `'verified'`: 0 recommends the best-measured completed target run. `z > 0`: the first
   * completed target run is kept until a later one's measured value beats it by more than
   * `z sqrt(2 v_t)`, `v_t` the model's noise variance of one target run (latent units), so the
   * luckiest of several noisy target runs is not chased (winner's curse). Noise-free fits have
   * `v_t` near 0 and switch as with 0.
   */
  verifiedSwitch: z.number().min(0).default(0),
  /**
   * With `'stable'`: replace the recommendation only when P(new better at the target) >= this;
   * with `verifyWhen: 'confident'` (and `'verified-or-confident'`): the probability a challenger
   * needs to beat the best verified mixture.
   */
  pSwitch: z.number().gt(0.5).lt(1).default(0.9),
  /**
   * With `'stable'`: `'pair'` switches when P(challenger better than the incumbent) >= pSwitch
   * (joint posterior of both); `'pair-or-mean'` also when P(challenger better than the
   * incumbent's predicted value) >= pSwitch, so a poorly known incumbent is not kept by its own
   * uncertainty.
   */
  switchTest: z.enum(['pair', 'pair-or-mean']).default('pair'),
  /**
   * With `'stable'`: scale the target variances in P(better), P(best) and the reported interval
   * by how badly the model predicted held-out runs at the largest sizes observed (never below 1;
   * mfms-calibration.ts), so a model that extrapolates poorly is not trusted to switch.
   */
  calibrate: z.boolean().default(false),
  /**
   * With `'stable'`: also consider the model's own argmin of the predicted target value (taken
   * only when its mean + sd is below every observed mixture's mean); false: observed mixtures only.
   */
  recommendSearch: z.boolean().default(true),
  /**
   * With `'stable'`: the challenger minimises `mean + recommendRisk * sd` of the predicted target
   * value (0: the smallest mean).
   */
  recommendRisk: z.number().min(0).default(0),
  /**
   * With `'stable'`: `'uniform'` starts from the uniform mixture (projected into the bounds) as
   * the incumbent, left only when another mixture is better at the target with probability
   * >= `pSwitch`; `'none'`: the first recommendation is the predicted best.
   */
  anchor: z.enum(['uniform', 'none']).default('none'),
  /**
   * A lognormal prior on every GP lengthscale, `log l ~ N(log lengthscalePrior, 1)` (input units;
   * 0: none): keeps the fit from assuming mixture effects carry unchanged across the whole ladder
   * when the data barely constrain it.
   */
  lengthscalePrior: z.number().min(0).default(0),
  /**
   * A floor on the GP's mixture lengthscale, as a fraction of the typical distance between two
   * random mixtures (`sqrt(2(k-1)/(k(k+1)))`, the root-mean-square L2 distance of two uniform
   * Dirichlet draws over `k` domains); 0 = none. Seed noise shared along a learning curve
   * otherwise lets the fit shrink the lengthscale until every run looks independent of its
   * neighbours (the model then explains noise as mixture effects and stops generalising).
   */
  wLengthscaleFloor: z.number().min(0).max(10).default(0),
  /**
   * A ceiling on the prior correlation of a mixture's effect between the smallest size and the
   * target, `exp(-(s(m_min) - s(m*))^2 / (2 l_s^2))` under the RBF kernel on the encoded size:
   * the size lengthscale `l_s` is capped so that it is at most this (1 = no cap). Without a cap
   * a fit on noisy data can take `l_s` to the top of its box, i.e. the mixture's effect the same
   * at every size, so small runs look as informative as target runs.
   */
  maxSizeCorrelation: z.number().gt(0).max(1).default(1),
  /**
   * Correlations `rho` of a mixture's effect between the smallest size and the target (as in
   * `maxSizeCorrelation`) to test at every hyper-parameter fit once at least 3 runs at the target
   * size exist (short probes included): each gives a candidate with the size lengthscale fixed
   * where that correlation is `rho` (see `sizeCheckFit`), and of the fit and its candidates the
   * one kept best predicts the target-size runs held out one at a time (whole curve out, log
   * density of its last point). Small sizes then weigh on the target only as much as they
   * predict target runs.
   * Default `[0.9, 0.5, 0.1]` (since 2026-12-07, with `refitStart: 'warm-or-fresh'`); empty:
   * one fit.
   */
  sizeCheck: z.array(z.number().gt(0).lt(1)).max(4).default([0.9, 0.5, 0.1]),
  /**
   * With `sizeCheck`: each candidate is refitted with its size lengthscale fixed (`'refit'`: one
   * warm-started restart; the other hyper-parameters adapt) or only conditioned on the first
   * fit's other hyper-parameters (`'condition'`, the default: one factorisation, far cheaper;
   * through the full suite final regret better than `'refit'` on 8 cases, worse on 6).
   */
  sizeCheckFit: z.enum(['refit', 'condition']).default('condition'),
  /**
   * `'auto'`: model `log y` when the metric is minimised and every observed value is positive
   * (losses: no negative loss is predicted, power laws become closer to linear); `'none'`: raw y.
   */
  transform: z.enum(['auto', 'none']).default('auto'),
  /** Points of each run's learning curve the GP sees at most (its last one always); 0: no cap. */
  pointsPerRun: z.number().int().min(0).default(0),
  /**
   * Cost exponent schedule: `'budget'` `alpha0 * (1 - spent / budget)` (cost matters less as
   * the budget is used up, however many runs it bought; `'iterations'` when the history has no
   * budget), or `'iterations'` `alpha0 * decay^t` (the paper's: hundreds of cheap runs drive it
   * to zero while the budget is barely touched).
   */
  alphaSchedule: z.enum(['iterations', 'budget']).default('budget'),
  /**
   * After the initial design, while less than this share of the spend so far went to runs at the
   * target size, only target-size runs (new or continued) are proposed. The model's belief that
   * small runs predict the target is only tested by target runs; without them it can confirm
   * itself on hundreds of cheap runs (0: no floor).
   */
  minTargetShare: z.number().min(0).max(1).default(0),
  /**
   * With `minTargetShare`: the floor applies only while the model's prior correlation of a
   * mixture's effect between the smallest size and the target (from its size lengthscale, as in
   * `maxSizeCorrelation`; the size check's choice once it runs) is at most this. The data then
   * say small runs predict the target poorly, and target-size runs are what can still inform it;
   * where small runs carry the answer the floor costs budget for nothing. 1: always.
   */
  targetShareWhen: z.number().gt(0).max(1).default(1),
  /**
   * Once the spend reaches one target run's cost, a size other than the target that already took
   * more than this share of the spend is not proposed (new runs or continuations), unless no
   * other size is affordable. A model sure that a cheap size predicts the target can otherwise
   * spend most of the budget on hundreds of runs there (1: no cap).
   */
  maxScaleShare: z.number().gt(0).max(1).default(1),
  /**
   * Where proposals go once a target run (target size and steps) has completed: `'any'` every
   * affordable size and steps, `'target'` target-size runs only (new, at any steps, or
   * continued). Default `'any'`: through the full suite, `'target'` was worse on 11 cases and
   * better on 4, as the small runs after verification are what finds challengers
   * (BENCHMARKS.md, "Five more changes on top of the default").
   */
  afterVerification: z.enum(['any', 'target']).default('any'),
  /**
   * Before any other proposal, test the recommendation at the target: when no run at the target
   * size reaches the target steps within a quarter of the typical mixture distance (see
   * `wLengthscaleFloor`) of the recommended mixture, propose one (or continue the nearest
   * partial target-size run of it). The model's belief that small runs predict the target is
   * only ever tested by target runs of the mixture it would recommend; without them a fit on
   * noisy small runs can take the effect of the mixture to be the same at every size and
   * confirm itself on hundreds of cheap runs.
   */
  verify: z.boolean().default(true),
  /**
   * Early stop (parallel runs): a running run that has logged at least 2 points is stopped when
   * the probability that its mixture beats the recommended one at the target falls below this
   * (0: never; src/optimizers/mfms/early-stop.ts). Only runs still training are asked about, so
   * a sequential study (one run at a time) is unchanged.
   */
  stopBelow: z.number().min(0).lt(0.5).default(0),
  /**
   * Parallel runs: while other runs are in flight (pending or running, or proposed earlier in the
   * same batch), a new proposal may bring the cost committed to runs in flight to at most this
   * share of the budget not yet spent (1: no cap beyond the budget). Asked for many proposals at
   * once, right after the initial design, the acquisition can otherwise commit most of the budget
   * to long target-size runs chosen on a posterior fitted to a handful of short runs. A proposal
   * with nothing else in flight (every proposal of a sequential study) is never capped.
   */
  maxInFlight: z.number().gt(0).max(1).default(1),
  /**
   * With `verify`: `'new'` verifies every recommended mixture that has no target run near it;
   * `'confident'`, once a target run has completed, only a recommended mixture that beats the
   * best-predicted verified one with probability >= `pSwitch` (fewer target runs spent).
   */
  verifyWhen: z.enum(['new', 'confident']).default('confident'),
  /**
   * With `verify`: verification starts once this share of the budget is spent (0: at once;
   * without a budget, at once). Before then the model has seen little, and a target run of its
   * first guess costs a large share of a small budget (default 0.25, chosen on the full suite
   * against 0 and 0.5: BENCHMARKS.md).
   */
  verifyFrom: z.number().min(0).lt(1).default(0.25),
  /**
   * With `verify`: before the first verification (no run at the target size reaches the target
   * steps yet), short target-size probes of this many mixtures, the best predicted at the target
   * (posterior mean, over the observed mixtures and the predicted optimum) that lie at least half
   * the typical mixture distance apart (see `wLengthscaleFloor`). Each probe trains to the
   * smallest step candidate at or above `probeSteps` of the target steps; once all have
   * completed, the verification continues the probe with the best observed value (the probes
   * share one fidelity, so their values compare) to the target steps. 1: no probes, the
   * recommended mixture alone is verified. A single verification tests one guess, the model's,
   * which may rest on small runs that do not transfer; a race of probes tests several. Default 3
   * (since 2026-12-07, chosen on the full suite against 1: BENCHMARKS.md, "Probes before the
   * first verification").
   */
  probes: z.number().int().min(1).default(3),
  /**
   * With `probes` > 1: when > 0, the last probe goes to the mixture with the smallest
   * `mean - probeOptimism * sd` at the target (spread from the others) instead of the next
   * smallest mean: one probe where the model is unsure, in case the small runs mislead it.
   */
  probeOptimism: z.number().min(0).default(0),
  /**
   * With `probes` > 1: the last probe goes to the observed mixture farthest (L2) from the other
   * probes and from every target-size run, instead of the next smallest mean: one probe where
   * the target size has not looked, in case the small runs mislead the model there (it is then
   * continued to the target steps only if it wins the race). Overrides `probeOptimism`.
   */
  probeExplore: z.boolean().default(false),
  /**
   * With `probes` > 1: the last probe goes to the uniform mixture (projected into the bounds,
   * or the listed candidate nearest to it), a control that needs no model, unless a probe
   * chosen by the model is already within the probes' spread of it. The race then continues the
   * model's choice to the target only if it beats training on everything equally. Overrides
   * `probeExplore` and `probeOptimism`.
   */
  probeUniform: z.boolean().default(false),
  /**
   * With `probes` > 1: races at the target size in all. Round `r` >= 2 starts once
   * `verifyFrom + (r - 1)(1 - verifyFrom) / probeRounds` of the budget is spent: `probes` short
   * target-size probes of new mixtures (the best predicted, away from every earlier target-size
   * run), and the best-valued one continued to the target steps only when it beats every earlier
   * probe at the probe steps. 1: one race, before the first verification.
   */
  probeRounds: z.number().int().min(1).default(1),
  /** With `probes` > 1: a probe's steps as a share of the target steps (rounded up to the step grid). */
  probeSteps: z.number().gt(0).lt(1).default(0.25),
  /**
   * With `verify`: until verification starts (`verifyFrom` of the budget spent), a proposal costs
   * at most this share of one target run (a new run at a pair whose cost is above it, or a
   * continuation whose extra cost is, is not proposed; when no pair fits, the cheapest one).
   * Before verification the model rests on the initial design and cheap runs; a long target-size
   * run chosen then commits a large share of the budget to that guess. 1: no cap.
   */
  earlyCostCap: z.number().gt(0).max(1).default(1),
  /** With `verify`: only while fewer than this many target-size runs reach the target steps. */
  verifyRuns: z.number().int().min(1).default(1000),
  /** With `'posterior'`: recommend a completed target run when it is within one sd of the optimum. */
  preferTargetRuns: z.boolean().default(true),
  continuations: z.boolean().default(true),
  /**
   * A new run is not proposed when a run at the same scale with at least as many steps has a
   * mixture within this L1 distance (0: exact repeats only). Off by default: on noisy testbeds
   * nearby repeats average the noise out, and forbidding them cost more than it saved
   * (BENCHMARKS.md, "MFMS-BO across problem kinds").
   */
  minDistance: z.number().min(0).max(2).default(0),
  alpha0: costAwareSettings.alpha0,
  decay: costAwareSettings.decay,
  /** Candidate mixtures scored at every fidelity (local maxima of target EI). */
  candidates: z.number().int().min(1).default(3),
  /**
   * The candidate mixtures (the local maxima of target EI) are kept only at L2 distance more
   * than this fraction of the typical distance between two random mixtures from each other
   * (0: any two more than 1e-3 apart in L1). When the model is nearly flat, the maxima crowd
   * around its incumbent and every candidate is a near-copy of it; spread, the later ones come
   * from other parts of the simplex, and the acquisition still decides whether they are worth a
   * run.
   */
  candidateSpread: z.number().min(0).max(4).default(0),
  starts: costAwareSettings.starts,
  rawSamples: z.number().int().min(0).default(128),
  maxObservations: z.number().int().min(10).default(250),
  /**
   * With more runs than `maxObservations` (each run then gives its final value only): keep the
   * best half by value and an even spread of the rest (`'best-and-spread'`), or an even spread
   * of all runs in history order (`'spread'`), so that what the GP sees does not depend on the
   * values themselves (on noisy data the best values are the luckiest runs, and the best raw
   * values are the largest runs).
   */
  capKeep: z.enum(['best-and-spread', 'spread']).default('best-and-spread'),
  /**
   * Hyper-parameters fitted on at most this many observations (a seeded subset; the GP still
   * conditions on all `maxObservations`): bounds a fit's cost when the cap is raised. Inactive
   * at the default cap.
   */
  fitPoints: z.number().int().min(10).default(500),
  stepFractions: costAwareSettings.stepFractions,
});
export type MfmsSettings = z.infer<typeof MfmsSettingsSchema>;
