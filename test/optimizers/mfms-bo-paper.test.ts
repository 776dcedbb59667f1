import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OptimizerContext } from '../../src/core/index.ts';
import { ValidationError } from '../../src/core/index.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { makeRun, simulate, synthSpace } from './helpers.ts';

const space = synthSpace();
const ctx = (seed: number, settings?: Record<string, unknown>): OptimizerContext => ({
  space,
  seed,
  ...(settings !== undefined ? { settings } : {}),
});

describe('mfms-bo:paper loop', () => {
  it('fits hyper-parameters once; shrinks the fidelity lengthscales when target EI < threshold', () => {
    const always = createOptimizer('mfms-bo:paper', ctx(3, { initial: 6, shrinkThreshold: 1e9 }));
    simulate(space, always, 1e9, 10);
    const st = always.saveState!() as { hyper: unknown; shrinkAt: number[] };
    assert.deepEqual(st.shrinkAt, [6, 7, 8, 9]);
    const never = createOptimizer('mfms-bo:paper', ctx(3, { initial: 6, shrinkThreshold: 0 }));
    const runA = simulate(space, never, 1e9, 8);
    const h1 = JSON.stringify((never.saveState!() as { hyper: unknown }).hyper);
    assert.deepEqual((never.saveState!() as { shrinkAt: number[] }).shrinkAt, []);
    never.propose(runA.history, 1);
    assert.equal(JSON.stringify((never.saveState!() as { hyper: unknown }).hyper), h1);
    // A (strong) shrink changes the proposals: the conditioned GP differs.
    const b = createOptimizer(
      'mfms-bo:paper',
      ctx(3, { initial: 6, shrinkThreshold: 1e9, shrinkFactor: 0.3 }),
    );
    const runB = simulate(space, b, 1e9, 10);
    const c = createOptimizer('mfms-bo:paper', ctx(3, { initial: 6, shrinkThreshold: 0 }));
    const runC = simulate(space, c, 1e9, 10);
    assert.notDeepEqual(runB.proposals.slice(7), runC.proposals.slice(7));
  });

  it('initial design: 20 runs, scales across the ladder, 100..900 steps', () => {
    const opt = createOptimizer('mfms-bo:paper', ctx(0));
    const ps = opt.propose({ runs: [], spent: 0 }, 20);
    assert.equal(ps.length, 20);
    for (const p of ps) {
      assert.ok(p.steps >= 100 && p.steps <= 900 && p.steps % 100 === 0, `${p.steps}`);
      assert.ok(Math.abs(p.mixture.reduce((s, x) => s + x, 0) - 1) < 1e-12);
    }
    assert.equal(new Set(ps.map((p) => p.scale)).size, 3);
    assert.ok(new Set(ps.map((p) => p.steps)).size >= 5);
  });

  it('stops after `iterations` cost-aware rounds (the paper: 100), whatever budget is left', () => {
    const opt = createOptimizer('mfms-bo:paper', ctx(5, { initial: 4, iterations: 3 }));
    const run = simulate(space, opt, 1e9, 50);
    assert.equal(run.proposals.length, 7);
    assert.deepEqual(opt.propose(run.history, 2), []);
    // A batch is cut at the same point; null keeps proposing.
    const batch = createOptimizer('mfms-bo:paper', ctx(5, { initial: 4, iterations: 3 }));
    assert.equal(batch.propose({ runs: run.history.runs.slice(0, 5), spent: 0 }, 4).length, 2);
    const open = createOptimizer('mfms-bo:paper', ctx(5, { initial: 4, iterations: null }));
    assert.equal(simulate(space, open, 1e9, 9).proposals.length, 9);
    assert.throws(
      () => createOptimizer('mfms-bo:paper', ctx(5, { iterations: -1 })),
      (e: unknown) => e instanceof ValidationError && /iterations/.test(e.message),
    );
  });

  it('recommends the best raw value at any fidelity', () => {
    const opt = createOptimizer('mfms-bo:paper', ctx(0));
    const a = makeRun(space, 'a', [1, 0, 0], 'S', 300);
    const b = makeRun(space, 'b', [0.2, 0.5, 0.3], 'L', 200);
    const rec = opt.recommend({ runs: [a, b], spent: 0 });
    assert.equal(rec?.runId, 'b');
  });
});
