/**
 * The optimiser contract (src/core/interfaces.ts, `Optimizer`): every
 * registered optimiser must pass it. Budgets are tiny (three target runs on
 * the toy testbed) so GP-based optimisers stay fast.
 *
 * - reproducible from a seed: the same seed and the same histories give the
 *   same proposals (two fresh instances; and whole harness runs);
 * - proposals inside the space: on the simplex, within bounds, a declared
 *   scale, integer steps within range, continuations of an earlier run of the
 *   same mixture and scale with more steps;
 * - never exceeds the budget in the harness;
 * - a recommendation is defined (and inside the space) once any run has an
 *   observation, whatever its fidelity.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulateJob, type Trajectory } from '../../src/bench/index.ts';
import {
  type History,
  type Proposal,
  type RunRecord,
  type SearchSpace,
  spaceFromTestbed,
} from '../../src/core/index.ts';
import { createOptimizer, withinBounds } from '../../src/optimizers/index.ts';
import { toyTestbed } from '../bench/toy-testbed.ts';

const BUDGET = 30;

function assertInSpace(
  space: SearchSpace,
  p: Proposal,
  runs: readonly RunRecord[],
  what: string,
): void {
  const w = p.mixture;
  assert.equal(w.length, space.domains.length, `${what}: mixture length`);
  assert.ok(
    w.every((x) => Number.isFinite(x) && x >= 0),
    `${what}: weights finite and >= 0: ${JSON.stringify(w)}`,
  );
  assert.ok(
    Math.abs(w.reduce((a, b) => a + b, 0) - 1) <= 1e-9,
    `${what}: sums to 1: ${JSON.stringify(w)}`,
  );
  assert.ok(withinBounds(w, space), `${what}: within bounds: ${JSON.stringify(w)}`);
  assert.ok(
    space.scales.some((s) => s.name === p.scale),
    `${what}: declared scale, got ${p.scale}`,
  );
  assert.ok(
    Number.isInteger(p.steps) && p.steps >= space.steps.min && p.steps <= space.steps.max,
    `${what}: steps within ${space.steps.min}..${space.steps.max}, got ${p.steps}`,
  );
  if (p.continues !== undefined) {
    const parent = runs.find((r) => r.id === p.continues);
    assert.ok(parent !== undefined, `${what}: continues an existing run`);
    assert.equal(parent.scale, p.scale, `${what}: continuation keeps the scale`);
    assert.ok(parent.steps < p.steps, `${what}: continuation adds steps`);
    assert.deepEqual(
      [...parent.mixture],
      [...p.mixture],
      `${what}: continuation keeps the mixture`,
    );
  }
}

/** Rebuilds the first `n` runs of a trajectory as a history. */
function historyOf(t: Trajectory, n: number, metric: string): History {
  const runs: RunRecord[] = t.points.slice(0, n).map((p) => ({
    id: `r${p.run}`,
    mixture: p.proposal.mixture,
    scale: p.proposal.scale,
    steps: p.proposal.steps,
    curve: toyTestbed.curve(p.proposal.mixture, p.proposal.scale, p.proposal.steps, metric),
    state: 'completed',
    cost: p.cost,
    ...(p.proposal.continues !== undefined ? { parent: p.proposal.continues } : {}),
  }));
  return { runs, spent: t.points[n - 1]?.spent ?? 0, budget: BUDGET };
}

/** Defines the contract tests for the registered optimiser `method`. */
export function optimizerContract(method: string): void {
  describe(`optimizer contract: ${method}`, () => {
    const job = (metric: string, optimizerSeed: number) =>
      simulateJob(toyTestbed, { method, metric, seed: 0, optimizerSeed, budget: BUDGET });
    const first = job('loss', 1);

    it('runs in the harness without error and never exceeds the budget', () => {
      assert.equal(first.error, undefined, first.error);
      assert.ok(first.points.length >= 1);
      for (const p of first.points) assert.ok(p.spent <= BUDGET + 1e-9, `spent ${p.spent}`);
      const acc = job('acc', 1);
      assert.equal(acc.error, undefined, acc.error);
    });

    it('is reproducible from its seed', () => {
      assert.deepEqual(job('loss', 1), first);
      const n = Math.min(3, first.points.length);
      const h = historyOf(first, n, 'loss');
      const space = spaceFromTestbed(toyTestbed, 'loss');
      const a = createOptimizer(method, { space, seed: 5 });
      const b = createOptimizer(method, { space, seed: 5 });
      const empty: History = { runs: [], spent: 0, budget: BUDGET };
      assert.deepEqual(a.propose(empty, 1), b.propose(empty, 1));
      assert.deepEqual(a.propose(h, 1), b.propose(h, 1));
    });

    it('proposes inside the space (simplex, bounds, scale, steps, continuations)', () => {
      const space = spaceFromTestbed(toyTestbed, 'loss');
      const runs: RunRecord[] = [];
      for (const p of first.points) {
        assertInSpace(space, p.proposal, runs, `run ${p.run}`);
        runs.push({
          id: `r${p.run}`,
          mixture: p.proposal.mixture,
          scale: p.proposal.scale,
          steps: p.proposal.steps,
          curve: [],
          state: 'completed',
          cost: p.cost,
        });
      }
      const bounded: SearchSpace = {
        ...space,
        bounds: [
          { min: 0.05, max: 0.5 },
          { min: 0, max: 1 },
          { min: 0.1, max: 0.9 },
        ],
      };
      const opt = createOptimizer(method, { space: bounded, seed: 2 });
      const h0: History = { runs: [], spent: 0, budget: BUDGET };
      const p0 = opt.propose(h0, 2);
      assert.ok(p0.length >= 1);
      for (const p of p0) assertInSpace(bounded, p, [], 'bounded, empty history');
      const q = p0[0] as Proposal;
      const h1: History = {
        runs: [
          {
            id: 'r0',
            mixture: q.mixture,
            scale: q.scale,
            steps: q.steps,
            curve: toyTestbed.curve(q.mixture, q.scale, q.steps, 'loss'),
            state: 'completed',
            cost: toyTestbed.cost(q.scale, q.steps),
          },
        ],
        spent: toyTestbed.cost(q.scale, q.steps),
        budget: BUDGET,
      };
      for (const p of opt.propose(h1, 1)) assertInSpace(bounded, p, h1.runs, 'bounded, one run');
    });

    it('recommends once any run has an observation, whatever its fidelity', () => {
      const space = spaceFromTestbed(toyTestbed, 'loss');
      const opt = createOptimizer(method, { space, seed: 3 });
      const w = [0.3, 0.3, 0.4];
      const small: History = {
        runs: [
          {
            id: 'r0',
            mixture: w,
            scale: 'S',
            steps: 200,
            curve: toyTestbed.curve(w, 'S', 200, 'loss'),
            state: 'completed',
            cost: toyTestbed.cost('S', 200),
          },
        ],
        spent: toyTestbed.cost('S', 200),
        budget: BUDGET,
      };
      const rec = opt.recommend(small);
      assert.ok(rec !== undefined, 'a recommendation after one observation');
      assert.equal(rec.mixture.length, 3);
      assert.ok(Math.abs(rec.mixture.reduce((a, b) => a + b, 0) - 1) <= 1e-9);
      assert.ok(rec.mixture.every((x) => x >= 0));
      for (const p of first.points) assert.equal(p.recommended.length, 3);
    });
  });
}
