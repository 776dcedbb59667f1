import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulateJob } from '../../src/bench/index.ts';
import { type History, type RunRecord, spaceFromTestbed } from '../../src/core/index.ts';
import { createHyperband } from '../../src/optimizers/index.ts';
import { toyTestbed } from '../bench/toy-testbed.ts';

describe('hyperband optimiser', () => {
  const space = spaceFromTestbed(toyTestbed, 'loss');

  it('runs the first bracket with continuations charged only the extra steps', () => {
    // Bracket s=2 on the toy testbed (cost 1 per 100 steps of L):
    // 9 x 200 steps = 18, 3 continued 200 -> 400 = 6, 1 continued 400 -> 1000 = 6: total 30.
    const t = simulateJob(toyTestbed, {
      method: 'hyperband',
      metric: 'loss',
      seed: 0,
      optimizerSeed: 7,
      budget: 30,
    });
    assert.equal(t.error, undefined);
    assert.equal(t.points.length, 13);
    assert.deepEqual(
      t.points.map((p) => [p.proposal.steps, p.cost, p.proposal.continues !== undefined]),
      [
        ...Array.from({ length: 9 }, () => [200, 2, false]),
        ...Array.from({ length: 3 }, () => [400, 2, true]),
        [1000, 6, true],
      ],
    );
    assert.equal(t.points[12]?.spent, 30);
    // The last recommendation is the full-length run: no confirmation charge.
    assert.equal(t.points[12]?.confirm, false);
    assert.equal(t.points[12]?.x, 30);
    // Before, the best-at-400 recommendation is charged a confirmation run (10).
    assert.equal(t.points[11]?.confirm, true);
    assert.equal(t.points[11]?.x, 24 + 10);
  });

  it('promotes the best configurations by their value at the rung budget', () => {
    const t = simulateJob(toyTestbed, {
      method: 'hyperband',
      metric: 'loss',
      seed: 0,
      optimizerSeed: 3,
      budget: 30,
    });
    const rung0 = t.points.slice(0, 9).map((p) => ({
      w: p.proposal.mixture,
      v: toyTestbed.evaluate(p.proposal.mixture, 'L', 200, 'loss'),
    }));
    const top3 = [...rung0].sort((a, b) => a.v - b.v).slice(0, 3);
    const promoted = t.points.slice(9, 12).map((p) => p.proposal.mixture);
    assert.deepEqual(new Set(promoted.map(String)), new Set(top3.map((e) => String(e.w))));
    const best400 = t.points
      .slice(9, 12)
      .map((p) => ({
        w: p.proposal.mixture,
        v: toyTestbed.evaluate(p.proposal.mixture, 'L', 400, 'loss'),
      }))
      .sort((a, b) => a.v - b.v)[0];
    assert.deepEqual(t.points[12]?.proposal.mixture, best400?.w);
  });

  it('is a pure function of (seed, history)', () => {
    const t = simulateJob(toyTestbed, {
      method: 'hyperband',
      metric: 'loss',
      seed: 0,
      optimizerSeed: 11,
      budget: 20,
    });
    const runs: RunRecord[] = t.points.map((p, i) => ({
      id: `r${i}`,
      mixture: p.proposal.mixture,
      scale: p.proposal.scale,
      steps: p.proposal.steps,
      curve: toyTestbed.curve(p.proposal.mixture, p.proposal.scale, p.proposal.steps, 'loss'),
      state: 'completed',
      cost: p.cost,
    }));
    const h: History = { runs, spent: 20 };
    const a = createHyperband({ space, seed: 11 }).propose(h, 3);
    const b = createHyperband({ space, seed: 11 }).propose(h, 3);
    assert.deepEqual(a, b);
    assert.notDeepEqual(createHyperband({ space, seed: 12 }).propose(h, 3), a);
  });

  it('opens the next bracket while a rung waits on pending runs', () => {
    const opt = createHyperband({ space, seed: 5 });
    const first = opt.propose({ runs: [], spent: 0 }, 9);
    assert.equal(first.length, 9);
    const runs: RunRecord[] = first.map((p, i) => ({
      id: `r${i}`,
      mixture: p.mixture,
      scale: p.scale,
      steps: p.steps,
      curve: i === 0 ? [] : toyTestbed.curve(p.mixture, p.scale, p.steps, 'loss'),
      state: i === 0 ? 'running' : 'completed',
      cost: 2,
    }));
    const next = opt.propose({ runs, spent: 18 }, 2);
    // Bracket s=1 starts at 400 steps with fresh mixtures.
    assert.deepEqual(
      next.map((p) => [p.steps, p.continues]),
      [
        [400, undefined],
        [400, undefined],
      ],
    );
    for (const p of next) assert.ok(!first.some((q) => String(q.mixture) === String(p.mixture)));
  });

  it('recommends the best configuration at the largest budget reached', () => {
    const opt = createHyperband({ space, seed: 1 });
    const mk = (id: string, w: number[], steps: number): RunRecord => ({
      id,
      mixture: w,
      scale: 'L',
      steps,
      curve: toyTestbed.curve(w, 'L', steps, 'loss'),
      state: 'completed',
      cost: steps / 100,
    });
    // The optimum mixture at 200 steps loses to a worse mixture trained to 400 steps.
    const h: History = {
      runs: [mk('a', [0.2, 0.2, 0.6], 200), mk('b', [1, 0, 0], 400), mk('c', [0, 0.5, 0.5], 400)],
      spent: 10,
    };
    const rec = opt.recommend(h);
    // |w - w*|^2: b 1.04, c 0.14, so c is better at 400 steps; a (the optimum) only reached 200.
    assert.equal(rec?.runId, 'c');
    assert.match(rec?.basis ?? '', /400 steps/);
    assert.equal(opt.recommend({ runs: [], spent: 0 }), undefined);
  });
});
