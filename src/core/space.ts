/**
 * Building a {@link SearchSpace} from a {@link Testbed} and one of its metrics.
 */
import { NotFoundError } from './errors.ts';
import type { SearchSpace, Testbed } from './interfaces.ts';

/** Options for {@link spaceFromTestbed}. */
export interface SpaceOptions {
  /** Restrict the step lengths an optimiser may propose. */
  readonly stepCandidates?: readonly number[];
}

/**
 * The search space of `testbed` for `metric`: its domains, scale ladder,
 * steps, target, cost and (for replay testbeds) candidate mixtures.
 * @throws NotFoundError when the testbed has no such metric.
 */
export function spaceFromTestbed(
  testbed: Testbed,
  metric: string,
  options: SpaceOptions = {},
): SearchSpace {
  const spec = testbed.metrics.find((m) => m.name === metric);
  if (spec === undefined) {
    throw new NotFoundError(
      `testbed '${testbed.name}' has no metric '${metric}'; known metrics: ${testbed.metrics.map((m) => m.name).join(', ')}`,
      { metric, known: testbed.metrics.map((m) => m.name) },
    );
  }
  const space: SearchSpace = {
    domains: testbed.domains,
    scales: testbed.scales,
    steps: testbed.steps,
    target: testbed.target,
    metric: spec,
    cost: (scale, steps) => testbed.cost(scale, steps),
    ...(options.stepCandidates !== undefined ? { stepCandidates: options.stepCandidates } : {}),
    ...(testbed.candidates !== undefined ? { candidates: testbed.candidates } : {}),
  };
  return space;
}
