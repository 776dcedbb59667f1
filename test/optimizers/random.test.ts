import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { History, RunRecord } from '../../src/core/index.ts';
import { Rng } from '../../src/core/index.ts';
import { createRandomSearch, sampleMixture, withinBounds } from '../../src/optimizers/index.ts';
import { toySpace } from './toy-space.ts';

const run = (id: string, w: number[], scale: string, steps: number, value: number): RunRecord => ({
  id,
  mixture: w,
  scale,
  steps,
  curve: [{ step: steps, value }],
  state: 'completed',
  cost: 1,
});

describe('random search', () => {
  it('proposes Dirichlet(1) mixtures at the target fidelity', () => {
    const opt = createRandomSearch({ space: toySpace(), seed: 3 });
    const ps = opt.propose({ runs: [], spent: 0 }, 4000);
    assert.equal(ps.length, 4000);
    let below = 0;
    let mean0 = 0;
    for (const p of ps) {
      assert.equal(p.scale, 'L');
      assert.equal(p.steps, 1000);
      assert.ok(Math.abs(p.mixture.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      if ((p.mixture[0] as number) < 0.5) below++;
      mean0 += (p.mixture[0] as number) / ps.length;
    }
    // w_1 ~ Beta(1, 2): P(w_1 < 0.5) = 1 - 0.5^2 = 0.75, E w_1 = 1/3 (4000 draws: s.e. 0.007 and 0.004).
    assert.ok(Math.abs(below / ps.length - 0.75) < 0.03, `${below / ps.length}`);
    assert.ok(Math.abs(mean0 - 1 / 3) < 0.02, `${mean0}`);
  });

  it('depends only on the seed and the number of runs in the history', () => {
    const a = createRandomSearch({ space: toySpace(), seed: 9 });
    const b = createRandomSearch({ space: toySpace(), seed: 9 });
    const h: History = { runs: [run('r0', [1, 0, 0], 'L', 1000, 2)], spent: 10 };
    assert.deepEqual(a.propose(h, 2), b.propose(h, 2));
    // Batch proposals equal sequential ones.
    assert.deepEqual(
      a.propose(h, 2)[1],
      b.propose({ runs: [...h.runs, h.runs[0] as RunRecord], spent: 20 }, 1)[0],
    );
    assert.notDeepEqual(
      createRandomSearch({ space: toySpace(), seed: 10 }).propose(h, 1),
      a.propose(h, 1),
    );
  });

  it('recommends the best target run, direction-aware', () => {
    const h: History = {
      runs: [
        run('a', [1, 0, 0], 'L', 1000, 2.0),
        run('b', [0, 1, 0], 'L', 1000, 1.5),
        run('c', [0, 0, 1], 'S', 1000, 0.1),
      ],
      spent: 30,
    };
    assert.equal(createRandomSearch({ space: toySpace(), seed: 1 }).recommend(h)?.runId, 'b');
    const max = toySpace({ metric: { name: 'acc', direction: 'maximize' } });
    assert.equal(createRandomSearch({ space: max, seed: 1 }).recommend(h)?.runId, 'a');
    assert.equal(
      createRandomSearch({ space: toySpace(), seed: 1 }).recommend({ runs: [], spent: 0 }),
      undefined,
    );
    // Without a target run yet: the best run at the largest fidelity observed.
    const partial: History = {
      runs: [run('s', [0, 0, 1], 'S', 1000, 0.1), run('t', [1, 0, 0], 'L', 500, 3)],
      spent: 6,
    };
    assert.equal(createRandomSearch({ space: toySpace(), seed: 1 }).recommend(partial)?.runId, 't');
  });

  it('respects bounds and replay candidates', () => {
    const bounded = toySpace({
      bounds: [
        { min: 0.1, max: 0.2 },
        { min: 0, max: 1 },
        { min: 0.3, max: 0.3 },
      ],
    });
    const ps = createRandomSearch({ space: bounded, seed: 2 }).propose({ runs: [], spent: 0 }, 200);
    for (const p of ps) assert.ok(withinBounds(p.mixture, bounded), JSON.stringify(p.mixture));
    const cands = [
      [0.5, 0.5, 0],
      [0, 0.5, 0.5],
    ];
    const replay = toySpace({ candidates: cands });
    for (let i = 0; i < 20; i++) {
      const w = sampleMixture(new Rng(i), replay);
      assert.ok(cands.some((c) => String(c) === String(w)));
    }
  });
});
