import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  readTrajectories,
  simulateJob,
  type Trajectory,
  type TrajectoryPoint,
} from '../../src/bench/index.ts';
import type { History, Optimizer, Proposal, RunRecord } from '../../src/core/index.ts';
import { registerOptimizer } from '../../src/optimizers/index.ts';
import { getTestbed } from '../../src/testbeds/index.ts';
import { toyTestbed } from './toy-testbed.ts';

/** A trajectory without the clock's fields: what the sequential loop writes. */
function sequentialView(t: Trajectory): unknown {
  const { clock: _clock, ...rest } = t;
  return {
    ...rest,
    points: t.points.map(({ start: _s, time: _t, worker: _w, ...p }) => p),
  };
}

/**
 * A probe method (a real optimiser, registered like any other): proposes a
 * fixed cycle of runs at the small scale and the target, records every
 * history it is shown, and stops any running run that has shown `stopAfter`
 * points.
 */
const seen: History[] = [];
function probe(stopAfter: number | undefined): (ctx: { seed: number }) => Optimizer {
  return () => ({
    name: 'probe',
    propose(history: History, n: number): Proposal[] {
      seen.push(history);
      const out: Proposal[] = [];
      for (let j = 0; j < n; j++) {
        const i = history.runs.length + j;
        const w = [(i % 3) / 4 + 0.1, 0.2, 0.7 - (i % 3) / 4];
        out.push({ mixture: w, scale: i % 2 === 0 ? 'S' : 'L', steps: 1000 });
      }
      return out;
    },
    stop(history: History): string[] {
      if (stopAfter === undefined) return [];
      return history.runs
        .filter((r) => r.state === 'running' && r.curve.length >= stopAfter)
        .map((r) => r.id);
    },
    recommend(history: History) {
      const done = history.runs.filter((r) => r.state === 'completed' && r.curve.length > 0);
      const r = done[done.length - 1];
      return r === undefined ? undefined : { mixture: r.mixture, runId: r.id, basis: 'last' };
    },
  });
}
registerOptimizer('test-probe', probe(undefined), 'harness probe (tests only)');
registerOptimizer('test-probe-stop', probe(2), 'harness probe that stops runs (tests only)');

/** A probe job on two workers with budget 12. */
const probeJob = (method: string): Trajectory =>
  simulateJob(toyTestbed, {
    method,
    metric: 'loss',
    seed: 0,
    optimizerSeed: 1,
    budget: 12,
    clock: { workers: 2 },
  });

