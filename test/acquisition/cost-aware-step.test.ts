// One iteration of the cost-aware EI selection (src/acquisition/cost-aware-step.ts)
// on a one-observation GP: each pair's EI maximum over the simplex, the choice
// argmax_p logEI_p − α log c_p, the target's logEI, and per-pair seeding.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  costAwareStep,
  type FidelityPair,
  logEiObjective,
  logExpectedImprovement,
} from '../../src/acquisition/index.ts';
import { Rng } from '../../src/core/index.ts';
import { onePointGp } from '../optimizers/mfms/one-point-gp.ts';
import { toySpace } from '../optimizers/toy-space.ts';

const space = toySpace(); // domains a, b, c; scales S, L; target L at 1000 steps
const encode = (w: readonly number[], scale: string, steps: number): number[] => [
  ...w,
  scale === 'L' ? 1 : 0,
  steps / 1000,
];
// One observation of the value 2 at the middle of the simplex, small and short.
const one = onePointGp({ s: 1, l: 0.5, v: 0.01, x0: [1 / 3, 1 / 3, 1 / 3, 0, 0.1], y0: 2 });
const pairs: FidelityPair[] = [
  { scale: 'S', steps: 100, cost: 0.1 },
  { scale: 'S', steps: 1000, cost: 1 },
  { scale: 'L', steps: 1000, cost: 10 },
];
const search = { starts: 3, rawSamples: 256 };
const best = 1.5;

function step(alpha: number, ps: readonly FidelityPair[] = pairs, seed = 5) {
  return costAwareStep(one.gp, space, ps, best, alpha, new Rng(seed), search, encode);
}

/** logEI at mixture w and a pair, from the closed-form posterior. */
function logEiAt(w: readonly number[], p: FidelityPair): number {
  const x = encode(w, p.scale, p.steps);
  return logExpectedImprovement(one.mu(x), Math.sqrt(one.C(x, x)), best).value;
}

describe('costAwareStep', () => {
  const r = step(1);

  it("returns each pair's EI maximum over the simplex, in grid order", () => {
    assert.deepEqual(
      r.pairs.map((p) => p.pair),
      pairs,
    );
    const rng = new Rng(99);
    for (const p of r.pairs) {
      assert.ok(Math.abs(p.w.reduce((a, b) => a + b, 0) - 1) < 1e-9);
      assert.ok(Math.abs(p.logEi - logEiAt(p.w, p.pair)) < 1e-9, 'value at the returned w');
      // no random mixture beats the maximum
      for (let i = 0; i < 200; i++) {
        const w = rng.dirichlet([1, 1, 1]);
        assert.ok(logEiAt(w, p.pair) <= p.logEi + 1e-9, `${p.pair.scale}/${p.pair.steps}`);
      }
    }
  });

  it('chooses argmax logEI − α log c, and logEiTarget is the target pair', () => {
    for (const alpha of [0, 0.5, 1, 3]) {
      const s = step(alpha);
      const scores = s.pairs.map((p) => p.logEi - alpha * Math.log(p.pair.cost));
      assert.equal(s.chosen, scores.indexOf(Math.max(...scores)), `alpha ${alpha}`);
      assert.equal(s.logEiTarget, s.pairs[2]!.logEi);
    }
    // Far from the one observation EI is nearly the same everywhere, so a large α buys the cheapest pair.
    assert.equal(step(3).chosen, 0);
  });

  it('logEiTarget is -Infinity when the target is not in the grid', () => {
    assert.equal(step(1, pairs.slice(0, 2)).logEiTarget, Number.NEGATIVE_INFINITY);
  });

  it('pair i is searched with rng.fork(i): adding a later pair changes no earlier result', () => {
    const two = step(1, pairs.slice(0, 2));
    assert.deepEqual(two.pairs, r.pairs.slice(0, 2));
    assert.deepEqual(step(1), r, 'reproducible from the seed');
  });

  it('the objective it maximises is logEiObjective at the pair template', () => {
    const p = r.pairs[1]!;
    const f = logEiObjective(one.gp, encode([1 / 3, 1 / 3, 1 / 3], 'S', 1000), 3, best);
    assert.equal(f(Float64Array.from(p.w), new Float64Array(3)), p.logEi);
  });
});
