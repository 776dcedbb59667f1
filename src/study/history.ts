/**
 * From stored trials and points to what an optimiser sees: a read-only
 * {@link History} whose curves hold the study metric only, and the study's
 * spend.
 *
 * The study metric at a step is the reported metric itself, or for a
 * combination `sum_j weight_j * metric_j` at the steps where every part was
 * reported. A continuation's curve is its parent's curve (up to the parent's
 * length) followed by its own points (its own win on a shared step).
 *
 * A trial that failed without training (failed for good, charged nothing,
 * no point of its own: a job that never started, such as a testbed query
 * with no answer) is shown as a failed proposal: its mixture, scale and
 * steps, an empty curve and no parent, so a failed continuation neither
 * hides the run it would have continued nor repeats that run's curve.
 */
import type {
  CurvePoint,
  History,
  RunRecord,
  StoredPoint,
  StudyConfig,
  TrialRecord,
} from '../core/index.ts';

/** The study metric's curve of each trial (own points only), ascending in step. */
export function metricCurves(
  config: StudyConfig,
  points: readonly StoredPoint[],
): Map<number, CurvePoint[]> {
  const byTrial = new Map<number, Map<number, Map<string, number>>>();
  for (const p of points) {
    let steps = byTrial.get(p.trial);
    if (steps === undefined) byTrial.set(p.trial, (steps = new Map()));
    let m = steps.get(p.step);
    if (m === undefined) steps.set(p.step, (m = new Map()));
    m.set(p.metric, p.value);
  }
  const parts = config.metric.combine ?? [{ metric: config.metric.name, weight: 1 }];
  const out = new Map<number, CurvePoint[]>();
  for (const [trial, steps] of byTrial) {
    const curve: CurvePoint[] = [];
    for (const [step, m] of steps) {
      let v = 0;
      let complete = true;
      for (const part of parts) {
        const x = m.get(part.metric);
        if (x === undefined) {
          complete = false;
          break;
        }
        v += part.weight * x;
      }
      if (complete) curve.push({ step, value: v });
    }
    curve.sort((a, b) => a.step - b.step);
    out.set(trial, curve);
  }
  return out;
}

/** The full curve of a trial, including what it inherits from the trials it continues. */
function fullCurve(
  t: TrialRecord,
  byId: ReadonlyMap<number, TrialRecord>,
  own: ReadonlyMap<number, CurvePoint[]>,
): CurvePoint[] {
  const mine = own.get(t.id) ?? [];
  if (t.parent === undefined) return mine;
  const parent = byId.get(t.parent);
  if (parent === undefined) return mine;
  const inherited = fullCurve(parent, byId, own).filter((p) => p.step <= parent.steps);
  const steps = new Set(mine.map((p) => p.step));
  return [...inherited.filter((p) => !steps.has(p.step)), ...mine].sort((a, b) => a.step - b.step);
}

/** Cost actually spent by a trial: all of it when completed, else the part up to its last reported step. */
export function spentOn(t: TrialRecord, curve: readonly CurvePoint[], parentSteps: number): number {
  if (t.state === 'completed') return t.cost;
  if (t.state === 'running' || curve.length === 0) return 0;
  const last = curve[curve.length - 1]?.step ?? parentSteps;
  const frac = (last - parentSteps) / Math.max(1, t.steps - parentSteps);
  return t.cost * Math.min(1, Math.max(0, frac));
}

/** Spend of a study: cost spent, and full cost of trials handed out but not finished. */
export function studySpend(
  trials: readonly TrialRecord[],
  curves: ReadonlyMap<number, CurvePoint[]>,
): { spent: number; committed: number } {
  const byId = new Map(trials.map((t) => [t.id, t]));
  let spent = 0;
  let committed = 0;
  for (const t of trials) {
    const parentSteps = t.parent === undefined ? 0 : (byId.get(t.parent)?.steps ?? 0);
    const own = curves.get(t.id) ?? [];
    spent += spentOn(t, own, parentSteps);
    if (t.state === 'running' || t.state === 'pending' || t.state === 'stale') committed += t.cost;
  }
  return { spent, committed };
}

/** The history an optimiser sees: every trial, with the study metric's curve. */
export function historyFromStudy(
  config: StudyConfig,
  trials: readonly TrialRecord[],
  points: readonly StoredPoint[],
): History {
  return historyFromCurves(config, trials, metricCurves(config, points));
}

/**
 * {@link historyFromStudy} given the study metric's curve of each trial
 * (`own`, as {@link metricCurves} computes it: own points only).
 */
export function historyFromCurves(
  config: StudyConfig,
  trials: readonly TrialRecord[],
  own: ReadonlyMap<number, CurvePoint[]>,
): History {
  const byId = new Map(trials.map((t) => [t.id, t]));
  const runs: RunRecord[] = trials.map((t) => {
    const untrained = t.state === 'failed' && t.cost === 0 && (own.get(t.id)?.length ?? 0) === 0;
    return {
      id: String(t.id),
      mixture: t.mixture,
      scale: t.scale,
      steps: t.steps,
      curve: untrained ? [] : fullCurve(t, byId, own),
      state: t.state,
      cost: t.cost,
      ...(t.parent !== undefined && !untrained ? { parent: String(t.parent) } : {}),
    };
  });
  const { spent } = studySpend(trials, own);
  return { runs, spent, ...(config.budget !== undefined ? { budget: config.budget } : {}) };
}
