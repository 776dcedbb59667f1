// Trajectories written by hand for the summary and scoreboard tests: each point is the value of
// the recommendation from charged cost x on (run order), on a testbed with one domain.
import type { Trajectory } from '../../src/bench/index.ts';
import type { Direction } from '../../src/core/index.ts';

/** A trajectory from (x, value) pairs (run order). */
export function handTrajectory(
  method: string,
  seed: number,
  pts: [number, number][],
  o: { direction?: Direction; budget?: number; targetCost?: number; metric?: string } = {},
): Trajectory {
  return {
    method,
    testbed: 't',
    metric: o.metric ?? 'm',
    direction: o.direction ?? 'minimize',
    seed,
    optimizerSeed: seed,
    budget: o.budget ?? 40,
    targetCost: o.targetCost ?? 10,
    points: pts.map(([x, value], run) => ({
      run,
      proposal: { mixture: [1], scale: 'L', steps: 1 },
      cost: 1,
      spent: x,
      x,
      confirm: false,
      recommended: [1],
      value,
    })),
  };
}
