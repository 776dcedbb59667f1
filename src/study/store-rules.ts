/**
 * The rules every {@link StudyStore} applies, written once for the SQLite
 * store (./store.ts) and the in-memory one (./memory-store.ts): which points a
 * tell accepts, what a failed attempt, a stop or an expired lease turns a
 * trial into, and the errors that name a missing study or trial. The stores
 * only differ in how they keep the records.
 */
import type {
  FailOptions,
  PointInput,
  StopOptions,
  StudyConfig,
  TrialState,
} from '../core/index.ts';
import { NotFoundError, StateError, ValidationError } from '../core/index.ts';

/** Metric names a trial may report for a study. */
export function reportableMetrics(config: StudyConfig): string[] {
  return config.metric.combine !== undefined
    ? config.metric.combine.map((p) => p.metric)
    : [config.metric.name];
}

/** A reported point after validation. */
export interface CleanPoint {
  readonly metric: string;
  readonly step: number;
  readonly value: number;
}

/**
 * Checks the points of a tell on trial `id` (of `steps` steps) and fills in the metric.
 * @throws ValidationError for an unknown metric, a step outside 1..steps or a non-finite value.
 */
export function cleanPoints(
  cfg: StudyConfig,
  study: string,
  id: number,
  steps: number,
  points: readonly PointInput[],
): CleanPoint[] {
  const allowed = reportableMetrics(cfg);
  return points.map((p) => {
    const metric = p.metric ?? (cfg.metric.combine === undefined ? cfg.metric.name : undefined);
    if (metric === undefined || !allowed.includes(metric)) {
      throw new ValidationError(
        `metric ${metric === undefined ? '(none given)' : `'${metric}'`} is not reported by study '${study}'; accepted: ${allowed.join(', ')}`,
        { metric, accepted: allowed },
      );
    }
    if (
      typeof p.step !== 'number' ||
      !Number.isSafeInteger(p.step) ||
      p.step < 1 ||
      p.step > steps
    ) {
      throw new ValidationError(
        `step ${String(p.step)} is outside trial ${id}'s length; accepted: an integer in 1..${steps}`,
        { step: p.step, steps },
      );
    }
    if (typeof p.value !== 'number' || !Number.isFinite(p.value)) {
      throw new ValidationError(
        `value ${String(p.value)} at step ${p.step} is not a finite number; report a diverged run with --failed instead`,
        { value: String(p.value), step: p.step },
      );
    }
    return { metric, step: p.step, value: p.value };
  });
}

/** @throws ValidationError unless `n` (the trials asked for) is a positive integer. */
export function checkAskCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1)
    throw new ValidationError(`--n must be a positive integer, got ${String(n)}`, { n });
}

/** @throws ValidationError unless `id` is a positive integer. */
export function checkTrialId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new ValidationError(`a trial id is a positive integer, got ${String(id)}`, {
      trial: id,
    });
  }
}

/** The error for trial `id` missing from a study of `n` trials. */
export function noSuchTrial(study: string, id: number, n: number): NotFoundError {
  return new NotFoundError(
    `study '${study}' has no trial ${id}${n > 0 ? ` (its trials are 1..${n})` : ' (it has no trials yet; run mixopt ask)'}`,
    { study, trial: id },
  );
}

/**
 * The study named `name` among `names` (those in the store at `path`), or the only one.
 * @throws NotFoundError naming the studies that exist.
 */
export function resolveStudyName(
  names: readonly string[],
  name: string | undefined,
  path: string,
): string {
  if (name === undefined) {
    if (names.length === 1) return names[0] as string;
    if (names.length === 0)
      throw new NotFoundError(
        `database '${path}' holds no study; create one with 'mixopt study create study.yaml --db ${path}'`,
      );
    throw new NotFoundError(
      `database '${path}' holds ${names.length} studies (${names.join(', ')}); choose one with --study`,
      { studies: names },
    );
  }
  if (!names.includes(name))
    throw new NotFoundError(
      `no study '${name}' in '${path}'; it holds: ${names.join(', ') || '(none)'}`,
      { study: name, studies: names },
    );
  return name;
}

/** The error for a second study named `name`. */
export function studyExists(name: string, path: string): StateError {
  return new StateError(
    `study '${name}' already exists in '${path}'; pick another name or another --db`,
    { study: name },
  );
}

