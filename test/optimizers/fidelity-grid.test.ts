import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/core/index.ts';
import {
  fidelityGrid,
  PAPER_STEP_FRACTIONS,
  roundSteps,
  stepGrid,
} from '../../src/optimizers/index.ts';
import { synthSpace } from './helpers.ts';
import { toySpace } from './toy-space.ts';

const space = synthSpace();

describe('fidelity grid', () => {
  it('the grid is every scale x {0.30, 0.61, 1} z_max rounded to the log interval', () => {
    assert.deepEqual(stepGrid(space), [6000, 12000, 19700]);
    const g = fidelityGrid(space);
    assert.equal(g.length, 9);
    assert.deepEqual(g[8], { scale: 'L', steps: 19700, cost: 197 });
    assert.deepEqual(stepGrid({ ...space, stepCandidates: [500, 100] }), [100, 500]);
  });
  it('rounds steps to the log interval and clamps them to the range', () => {
    const t = toySpace(); // steps 100..1000 by 100
    assert.equal(roundSteps(t, 449), 400);
    assert.equal(roundSteps(t, 450), 500);
    assert.equal(roundSteps(t, 20), 100);
    assert.equal(roundSteps(t, 5000), 1000);
    assert.deepEqual(
      PAPER_STEP_FRACTIONS.map((f) => roundSteps(t, f * 1000)),
      [300, 600, 1000],
    );
    assert.deepEqual(stepGrid(t, [0.01, 0.5, 0.52, 1]), [100, 500, 1000]);
  });

  it('pairs every given scale with every step at its cost, and refuses a cost that is not positive', () => {
    const t = toySpace(); // cost: L = steps / 100, S = steps / 1000
    assert.deepEqual(fidelityGrid(t, { scales: ['S'], steps: [200, 1000] }), [
      { scale: 'S', steps: 200, cost: 0.2 },
      { scale: 'S', steps: 1000, cost: 1 },
    ]);
    const free = toySpace({ cost: (scale) => (scale === 'S' ? 0 : 1) });
    assert.throws(
      () => fidelityGrid(free, { steps: [300] }),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.message === "cost(S, 300) = 0; a run's cost must be positive and finite",
    );
  });
});
