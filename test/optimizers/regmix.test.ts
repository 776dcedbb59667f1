// regmix: the budget split, the regression's pick, the recommendation rule and settings errors,
// on the analytic toy testbed (loss = base + 2 (z/100)^-0.5 + |w - w*_m|^2, w*_S = [0.6, 0.3, 0.1],
// w*_L = [0.2, 0.2, 0.6]; a run of S costs 0.1 per 100 steps, of L 1 per 100 steps).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simulateJob } from '../../src/bench/index.ts';
import { spaceFromTestbed } from '../../src/core/index.ts';
import { createOptimizer } from '../../src/optimizers/index.ts';
import { toyTestbed } from '../bench/toy-testbed.ts';

const dist = (a: readonly number[], b: readonly number[]): number =>
  Math.hypot(...a.map((x, i) => x - (b[i] as number)));

const run60 = (metric: string) =>
  simulateJob(toyTestbed, { method: 'regmix', metric, seed: 0, optimizerSeed: 7, budget: 60 });

describe('regmix', () => {
  const job = run60('loss');
  it('spends the budget share on small runs, then trains the predicted best at the target', () => {
    assert.equal(job.error, undefined, job.error);
    // N = min(floor(0.5 * 60 / 1), floor((60 - 10) / 1)) = 30 small runs of (S, 1000) at cost 1.
    const small = job.points.filter((p) => p.proposal.scale === 'S');
    assert.equal(small.length, 30);
    assert.ok(small.every((p) => p.proposal.steps === 1000 && p.cost === 1));
    assert.deepEqual(
      job.points.slice(0, 30).map((p) => p.proposal.scale),
      new Array(30).fill('S'),
    );
    // Then 3 target runs of cost 10 (spent 60).
    const target = job.points.slice(30);
    assert.equal(target.length, 3);
    assert.ok(target.every((p) => p.proposal.scale === 'L' && p.proposal.steps === 1000));
    assert.equal(job.points[job.points.length - 1]?.spent, 60);
  });
  it('the regression finds the small scale optimum (RegMix trusts the small scale)', () => {
    const first = job.points[30]?.proposal.mixture as number[];
    assert.ok(dist(first, [0.6, 0.3, 0.1]) < 0.15, `first target mixture ${JSON.stringify(first)}`);
    assert.ok(dist(first, [0.2, 0.2, 0.6]) > 0.4);
  });
  it('recommends the predicted best before a target run, then the best target run', () => {
    const before = job.points[29];
    assert.deepEqual(before?.recommended, job.points[30]?.proposal.mixture);
    assert.equal(before?.confirm, true);
    const last = job.points[job.points.length - 1];
    assert.equal(last?.confirm, false);
    const values = job.points
      .slice(30)
      .map((p) => toyTestbed.evaluate(p.proposal.mixture, 'L', 1000, 'loss'));
    const best = job.points[30 + values.indexOf(Math.min(...values))]?.proposal.mixture;
    assert.deepEqual(last?.recommended, best);
  });
  it('maximises an accuracy: same pick as minimising the loss it is made of', () => {
    const acc = run60('acc');
    assert.deepEqual(acc.points[30]?.proposal.mixture, job.points[30]?.proposal.mixture);
  });
  it('smallRuns overrides the budget share; without a budget 64 small runs are planned', () => {
    const space = spaceFromTestbed(toyTestbed, 'loss');
    const opt = createOptimizer('regmix', { space, seed: 1, settings: { smallRuns: 2 } });
    const run = (id: string, w: number[], scale: string) => ({
      id,
      mixture: w,
      scale,
      steps: 1000,
      curve: toyTestbed.curve(w, scale, 1000, 'loss'),
      state: 'completed' as const,
      cost: toyTestbed.cost(scale, 1000),
    });
    const h = {
      runs: [run('a', [0.6, 0.3, 0.1], 'S'), run('b', [0.1, 0.1, 0.8], 'S')],
      spent: 2,
    };
    assert.equal(opt.propose(h, 1)[0]?.scale, 'L');
    const noBudget = createOptimizer('regmix', { space, seed: 1 });
    assert.equal(noBudget.propose(h, 1)[0]?.scale, 'S');
  });
  it('rejects bad settings, naming them', () => {
    const space = spaceFromTestbed(toyTestbed, 'loss');
    assert.throws(
      () => createOptimizer('regmix', { space, seed: 0, settings: { scale: '7B' } }),
      /scale '7B' is not on the ladder; use one of S, L/,
    );
    assert.throws(
      () => createOptimizer('regmix', { space, seed: 0, settings: { fraction: 1.5 } }),
      /invalid settings for optimiser 'regmix': fraction/,
    );
    assert.throws(
      () => createOptimizer('regmix', { space, seed: 0, settings: { concentration: [5, 0.1] } }),
      /concentration \[5, 0.1\] is empty/,
    );
  });
});
