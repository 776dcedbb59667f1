/**
 * MFMS-BO ablation variants: each registers `mfms-bo` with one default choice
 * toggled (settings merged over any given ones), under the name
 * `mfms-bo:abl-<variant>`. Imported by bench/ablations.ts in every benchmark
 * worker (the harness's `modules` option).
 */
import type { OptimizerContext } from '../src/core/index.ts';
import { createMfmsBo, hasOptimizer, registerOptimizer } from '../src/optimizers/index.ts';

/** Variant name -> the settings it changes, with the reason it is tested. */
export const ABLATIONS: Record<string, { settings: Record<string, unknown>; what: string }> = {
  'no-refit': {
    settings: { refitEvery: 0 },
    what: 'hyper-parameters fitted once (after the initial design), as the paper',
  },
  'linear-encoding': {
    settings: { scaleEncoding: 'linear', stepEncoding: 'linear' },
    what: "the paper's s = params/max, t = steps/max instead of log size and log steps",
  },
  'linear-steps': {
    settings: { stepEncoding: 'linear' },
    what: 't = steps/max (the paper) with the log size kept',
  },
  'paper-acquisition': {
    settings: { acquisition: 'paper' },
    what: "the paper's EI at each fidelity / c^alpha instead of target improvement per cost",
  },
  'best-raw': {
    settings: { recommend: 'best-raw' },
    what: 'recommend the best raw value at any fidelity instead of the predicted target optimum',
  },
  posterior: {
    settings: { recommend: 'posterior' },
    what: 'recommend the predicted target optimum (the default before 2026-11-29) instead of the best raw value',
  },
  pessimistic: {
    settings: { recommend: 'pessimistic' },
    what: 'recommend the smallest mean + sd at the target (observed mixtures and the predicted optimum) instead of the smallest mean',
  },
  verified: {
    settings: { recommend: 'verified' },
    what: 'recommend the best completed target run once one exists (the posterior until then)',
  },
  'no-continuations': {
    settings: { continuations: false },
    what: 'never continue an earlier run',
  },
  'initial-10': {
    settings: { initial: 10 },
    what: '10 initial design runs instead of 20',
  },
  'decay-0.97': {
    settings: { decay: 0.97 },
    what: 'cost exponent alpha_t = 0.97^t instead of 0.99^t (cost matters less, sooner)',
  },
  'rbf-w': {
    settings: { wKernel: 'rbf' },
    what: 'RBF instead of Matern-5/2 over the mixture',
  },
  'constant-mean': {
    settings: { mean: 'constant' },
    what: 'constant prior mean',
  },
  'fidelity-mean': {
    settings: { mean: 'fidelity' },
    what: 'prior mean linear in size and steps only (not in the mixture; the default since run 5)',
  },
  'linear-mean': {
    settings: { mean: 'linear' },
    what: 'prior mean linear in every input, mixture included (the default before run 5)',
  },
  'linear-trend': {
    settings: { trend: 'linear' },
    what: 'log loss with a mean linear in size and steps, no power-law trend (the default before 2026-12-06)',
  },
  'no-log': {
    settings: { transform: 'none', trend: 'linear' },
    what: 'raw values instead of log loss (and so no power-law trend)',
  },
  'min-distance': {
    settings: { minDistance: 0.05 },
    what: 'no new run within L1 0.05 of a run at the same scale with as many steps',
  },
  'anchor-uniform': {
    settings: { anchor: 'uniform' },
    what: 'the stable rule starts from the uniform mixture as its incumbent',
  },
  p80: {
    settings: { pSwitch: 0.8 },
    what: 'the stable rule switches at P(better) >= 0.8 instead of 0.9',
  },
  risk1: {
    settings: { recommendRisk: 1 },
    what: 'the stable rule ranks challengers by mean + sd at the target instead of the mean',
  },
  'risk1-no-search': {
    settings: { recommendRisk: 1, recommendSearch: false },
    what: "mean + sd, and observed mixtures only (never the model's own argmin)",
  },
  'no-search-rec': {
    settings: { recommendSearch: false },
    what: "the stable rule considers observed mixtures only, never the model's own argmin",
  },
  'points-3': {
    settings: { pointsPerRun: 3 },
    what: 'the GP sees at most 3 points of each learning curve (its last one always)',
  },
  'run-noise': {
    settings: { runNoise: 'learned' },
    what: "one learned offset per run shared by its curve's points (treated as noise)",
  },
  'run-noise-alpha-budget': {
    settings: { runNoise: 'learned', alphaSchedule: 'budget' },
    what: 'run offsets and the budget-tied cost exponent',
  },
  'run-noise-anchor': {
    settings: { runNoise: 'learned', anchor: 'uniform' },
    what: 'run offsets, and the uniform mixture as the first recommendation',
  },
  calibrate: {
    settings: { calibrate: true },
    what: 'P(better) and P(best) with variances scaled by the held-out runs calibration',
  },
  'run-noise-calibrate': {
    settings: { runNoise: 'learned', calibrate: true },
    what: 'run offsets and the held-out calibration',
  },
  'rn-cal-mean': {
    settings: { runNoise: 'learned', calibrate: true, switchTest: 'pair-or-mean' },
    what: "run offsets, held-out calibration, and switching when the challenger beats the incumbent's predicted value",
  },
  'run-noise-by-size': {
    settings: { runNoise: 'by-size' },
    what: 'one offset per run, its variance log-linear in the run size',
  },
  'w-floor-0.1': {
    settings: { wLengthscaleFloor: 0.1 },
    what: 'mixture lengthscale at least 0.1x the typical distance between two random mixtures',
  },
  'w-floor-0.25': {
    settings: { wLengthscaleFloor: 0.25 },
    what: 'mixture lengthscale at least 0.25x the typical distance between two random mixtures',
  },
  'w-floor-0.5': {
    settings: { wLengthscaleFloor: 0.5 },
    what: 'mixture lengthscale at least 0.5x the typical distance between two random mixtures',
  },
  'rn-size-floor': {
    settings: { runNoise: 'by-size', wLengthscaleFloor: 0.25 },
    what: 'run offsets by size and the mixture lengthscale floor 0.25',
  },
  'rn-auto': {
    settings: { runNoise: 'auto' },
    what: 'run offsets by size once a fit without them shrinks the mixture lengthscale below the floor',
  },
  'size-corr-0.9': {
    settings: { maxSizeCorrelation: 0.9 },
    what: 'the correlation of the mixture effect between the smallest size and the target at most 0.9',
  },
  'size-corr-0.5': {
    settings: { maxSizeCorrelation: 0.5 },
    what: 'the correlation of the mixture effect between the smallest size and the target at most 0.5',
  },
  'no-verify': {
    settings: { verify: false, recommend: 'stable' },
    what: 'no verification runs, and the stable rule (the default before 2026-12-07)',
  },
  verify: {
    settings: { verify: true, verifyFrom: 0, verifyWhen: 'new', recommend: 'stable' },
    what: 'a target run of the recommended mixture whenever it has none',
  },
  'verify-corr-0.9': {
    settings: {
      verify: true,
      verifyFrom: 0,
      verifyWhen: 'new',
      recommend: 'stable',
      maxSizeCorrelation: 0.9,
    },
    what: 'verify, and the size correlation at most 0.9',
  },
  'verify-small-noisier': {
    settings: {
      verify: true,
      verifyFrom: 0,
      verifyWhen: 'new',
      recommend: 'stable',
      noisierSmallRuns: true,
    },
    what: 'verify, and run offsets whose variance never grows with size',
  },
  'verify2-small-noisier': {
    settings: {
      verify: true,
      verifyFrom: 0,
      verifyWhen: 'new',
      recommend: 'stable',
      verifyRuns: 2,
      noisierSmallRuns: true,
    },
    what: 'verify while fewer than 2 target runs reach the target steps, and run offsets whose variance never grows with size',
  },
  'stop-0.05': {
    settings: { stopBelow: 0.05 },
    what: 'stop a running run when P(its mixture beats the recommendation at the target) < 0.05',
  },
  'stop-0.01': {
    settings: { stopBelow: 0.01 },
    what: 'stop a running run when P(its mixture beats the recommendation at the target) < 0.01',
  },
  'cap-spread': {
    settings: { capKeep: 'spread' },
    what: 'past maxObservations runs, an even spread of the runs instead of the best half and a spread',
  },
  'verify-verified': {
    settings: { verify: true, verifyFrom: 0, verifyWhen: 'new', recommend: 'verified' },
    what: 'verify, and recommend the best completed target run once one exists',
  },
  'verify-verified-posterior': {
    settings: { verify: true, verifyFrom: 0, verifyWhen: 'new', recommend: 'verified-posterior' },
    what: 'verify, and recommend the completed target run whose mixture is predicted best at the target',
  },
  'verify-confident-verified': {
    settings: { verify: true, verifyWhen: 'confident', recommend: 'verified', verifyFrom: 0 },
    what: "verify only confident challengers of the best verified mixture, and recommend 'verified'",
  },
  'verify-from-0': {
    settings: { verifyFrom: 0 },
    what: 'verification runs from the first proposal after the initial design',
  },
  'verify-from-0.25': {
    settings: { verifyFrom: 0.25 },
    what: 'verification runs only once a quarter of the budget is spent (the default since 2026-12-07)',
  },
  'verify-from-0.125': {
    settings: { verifyFrom: 0.125 },
    what: 'verification runs once an eighth of the budget is spent',
  },
  'small-noisier-verify': {
    settings: { noisierSmallRuns: true },
    what: 'the default (verification from a quarter of the budget) with run offsets whose variance never grows with size',
  },
  'verify-from-0.5': {
    settings: { verifyFrom: 0.5 },
    what: 'verification runs only once half of the budget is spent',
  },
  'verify-confident-verified-stable': {
    settings: {
      verify: true,
      verifyFrom: 0,
      verifyWhen: 'confident',
      recommend: 'verified',
      verifiedFallback: 'stable',
    },
    what: "verify confident challengers, recommend 'verified', and the stable rule until a target run completes",
  },
  'verify-confident-verified-or-confident': {
    settings: {
      verify: true,
      verifyFrom: 0,
      verifyWhen: 'confident',
      recommend: 'verified-or-confident',
    },
    what: 'verify confident challengers; recommend the best verified run unless the model is sure of another',
  },
  'verify-confident-verified-posterior': {
    settings: {
      verify: true,
      verifyFrom: 0,
      verifyWhen: 'confident',
      recommend: 'verified-posterior',
    },
    what: "verify only confident challengers of the best verified mixture, and recommend 'verified-posterior'",
  },
  'verify-p-0.7': {
    settings: { pSwitch: 0.7 },
    what: 'the default, with a challenger verified at the target once it beats the best verified mixture with probability >= 0.7 (not 0.9)',
  },
  'verified-posterior-q': {
    settings: { recommend: 'verified-posterior' },
    what: "the default (verification from a quarter of the budget), recommending 'verified-posterior' (target runs ranked by the model)",
  },
  'no-probes': {
    settings: { probes: 1 },
    what: 'verify the recommended mixture alone, without target-size probes of 3 mixtures first (the default before 2026-12-07, session 9)',
  },
  'probes-3': {
    settings: { probes: 3 },
    what: 'short target-size probes (a quarter of the steps) of the 3 best-predicted distinct mixtures before the first verification (the default since 2026-12-07, session 9)',
  },
  'probe-optimist': {
    settings: { probeOptimism: 2 },
    what: 'the third probe goes to the smallest mean - 2 sd at the target (where the model is unsure) instead of the third smallest mean',
  },
  'probe-rounds-2': {
    settings: { probeRounds: 2 },
    what: 'a second race of 3 new target-size probes once 62.5% of the budget is spent; its best continued to the target when it beats every earlier probe',
  },
  'early-cap-0.25': {
    settings: { earlyCostCap: 0.25 },
    what: 'the default, with no proposal above a quarter of a target run until verification starts (a quarter of the budget spent)',
  },
  'early-cap-0.5': {
    settings: { earlyCostCap: 0.5 },
    what: 'the default, with no proposal above half a target run until verification starts (a quarter of the budget spent)',
  },
  'verified-switch-1': {
    settings: { verifiedSwitch: 1 },
    what: "the default, keeping the first completed target run until a later one beats it by more than one sd of the difference of two target runs (the model's noise)",
  },
  'or-confident': {
    settings: { recommend: 'verified-or-confident' },
    what: "the default (probes, verification from a quarter of the budget), recommending the model's choice instead of the best completed target run while it beats that run with P >= pSwitch",
  },
  'probes-4': {
    settings: { probes: 4 },
    what: 'four target-size probes before the first verification instead of three',
  },
  'size-check': {
    settings: { sizeCheck: [0.9, 0.5, 0.1] },
    what: 'each fit also tried with the size lengthscale fixed where the smallest size correlates 0.9, 0.5 and 0.1 with the target; the one that best predicts held-out target-size runs kept',
  },
  'refit-fresh': {
    settings: { refitStart: 'warm-or-fresh' },
    what: 'every refit also from the default starting point, the fit with the larger marginal likelihood kept',
  },
  'refit-fresh-size-check': {
    settings: { refitStart: 'warm-or-fresh', sizeCheck: [0.9, 0.5, 0.1] },
    what: 'refit-fresh and size-check together',
  },
  'refit-fresh-size-cond': {
    settings: {
      refitStart: 'warm-or-fresh',
      sizeCheck: [0.9, 0.5, 0.1],
      sizeCheckFit: 'condition',
    },
    what: "refit-fresh-size-check with the candidates only conditioned (the first fit's other hyper-parameters kept)",
  },
  'warm-refit': {
    settings: { refitStart: 'warm', sizeCheck: [] },
    what: 'refits warm-started only and no size check (the default before 2026-12-07, session 11)',
  },
  'no-size-check': {
    settings: { sizeCheck: [] },
    what: 'no size check (the size lengthscale by marginal likelihood alone)',
  },
  'probes-from-0.125': {
    settings: { verifyFrom: 0.125 },
    what: 'the default (probes), with verification (and so the probes) from an eighth of the budget instead of a quarter',
  },
  'probes-3-pessimistic': {
    settings: { probes: 3, verifiedFallback: 'pessimistic' },
    what: 'probes-3 with the pessimistic fallback',
  },
  'fallback-pessimistic': {
    settings: { verifiedFallback: 'pessimistic' },
    what: 'the default, recommending the smallest mean + sd at the target (not the predicted argmin) until a target run completes',
  },
  'fallback-stable-uniform': {
    settings: { verifiedFallback: 'stable', anchor: 'uniform', switchTest: 'pair-or-mean' },
    what: 'the default, recommending (until a target run completes) the uniform mixture until another is better at the target with probability >= pSwitch, against the pair or the incumbent mean',
  },
  'candidate-spread': {
    settings: { candidateSpread: 0.5 },
    what: 'candidate mixtures at least half the typical distance between two random mixtures apart',
  },
  'candidate-spread-0.25': {
    settings: { candidateSpread: 0.25 },
    what: 'candidate mixtures at least a quarter of the typical distance between two random mixtures apart',
  },
  ard: {
    settings: { ard: true },
    what: 'one mixture lengthscale per domain (ARD) instead of one shared lengthscale',
  },
  'refit-every-1': {
    settings: { refitEvery: 1 },
    what: 'hyper-parameters refitted at every proposal instead of every third',
  },
  'probe-explore': {
    settings: { probeExplore: true },
    what: 'the last probe goes to the observed mixture farthest from the other probes and every target-size run',
  },
  'adaptive-target-share': {
    settings: { minTargetShare: 1 / 3, targetShareWhen: 0.5 },
    what: 'a third of the spend on target-size runs while the model says small runs predict the target poorly (correlation <= 0.5)',
  },
  'fallback-stable': {
    settings: { verifiedFallback: 'stable' },
    what: 'until a target run completes, the stable rule (the incumbent kept until another mixture beats it at the target with probability >= pSwitch) instead of the predicted argmin',
  },
  'probe-uniform': {
    settings: { probeUniform: true },
    what: 'the last probe goes to the uniform mixture, a control (unless a model probe is near it)',
  },
  drift: {
    settings: { interaction: 'size' },
    what: "prior-mean terms w_i (s - s*): a domain's effect may drift linearly with log size (ridge precision 1)",
  },
  'drift-4': {
    settings: { interaction: 'size', interactionPrecision: 4 },
    what: 'as drift, with a tighter prior on the drift coefficients (precision 4)',
  },
  'drift-steps': {
    settings: { interaction: 'size-steps' },
    what: "as drift, plus w_i (t - t*): a domain's effect may also drift along the learning curve",
  },
  'quadratic-w': {
    settings: { mixtureMean: 'quadratic' },
    what: 'a prior mean quadratic in the mixture (w_i w_j terms, ridge precision 1), shared by every size',
  },
  'linear-w-drift': {
    settings: { mixtureMean: 'linear', interaction: 'size' },
    what: 'a prior mean linear in the mixture whose coefficients drift linearly with log size (w_i and w_i (s - s*) terms, ridge precision 1)',
  },
  'quadratic-w-drift': {
    settings: { mixtureMean: 'quadratic', interaction: 'size' },
    what: 'a quadratic bowl in the mixture whose centre drifts linearly with log size (w_i w_j and w_i (s - s*) terms, ridge precision 1)',
  },
  'linear-w-drift-10': {
    settings: {
      mixtureMean: 'linear',
      interaction: 'size',
      mixtureMeanPrecision: 10,
      interactionPrecision: 10,
    },
    what: 'as linear-w-drift, with tighter priors on its coefficients (precision 10)',
  },
  'linear-w-drift-select': {
    settings: { mixtureMean: 'linear', interaction: 'size', meanSelect: 'evidence' },
    what: 'linear-w-drift or the default mean, whichever has the larger evidence at each fit',
  },
  'linear-w-drift-target': {
    settings: { mixtureMean: 'linear', interaction: 'size', meanSelect: 'target' },
    what: 'linear-w-drift or the default mean, whichever better predicts held-out target-size runs (the default before 3 exist)',
  },
  'linear-w': {
    settings: { mixtureMean: 'linear' },
    what: 'a prior mean linear in the mixture (w_i terms, ridge precision 1), shared by every size',
  },
  'initial-30': {
    settings: { initial: 30 },
    what: 'an initial design of 30 runs instead of 20',
  },
  'design-vertices': {
    settings: { designVertices: true },
    what: 'the initial design starts with the simplex vertices (each domain alone), the rest Sobol',
  },
  'nested-design': {
    settings: { initialDesign: 'nested' },
    what: 'the initial design in pairs: each mixture at a smaller and a larger size, same steps',
  },
  'offset-limit-3': {
    settings: { offsetLimit: 3 },
    what: 'a run whose fitted offset is more than 3 prior sds from 0 loses it (its deviation is its mixture effect)',
  },
  'nested-offset-limit-3': {
    settings: { initialDesign: 'nested', offsetLimit: 3 },
    what: 'the nested design and the offset limit',
  },
  'half-nested-offset-limit-3': {
    settings: { initialDesign: 'half-nested', offsetLimit: 3 },
    what: 'half the initial design in pairs (15 distinct mixtures of 20), and the offset limit',
  },
  'scale-share-0.4': {
    settings: { maxScaleShare: 0.4 },
    what: 'no size other than the target takes more than 40% of the spend (once one target run is spent)',
  },
  'after-verification-target': {
    settings: { afterVerification: 'target' },
    what: 'the default, with only target-size runs proposed once a target run has completed',
  },
  'small-noisier': {
    settings: { noisierSmallRuns: true },
    what: 'run offsets whose variance never grows with size',
  },
  'rn-size-cal-mean': {
    settings: { runNoise: 'by-size', calibrate: true, switchTest: 'pair-or-mean' },
    what: 'run offsets by size, held-out calibration, switching against the incumbent mean',
  },
  'target-share': {
    settings: { minTargetShare: 1 / 3 },
    what: 'at least a third of the spend on target-size runs after the initial design',
  },
  'ts-rn-size-cal-mean': {
    settings: {
      minTargetShare: 1 / 3,
      runNoise: 'by-size',
      calibrate: true,
      switchTest: 'pair-or-mean',
    },
    what: 'the target-share floor with run offsets by size, calibration and switching against the mean',
  },
  'rn-size-mean': {
    settings: { runNoise: 'by-size', switchTest: 'pair-or-mean' },
    what: "run offsets by size, and switching when the challenger beats the incumbent's predicted value",
  },
  'alpha-budget': {
    settings: { alphaSchedule: 'budget' },
    what: 'cost exponent alpha0 * (1 - spent/budget) (the default since 2026-12-06)',
  },
  'alpha-iterations': {
    settings: { alphaSchedule: 'iterations' },
    what: "the paper's per-iteration decay alpha0 * decay^t instead of alpha0 * (1 - spent/budget)",
  },
  'all-paper': {
    settings: {
      refitEvery: 0,
      scaleEncoding: 'linear',
      stepEncoding: 'linear',
      acquisition: 'paper',
      recommend: 'best-raw',
      continuations: false,
      wKernel: 'rbf',
    },
    what: 'every choice toggled back to the paper (close to mfms-bo:paper, but with our search)',
  },
};

for (const [name, v] of Object.entries(ABLATIONS)) {
  const method = `mfms-bo:abl-${name}`;
  if (hasOptimizer(method)) continue;
  registerOptimizer(
    method,
    (ctx: OptimizerContext) =>
      createMfmsBo({ ...ctx, settings: { ...v.settings, ...(ctx.settings ?? {}) } }),
    `mfms-bo ablation: ${v.what}`,
  );
}
