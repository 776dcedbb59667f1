/**
 * Reading a history: the observations optimisers recommend from.
 */
import {
  activeRuns,
  type History,
  isBetter,
  type Recommendation,
  type RunRecord,
  type SearchSpace,
} from '../core/index.ts';

/** The last observed value of a run, or undefined when its curve is empty. */
export function lastValue(run: RunRecord): number | undefined {
  const p = run.curve[run.curve.length - 1];
  return p === undefined || !Number.isFinite(p.value) ? undefined : p.value;
}

/** The observed value of a run at exactly `step`, or undefined. */
export function valueAt(run: RunRecord, step: number): number | undefined {
  for (const p of run.curve) if (p.step === step && Number.isFinite(p.value)) return p.value;
  return undefined;
}

/** Whether `run` is a completed run at the target fidelity of `space`. */
export function isTargetRun(run: RunRecord, space: SearchSpace): boolean {
  return (
    run.state === 'completed' &&
    run.scale === space.target.scale &&
    run.steps === space.target.steps &&
    valueAt(run, space.target.steps) !== undefined
  );
}

/**
 * The best completed target-fidelity run (direction-aware; ties go to the
 * earlier run), or undefined when there is none.
 */
export function bestTargetRun(history: History, space: SearchSpace): RunRecord | undefined {
  let best: RunRecord | undefined;
  let bestValue = 0;
  for (const run of activeRuns(history)) {
    if (!isTargetRun(run, space)) continue;
    const v = valueAt(run, space.target.steps) as number;
    if (best === undefined || isBetter(space.metric.direction, v, bestValue)) {
      best = run;
      bestValue = v;
    }
  }
  return best;
}

/**
 * Recommends the best completed target-fidelity run; when no run reached the
 * target yet, the run with the best last value among those trained longest at
 * the largest scale observed (a fallback so a recommendation exists after the
 * first observation). Undefined before any observation.
 */
export function recommendBestObserved(
  history: History,
  space: SearchSpace,
): Recommendation | undefined {
  const best = bestTargetRun(history, space);
  if (best !== undefined) {
    return { mixture: best.mixture, runId: best.id, basis: 'best observed at the target' };
  }
  const order = new Map(space.scales.map((s, i) => [s.name, i]));
  let pick: RunRecord | undefined;
  let pickKey: [number, number, number] = [0, 0, 0];
  for (const run of activeRuns(history)) {
    const v = lastValue(run);
    if (v === undefined) continue;
    const last = run.curve[run.curve.length - 1]?.step ?? 0;
    const key: [number, number, number] = [order.get(run.scale) ?? -1, last, v];
    const better =
      pick === undefined ||
      key[0] > pickKey[0] ||
      (key[0] === pickKey[0] && key[1] > pickKey[1]) ||
      (key[0] === pickKey[0] &&
        key[1] === pickKey[1] &&
        isBetter(space.metric.direction, key[2], pickKey[2]));
    if (better) {
      pick = run;
      pickKey = key;
    }
  }
  if (pick === undefined) return undefined;
  return {
    mixture: pick.mixture,
    runId: pick.id,
    basis: `best observed at the largest fidelity reached (${pick.scale}, ${pickKey[1]} steps)`,
  };
}

/**
 * The mixture of the best raw observed value at any fidelity (every logged
 * point of every active run), or undefined before any observation.
 */
export function recommendBestRaw(history: History, space: SearchSpace): Recommendation | undefined {
  let best: Recommendation | undefined;
  let bestValue = 0;
  for (const run of activeRuns(history)) {
    for (const p of run.curve) {
      if (!Number.isFinite(p.value)) continue;
      if (best === undefined || isBetter(space.metric.direction, p.value, bestValue)) {
        bestValue = p.value;
        best = {
          mixture: run.mixture,
          runId: run.id,
          basis: `best observed value at any fidelity (${run.scale}, ${p.step} steps)`,
        };
      }
    }
  }
  return best;
}
