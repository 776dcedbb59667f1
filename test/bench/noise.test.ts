import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runBenchmark, simulateJob } from '../../src/bench/index.ts';
import type { CurvePoint, Mixture, Testbed } from '../../src/core/index.ts';
import { getTestbed, isNoisyTestbed, withNoise } from '../../src/testbeds/index.ts';

const job = (method: string, optimizerSeed: number, budget = 600) => ({
  method,
  metric: 'val_loss',
  seed: 0,
  optimizerSeed,
  budget,
});

/** `tb` with a recording `observe` (or a pass-through one returning the truth). */
function recording(tb: Testbed, passThrough: boolean) {
  const calls: {
    mixture: Mixture;
    scale: string;
    steps: number;
    replicate: number;
    curve: CurvePoint[];
  }[] = [];
  const observe = (w: Mixture, m: string, z: number, metric: string, replicate: number) => {
    const curve = passThrough
      ? tb.curve(w, m, z, metric)
      : (tb.observe?.(w, m, z, metric, replicate) ?? []);
    calls.push({ mixture: w, scale: m, steps: z, replicate, curve });
    return curve;
  };
  // The testbed's own members through the prototype, with `observe` replaced.
  const testbed = Object.assign(Object.create(tb) as Testbed, { observe });
  return { testbed, calls };
}

describe('benchmark harness with observation noise', () => {
  it('noise off: trajectories are identical to the observe-free path', () => {
    const bare = getTestbed('family-vertex');
    const { testbed } = recording(bare, true);
    for (const method of ['random', 'hyperband', 'mfms-bo']) {
      const a = simulateJob(bare, job(method, 7, 400));
      const b = simulateJob(testbed, job(method, 7, 400));
      assert.equal(a.error, undefined);
      assert.deepEqual(b, a, method);
    }
  });

  it('noise on: reproducible per job seed, different across seeds, scored on the truth', () => {
    const tb = getTestbed('family-3');
    assert.ok(isNoisyTestbed(tb));
    const a = simulateJob(tb, job('hyperband', 11));
    assert.equal(a.error, undefined);
    assert.deepEqual(simulateJob(tb, job('hyperband', 11)), a);
    const c = simulateJob(tb, job('hyperband', 12));
    assert.notDeepEqual(c.points, a.points);
    for (const p of a.points)
      assert.equal(
        p.value,
        tb.evaluate(p.recommended, tb.target.scale, tb.target.steps, 'val_loss'),
      );
    // The same job without noise sees other values, so (here) recommends differently somewhere.
    const clean = simulateJob(withNoise(tb, undefined), job('hyperband', 11));
    assert.notDeepEqual(
      clean.points.map((p) => p.recommended),
      a.points.map((p) => p.recommended),
    );
  });

  it("a continuation observes its parent's replicate: the parent's values unchanged", () => {
    const { testbed, calls } = recording(getTestbed('family-3'), false);
    const t = simulateJob(testbed, job('hyperband', 5));
    assert.equal(t.error, undefined);
    assert.equal(calls.length, t.points.length);
    let continued = 0;
    const reps = new Set<number>();
    t.points.forEach((p, i) => {
      const call = calls[i];
      assert.ok(call !== undefined);
      if (p.proposal.continues === undefined) {
        assert.ok(!reps.has(call.replicate), 'every new run has its own replicate');
        reps.add(call.replicate);
        return;
      }
      continued++;
      const parent = calls[Number(p.proposal.continues.slice(1))];
      assert.ok(parent !== undefined);
      assert.equal(call.replicate, parent.replicate);
      const now = new Map(call.curve.map((c) => [c.step, c.value]));
      for (const c of parent.curve) if (now.has(c.step)) assert.equal(now.get(c.step), c.value);
    });
    assert.ok(continued > 0, 'hyperband continued some runs');
  });

  it('runBenchmark takes noise in the testbed reference (and null removes it)', async () => {
    const base = { methods: ['random'], metrics: ['val_loss'], seeds: 1, budget: 400, workers: 1 };
    const noisy = await runBenchmark({
      ...base,
      testbed: { name: 'family-vertex', noise: { sd: 0.01, corr: 0.5, small: 2, seed: 1 } },
    });
    const clean = await runBenchmark({ ...base, testbed: { name: 'family-vertex' } });
    const off = await runBenchmark({ ...base, testbed: { name: 'family-3', noise: null } });
    assert.equal(noisy.trajectories[0]?.error, undefined);
    assert.equal(noisy.meta.noise, 'sd=1%,corr=0.5,small=2,seed=1');
    assert.equal(clean.meta.noise, undefined);
    assert.equal(off.meta.noise, undefined);
    assert.notDeepEqual(noisy.trajectories[0]?.points, clean.trajectories[0]?.points);
    const direct = simulateJob(withNoise(getTestbed('family-3'), undefined), {
      ...job('random', off.trajectories[0]?.optimizerSeed as number, 400),
    });
    assert.deepEqual(off.trajectories[0]?.points, direct.points);
  });
});