describe('simulateJob on simulated workers', () => {
  it('with one worker reproduces the committed dev-suite trajectories bit for bit', () => {
    const stored = readTrajectories(
      new URL('../../results/suite-dev/cases/family-vertex_val_loss/bench.json.gz', import.meta.url)
        .pathname,
    );
    const tb = getTestbed('family-vertex');
    let checked = 0;
    for (const t of stored.filter((x) => x.method === 'random' || x.method === 'hyperband')) {
      const job = {
        method: t.method,
        metric: t.metric,
        seed: t.seed,
        optimizerSeed: t.optimizerSeed,
        budget: t.budget,
      };
      const plain = simulateJob(tb, job);
      assert.deepEqual(plain, t, `${t.method} seed ${t.seed} (no clock)`);
      const q1 = simulateJob(tb, { ...job, clock: { workers: 1 } });
      assert.deepEqual(sequentialView(q1), t, `${t.method} seed ${t.seed} (--workers-sim 1)`);
      // One worker: the clock reads the cost spent.
      for (const p of q1.points) assert.equal(p.time, p.spent);
      checked++;
    }
    assert.equal(checked, 6);
  });

  it('with one worker gives the no-clock trajectories for every method and batch size', () => {
    for (const method of ['random', 'hyperband', 'bo', 'mf-bo', 'regmix']) {
      for (const batch of [1, 3]) {
        const job = { method, metric: 'loss', seed: 0, optimizerSeed: 5, budget: 30, batch };
        const plain = simulateJob(toyTestbed, job);
        assert.equal(plain.error, undefined, `${method}: ${plain.error}`);
        const q1 = simulateJob(toyTestbed, { ...job, clock: { workers: 1 } });
        assert.deepEqual(sequentialView(q1), plain, `${method}, batch ${batch}`);
      }
    }
  });

  it('runs q target runs at once: two of cost 10 fit a budget of 25 and both end at t = 10 (+ overhead)', () => {
    const t = simulateJob(toyTestbed, {
      method: 'random',
      metric: 'loss',
      seed: 0,
      optimizerSeed: 3,
      budget: 25,
      clock: { workers: 4, overhead: { L: 2 } },
    });
    assert.equal(t.error, undefined);
    // Launch 1 and 2 commit 20; a third (10 more) would exceed 25, so launching ends.
    assert.deepEqual(
      t.points.map((p) => [p.run, p.worker, p.start, p.time, p.cost, p.spent]),
      [
        [0, 0, 0, 12, 10, 10],
        [1, 1, 0, 12, 10, 20],
      ],
    );
  });

  it('shows running runs to the method with the curve points trained so far', () => {
    seen.length = 0;
    const t = probeJob('test-probe');
    assert.equal(t.error, undefined);
    // r0: S, 1000 steps, cost 1 (time 0..1); r1: L, cost 10 (time 0..10). When r0 ends
    // (t = 1) the method is asked again and sees r1 running with 1/10 of its curve.
    const h = seen.find((x) => x.runs.length === 2 && x.runs[0]?.state === 'completed');
    assert.ok(h !== undefined);
    const r1 = h.runs[1] as RunRecord;
    assert.equal(r1.state, 'running');
    assert.deepEqual(
      r1.curve.map((p) => p.step),
      [100],
    );
    assert.equal(r1.cost, 10);
    // The budget left counts the running run: 12 - 1 - 10 = 1 (r2, another S run of cost 1, fits).
    assert.deepEqual(
      t.points.map((p) => [p.run, p.time]),
      [
        [0, 1],
        [2, 2],
        [1, 10],
      ],
    );
  });

  it('orders events by time, deterministically per seed, never running more than q at once', () => {
    const job = {
      method: 'hyperband',
      metric: 'loss',
      seed: 0,
      optimizerSeed: 11,
      budget: 60,
      clock: { workers: 3, jitter: 0.4, overhead: { S: 0.25 } },
    };
    const a = simulateJob(toyTestbed, job);
    assert.equal(a.error, undefined);
    assert.deepEqual(simulateJob(toyTestbed, job), a);
    const times = a.points.map((p) => p.time as number);
    assert.deepEqual(
      times,
      [...times].sort((x, y) => x - y),
    );
    // Per worker, runs do not overlap; at any end time at most q runs were in flight.
    const byWorker = new Map<number, TrajectoryPoint[]>();
    for (const p of a.points)
      byWorker.set(p.worker as number, [...(byWorker.get(p.worker as number) ?? []), p]);
    assert.ok(byWorker.size <= 3);
    for (const ps of byWorker.values()) {
      ps.sort((x, y) => (x.start as number) - (y.start as number));
      for (let i = 1; i < ps.length; i++)
        assert.ok((ps[i]?.start as number) >= (ps[i - 1]?.time as number) - 1e-12);
    }
    // The jitter depends on the seed: another seed, other durations.
    const b = simulateJob(toyTestbed, { ...job, optimizerSeed: 12 });
    assert.notDeepEqual(
      b.points.map((p) => (p.time as number) - (p.start as number)),
      a.points.map((p) => (p.time as number) - (p.start as number)),
    );
  });

  it('conserves cost: durations are tau * f * cost + overhead, charges sum to what was spent', () => {
    const t = simulateJob(toyTestbed, {
      method: 'hyperband',
      metric: 'loss',
      seed: 0,
      optimizerSeed: 2,
      budget: 40,
      clock: { workers: 4, timePerCost: 3, overhead: { S: 0.5, L: 1 } },
    });
    assert.equal(t.error, undefined);
    let sum = 0;
    for (const p of t.points) {
      sum += p.cost;
      assert.ok(Math.abs(p.spent - sum) < 1e-9);
      const o = p.proposal.scale === 'S' ? 0.5 : 1;
      assert.ok(Math.abs((p.time as number) - (p.start as number) - (o + 3 * p.cost)) < 1e-9);
    }
    assert.ok(sum <= 40 + 1e-9);
  });

  it('stops a run the method asks to stop: the visible curve, and the part of its cost that ran', () => {
    const t = probeJob('test-probe-stop');
    assert.equal(t.error, undefined);
    // r0 (S, cost 1, t 0..1) and r1 (L, cost 10, t 0..10) start at once; r2 (S) follows r0
    // (t 1..2). At t = 1 r1 has shown step 100 (one point): it runs on. At t = 2 it has shown
    // steps 100 and 200: it is stopped, keeps those two points and is charged 2/10 of 10.
    // Then r3 (L, 10 more) would take the spend to 14 > 12: launching ends.
    assert.deepEqual(
      t.points.map((p) => [p.run, p.time, p.cost, p.stopped ?? false]),
      [
        [0, 1, 1, false],
        [2, 2, 1, false],
        [1, 2, 2, true],
      ],
    );
    const total = t.points.reduce((a, p) => a + p.cost, 0);
    assert.ok(Math.abs((t.points[t.points.length - 1] as TrajectoryPoint).spent - total) < 1e-12);
  });

  it('rejects bad clocks with the value and the range', () => {
    const job = { method: 'random', metric: 'loss', seed: 0, optimizerSeed: 1, budget: 10 };
    for (const [clock, re] of [
      [{ workers: 0 }, /positive integer, got 0/],
      [{ workers: 2, jitter: 1 }, /jitter must be in \[0, 1\).*got 1/],
      [{ workers: 2, overhead: { L: -1 } }, /overhead of scale 'L'.*got -1/],
    ] as const) {
      const t = simulateJob(toyTestbed, { ...job, clock });
      assert.match(t.error ?? '', re);
    }
  });
});

describe('simulateJob: broken parts end the trajectory with the error', () => {
  it('ends a trajectory with the error when an optimiser breaks its contract', () => {
    const t = simulateJob(
      {
        name: 'x',
        description: '',
        domains: ['a'],
        scales: [{ name: 'L', params: 1 }],
        steps: { min: 100, max: 100, logEvery: 100 },
        metrics: [{ name: 'm', direction: 'minimize' }],
        target: { scale: 'L', steps: 100 },
        costUnit: 'u',
        evaluate: () => Number.NaN,
        curve: () => [],
        cost: () => 1,
      },
      { method: 'nope', metric: 'm', seed: 0, optimizerSeed: 0, budget: 3 },
    );
    assert.match(t.error ?? '', /unknown optimiser 'nope'/);
    assert.equal(t.points.length, 0);
  });
});

describe('harness numerics', () => {
  it('reports a testbed that returns NaN instead of scoring it silently', async () => {
    const { toyTestbed } = await import('./toy-testbed.ts');
    const broken = { ...toyTestbed, curve: () => [{ step: 1000, value: Number.NaN }] };
    const t = simulateJob(broken, {
      method: 'random',
      metric: 'loss',
      seed: 0,
      optimizerSeed: 0,
      budget: 30,
    });
    assert.match(t.error ?? '', /NumericsError: testbed 'toy' returned NaN for loss/);
    assert.equal(t.points.length, 0);
  });
});
