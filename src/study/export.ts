/**
 * Exports of a study: CSV (one row per trial, or one row per curve point) and
 * JSON (config, trials, curves). Pure functions returning text.
 */
import { csvCell } from '../core/index.ts';
import type { Study } from './study.ts';

function csv(rows: readonly (readonly unknown[])[]): string {
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

/**
 * One row per trial: id, state, attempts, scale, steps, parent, cost, one
 * column per domain weight, the last study-metric value and its step, error.
 */
export function exportTrialsCsv(study: Study): string {
  const domains = study.config.domains.map((d) => d.name);
  const history = study.history();
  const byId = new Map(history.runs.map((r) => [r.id, r]));
  const rows: unknown[][] = [
    [
      'trial',
      'state',
      'attempts',
      'scale',
      'steps',
      'parent',
      'cost',
      ...domains.map((d) => `w_${d}`),
      'last_step',
      `last_${study.config.metric.name}`,
      'job_id',
      'error',
    ],
  ];
  for (const t of study.trials()) {
    const run = byId.get(String(t.id));
    const lastPoint = run?.curve[run.curve.length - 1];
    rows.push([
      t.id,
      t.state,
      t.attempts,
      t.scale,
      t.steps,
      t.parent,
      t.cost,
      ...t.mixture,
      lastPoint?.step,
      lastPoint?.value,
      t.job?.jobId,
      t.error,
    ]);
  }
  return csv(rows);
}

/** One row per reported point: trial, metric, step, value. */
export function exportPointsCsv(study: Study): string {
  const rows: unknown[][] = [['trial', 'metric', 'step', 'value']];
  for (const p of study.points()) rows.push([p.trial, p.metric, p.step, p.value]);
  return csv(rows);
}

/** Everything: the config, the trials with their points, and the status. */
export function exportJson(study: Study): unknown {
  const points = study.points();
  return {
    study: study.name,
    config: study.config,
    status: study.status(),
    trials: study.trials().map((t) => ({
      ...t,
      points: points
        .filter((p) => p.trial === t.id)
        .map(({ metric, step, value }) => ({ metric, step, value })),
    })),
  };
}