/**
 * Refuses a report from `owner` on a trial now held by `holder` (a worker whose
 * lease expired and whose trial was handed out again).
 * @throws StateError naming both workers.
 */
export function checkHolder(
  study: string,
  id: number,
  action: string,
  owner: string | undefined,
  holder: string | undefined,
  attempts: number,
): void {
  if (owner !== undefined && holder !== undefined && holder !== owner)
    throw new StateError(
      `cannot ${action} trial ${id} of study '${study}': it is now held by '${holder}' (attempt ${attempts}), not by '${owner}'; the lease of '${owner}' expired and the trial was handed out again, so this report is refused and the study unchanged`,
      { study, trial: id, owner: holder, attempt: attempts, refused: owner, action },
    );
}

/** @throws StateError when a trial to complete has not reported every metric in `missing`. */
export function checkComplete(study: string, id: number, missing: readonly string[]): void {
  if (missing.length > 0) {
    throw new StateError(
      `trial ${id} has reported no value of ${missing.join(', ')}; tell at least one point (--step, --value) before --final, or use --failed`,
      { trial: id, missing, study },
    );
  }
}

/**
 * Checks a failed attempt's text and options.
 * @throws ValidationError for an empty `error` or a `charged` that is not a non-negative number.
 */
export function checkFail(id: number, error: string, options: FailOptions = {}): void {
  if (typeof error !== 'string' || error.trim() === '')
    throw new ValidationError(
      `a failed attempt needs an error text saying what went wrong, got ${JSON.stringify(error)}`,
      { trial: id },
    );
  const { charged } = options;
  if (charged !== undefined && !(charged >= 0 && Number.isFinite(charged)))
    throw new ValidationError(
      `charged is the cost a failed attempt used, a non-negative number, got ${String(charged)}`,
      { trial: id, charged },
    );
}

/** What a failed attempt turns a trial into: `pending` while attempts are left, else `failed`. */
export function failOutcome(
  error: string,
  attempts: number,
  maxAttempts: number,
): { readonly final: boolean; readonly text: string } {
  const final = attempts >= maxAttempts;
  const text = final
    ? `${error} (attempt ${attempts} of ${maxAttempts}; not retried)`
    : `${error} (attempt ${attempts} of ${maxAttempts}; will be retried)`;
  return { final, text };
}

/**
 * What a stop turns a trial into (cost `c`, `z` steps, continuing a trial of
 * `z_p` steps, last reported step `z_l`, or none): `completed` at `z_l`,
 * charged `c (z_l - z_p) / (z - z_p)` (or `c · trained`); with no step of its
 * own reported, `failed`, charged nothing (or `c · trained`).
 * @throws ValidationError for a `trained` outside [0, 1].
 */
export function stopOutcome(
  cost: number,
  steps: number,
  parentSteps: number,
  last: number | undefined,
  options: StopOptions = {},
): {
  readonly state: TrialState;
  readonly steps: number;
  readonly cost: number;
  readonly error: string;
} {
  const { trained } = options;
  if (trained !== undefined && !(trained >= 0 && trained <= 1))
    throw new ValidationError(
      `trained is the fraction of the trial's training done, in [0, 1], got ${String(trained)}`,
      { trained },
    );
  if (last === undefined || last <= parentSteps) {
    return {
      state: 'failed',
      steps,
      cost: trained === undefined ? 0 : cost * trained,
      error: 'stopped early by the optimiser before it reported a step',
    };
  }
  const frac = (last - parentSteps) / Math.max(1, steps - parentSteps);
  return {
    state: 'completed',
    steps: last,
    cost: trained === undefined ? cost * Math.min(1, frac) : cost * trained,
    error: `stopped early by the optimiser at step ${last} of ${steps}`,
  };
}

/** The state and error text of a running trial whose lease expired on attempt `attempts`. */
export function expiredOutcome(
  attempts: number,
  maxAttempts: number,
): { readonly state: TrialState; readonly error: string } {
  return attempts >= maxAttempts
    ? {
        state: 'failed',
        error: `lease expired on attempt ${attempts} of ${maxAttempts}; not retried`,
      }
    : { state: 'stale', error: `lease expired on attempt ${attempts}` };
}
