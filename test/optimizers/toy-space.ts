// A small search space for optimiser unit tests (3 domains, 2 scales, steps 100..1000 by 100).
import type { SearchSpace } from '../../src/core/index.ts';

export function toySpace(overrides: Partial<SearchSpace> = {}): SearchSpace {
  return {
    domains: ['a', 'b', 'c'],
    scales: [
      { name: 'S', params: 1e7 },
      { name: 'L', params: 1e8 },
    ],
    steps: { min: 100, max: 1000, logEvery: 100 },
    target: { scale: 'L', steps: 1000 },
    metric: { name: 'loss', direction: 'minimize' },
    cost: (scale, steps) => (scale === 'L' ? 1 : 0.1) * (steps / 100),
    ...overrides,
  };
}
