/**
 * Validation of testbed queries `(w, m, z, metric)` shared by every built-in
 * testbed: one place that names the bad value and the accepted range.
 */
import {
  type MetricSpec,
  type Mixture,
  NotFoundError,
  type Scale,
  type StepRange,
  ValidationError,
  validateMixture,
} from '../core/index.ts';

/** The parts of a testbed a query is checked against. */
export interface QueryShape {
  readonly name: string;
  readonly domains: readonly string[];
  readonly scales: readonly Scale[];
  readonly steps: StepRange;
  readonly metrics: readonly MetricSpec[];
}

/**
 * Index of `scale` on the ladder.
 * @throws NotFoundError naming the scale and the accepted names.
 */
export function scaleIndex(tb: QueryShape, scale: string): number {
  const i = tb.scales.findIndex((s) => s.name === scale);
  if (i < 0) {
    throw new NotFoundError(
      `unknown size '${scale}' for testbed '${tb.name}'; accepted sizes: ${tb.scales.map((s) => s.name).join(', ')}`,
      { scale, accepted: tb.scales.map((s) => s.name) },
    );
  }
  return i;
}

/**
 * Index of `metric` in the testbed's metric list.
 * @throws NotFoundError naming the metric and the accepted names.
 */
export function metricIndex(tb: QueryShape, metric: string): number {
  const i = tb.metrics.findIndex((m) => m.name === metric);
  if (i < 0) {
    throw new NotFoundError(
      `unknown metric '${metric}' for testbed '${tb.name}'; accepted metrics: ${tb.metrics.map((m) => m.name).join(', ')}`,
      { metric, accepted: tb.metrics.map((m) => m.name) },
    );
  }
  return i;
}

/**
 * Checks that `steps` is an integer in the testbed's step range.
 * @throws ValidationError naming the value and the accepted range.
 */
export function checkSteps(tb: QueryShape, steps: number): number {
  const r = tb.steps;
  if (!Number.isInteger(steps) || steps < r.min || steps > r.max) {
    throw new ValidationError(
      `steps = ${String(steps)} is out of range for testbed '${tb.name}': accepted integers ${r.min}..${r.max} (curve logged every ${r.logEvery})`,
      { steps, min: r.min, max: r.max },
    );
  }
  return steps;
}

/**
 * Validates a whole query; returns the scale index (and metric index when a
 * metric is given, else -1).
 * @throws ValidationError | NotFoundError
 */
export function checkQuery(
  tb: QueryShape,
  mixture: Mixture,
  scale: string,
  steps: number,
  metric?: string,
): { scale: number; metric: number } {
  validateMixture(
    mixture,
    tb.domains.length,
    `mixture for testbed '${tb.name}' (domains ${tb.domains.join(', ')})`,
  );
  const s = scaleIndex(tb, scale);
  checkSteps(tb, steps);
  const m = metric === undefined ? -1 : metricIndex(tb, metric);
  return { scale: s, metric: m };
}

/** The logged steps of a run trained for `steps`: every `logEvery` up to `steps`, plus `steps` itself. */
export function loggedSteps(range: StepRange, steps: number): number[] {
  const out: number[] = [];
  for (let z = range.logEvery; z <= steps; z += range.logEvery) if (z >= range.min) out.push(z);
  if (out.length === 0 || out[out.length - 1] !== steps) out.push(steps);
  return out;
}
