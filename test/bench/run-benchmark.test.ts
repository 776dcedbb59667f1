import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultBudget,
  jobProgress,
  runBenchmark,
  seedFor,
} from '../../src/bench/run-benchmark.ts';
import type { Trajectory } from '../../src/bench/trajectory.ts';
import { NotFoundError, Rng } from '../../src/core/index.ts';
import { toyTestbed } from './toy-testbed.ts';

const TOY = { module: new URL('./toy-testbed.ts', import.meta.url).href };

describe('runBenchmark', () => {
  it('runs methods x metrics x seeds on a tiny budget without exceeding it', async () => {
    const r = await runBenchmark({
      testbed: TOY,
      methods: ['random', 'hyperband'],
      metrics: 'all',
      seeds: 2,
      budget: 25,
      workers: 1,
    });
    assert.equal(r.trajectories.length, 2 * 2 * 2);
    for (const t of r.trajectories) {
      assert.equal(t.error, undefined);
      assert.ok(t.points.length > 0);
      let prev = 0;
      for (const p of t.points) {
        assert.ok(p.spent <= 25 + 1e-9);
        assert.ok(Math.abs(p.spent - prev - p.cost) < 1e-12, 'spent accumulates the charged costs');
        prev = p.spent;
        assert.equal(p.x, p.spent + (p.confirm ? 10 : 0));
      }
    }
    // Random: 2 target runs of cost 10 fit in 25; its recommendations are target runs.
    const rnd = r.trajectories.find((t) => t.method === 'random');
    assert.equal(rnd?.points.length, 2);
    assert.ok(rnd?.points.every((p) => !p.confirm));
    // Values are the true target values of the recommended mixtures.
    for (const p of rnd?.points ?? []) {
      const w = p.recommended;
      const o = [0.2, 0.2, 0.6];
      const d = w.reduce((s, x, i) => s + (x - (o[i] as number)) ** 2, 0);
      assert.ok(Math.abs(p.value - (1 + 2 / Math.sqrt(10) + d)) < 1e-12);
    }
    assert.deepEqual(r.summary.methods, ['random', 'hyperband']);
    assert.ok(r.summary.finalRegret['hyperband']?.['loss'] !== undefined);
    assert.equal(r.trajectories[0]?.optimizerSeed, seedFor(0, 0));
  });

  it('gives identical trajectories with worker threads and in-process', async () => {
    const opts = {
      testbed: TOY,
      methods: ['hyperband', 'random'],
      metrics: ['loss'],
      seeds: 3,
      budget: 30,
      seed: 4,
    } as const;
    const one = await runBenchmark({ ...opts, workers: 1 });
    const two = await runBenchmark({ ...opts, workers: 2 });
    assert.equal(two.meta.workers, 2);
    assert.deepEqual(two.trajectories, one.trajectories);
    assert.deepEqual(two.summary, one.summary);
  });

  it('rejects unknown methods and metrics by name', async () => {
    await assert.rejects(
      runBenchmark({ testbed: TOY, methods: ['optuna-tpe'], metrics: 'all', seeds: 1, workers: 1 }),
      (e: unknown) => e instanceof NotFoundError && /optuna-tpe/.test(e.message),
    );
    await assert.rejects(
      runBenchmark({ testbed: TOY, methods: ['random'], metrics: ['ppl'], seeds: 1, workers: 1 }),
      (e: unknown) => e instanceof NotFoundError && /'ppl'.*loss, acc/.test(e.message),
    );
  });
});

describe('run-benchmark helpers', () => {
  it('defaultBudget is 1500/197 target runs (rounded to 1e-6): 76.142132 on the toy (target cost 10)', () => {
    assert.equal(toyTestbed.cost('L', 1000), 10);
    assert.equal(defaultBudget(toyTestbed), 76.142132);
    const twice = { ...toyTestbed, cost: (m: string, z: number) => 2 * toyTestbed.cost(m, z) };
    assert.equal(defaultBudget(twice), 152.284264);
  });

  it('seedFor(seed, s) = ⌊2³¹ · u⌋, u the first uniform of Rng(seed).fork("bench").fork(s)', () => {
    for (const [seed, s] of [
      [0, 0],
      [0, 1],
      [4, 2],
    ] as const) {
      const u = new Rng(seed).fork('bench').fork(s).uniform();
      assert.equal(seedFor(seed, s), Math.floor(u * 2 ** 31));
    }
    assert.notEqual(seedFor(0, 0), seedFor(0, 1));
    assert.notEqual(seedFor(0, 0), seedFor(1, 0));
  });

  it('jobProgress copies the job identity and the error only when there is one', () => {
    const t: Trajectory = {
      method: 'random',
      testbed: 'toy',
      metric: 'loss',
      direction: 'minimize',
      seed: 3,
      optimizerSeed: 9,
      budget: 30,
      targetCost: 10,
      points: [],
    };
    assert.deepEqual(jobProgress(2, 8, t, 1.5), {
      done: 2,
      total: 8,
      method: 'random',
      metric: 'loss',
      seed: 3,
      seconds: 1.5,
    });
    assert.equal(jobProgress(2, 8, { ...t, error: 'boom' }, 1.5).error, 'boom');
  });
});
