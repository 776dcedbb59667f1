/**
 * A study config seen as an optimiser's search space, and its cost model.
 *
 * Cost unit: 100 steps of the target scale. With `cost.kind = flops` one step
 * of scale `m` costs `6 * N_m * T_m` FLOPs (`N` parameters, `T` tokens per
 * step; `T` taken equal across scales when not given), so
 * `c(m, z) = (N_m T_m) / (N_* T_*) * z / 100`. With `cost.kind = table`,
 * `c(m, z) = perStep[m] * z / 100`.
 */
import type { SearchSpace, StudyConfig, StudyConfigInput } from '../core/index.ts';
import { NotFoundError, ValidationError } from '../core/index.ts';
import { parseStudyConfig } from './config.ts';

/** The cost function `c(scale, steps)` of a study, in units of 100 target steps. */
export function studyCost(config: StudyConfig): (scale: string, steps: number) => number {
  const perStep = new Map<string, number>();
  if (config.cost.kind === 'table') {
    for (const [k, v] of Object.entries(config.cost.perStep)) perStep.set(k, v);
  } else {
    const target = config.scales.find((s) => s.name === config.target.scale);
    if (target === undefined)
      throw new NotFoundError(`unknown target scale '${config.target.scale}'`);
    const ref = target.params * (target.tokensPerStep ?? 1);
    for (const s of config.scales) perStep.set(s.name, (s.params * (s.tokensPerStep ?? 1)) / ref);
  }
  return (scale, steps) => {
    const c = perStep.get(scale);
    if (c === undefined) {
      throw new NotFoundError(
        `unknown scale '${scale}'; the study's scales are ${[...perStep.keys()].join(', ')}`,
      );
    }
    if (!(steps >= 0)) throw new ValidationError(`steps must be >= 0, got ${steps}`);
    return (c * steps) / 100;
  };
}

/**
 * The search space an optimiser sees for a study config, for code that drives
 * an optimiser itself (`createOptimizer(method, { space: searchSpace(config), seed })`)
 * instead of going through a {@link Study}. `config` is a study config as
 * written in a study file or an already validated one.
 * @throws ConfigError listing every problem of `config`.
 */
export function searchSpace(config: StudyConfigInput | StudyConfig): SearchSpace {
  return spaceFromStudy(parseStudyConfig(config));
}

/** The search space an optimiser sees for a validated study config. */
export function spaceFromStudy(config: StudyConfig): SearchSpace {
  const cost = studyCost(config);
  const bounded = config.domains.some((d) => d.min > 0 || d.max < 1);
  return {
    domains: config.domains.map((d) => d.name),
    ...(bounded ? { bounds: config.domains.map((d) => ({ min: d.min, max: d.max })) } : {}),
    scales: config.scales,
    steps: { min: config.steps.min, max: config.steps.max, logEvery: config.steps.logEvery },
    target: config.target,
    metric: { name: config.metric.name, direction: config.metric.direction },
    ...(config.steps.candidates !== undefined ? { stepCandidates: config.steps.candidates } : {}),
    cost,
  };
}
