// The replay testbed over recorded runs (src/testbeds/replay.ts): exact
// recorded values, log-step interpolation between checkpoints, errors outside
// a run, candidates and the reference optimum, the cost model, the target
// shape and how rows are grouped into runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFoundError, UnsupportedError, ValidationError } from '../../src/core/index.ts';
import {
  createRecordedTestbed,
  groupRuns,
  interpolateLogStep,
  loadRecordedRuns,
  recordedCost,
  recordedShape,
  referenceOptimum,
} from '../../src/testbeds/index.ts';
import { IRREGULAR_CSV, IRREGULAR_MAPPING, writeRuns } from './runs-fixture.ts';

function replay(csv = IRREGULAR_CSV, mapping: unknown = IRREGULAR_MAPPING) {
  const p = writeRuns(csv, mapping);
  return createRecordedTestbed(loadRecordedRuns(p.csv, mapping));
}

describe('recorded runs with irregular logs (replay)', () => {
  it('answers recorded steps exactly and interpolates between checkpoints in log-step', () => {
    const tb = replay();
    assert.equal(tb.evaluate([0.5, 0.5], 'S', 400, 'loss'), 3);
    // 800 lies halfway between 400 and 1600 in log-step: (3 + 2.5) / 2
    assert.ok(Math.abs(tb.evaluate([0.5, 0.5], 'S', 800, 'loss') - 2.75) < 1e-12);
    // 200 between 100 (4) and 400 (3): ln 2 / ln 4 = half of the way
    assert.ok(Math.abs(tb.evaluate([0.5, 0.5], 'S', 200, 'loss') - 3.5) < 1e-12);
    // a run longer than the target: its value at 2000 between 1000 (2.2) and 3000 (1.9)
    const f = Math.log(2) / Math.log(3);
    assert.ok(Math.abs(tb.evaluate([0.2, 0.8], 'L', 2000, 'loss') - (2.2 - 0.3 * f)) < 1e-12);
    assert.equal(interpolateLogStep(10, 1, 1000, 3, 100), 2);
  });

  it("a curve is the run's own checkpoints up to z, ending at z", () => {
    const tb = replay();
    const c = tb.curve([0.5, 0.5], 'S', 800, 'loss');
    assert.deepEqual(
      c.map((p) => p.step),
      [100, 400, 800],
    );
    assert.deepEqual(
      c.slice(0, 2).map((p) => p.value),
      [4, 3],
    );
    assert.ok(Math.abs((c[2]?.value as number) - 2.75) < 1e-12);
  });

  it('a step outside a run is an error naming its recorded range and the nearest recorded step', () => {
    const tb = replay();
    assert.throws(
      () => tb.evaluate([0.2, 0.8], 'S', 100, 'loss'),
      (e: unknown) =>
        e instanceof NotFoundError &&
        /recorded at steps 200\.\.800 \(2 checkpoints\), nearest recorded step 200/.test(
          e.message,
        ) &&
        /--fit/.test(e.message),
    );
    assert.throws(
      () => tb.curve([0.9, 0.1], 'L', 1000, 'loss'),
      /steps 100\.\.400 \(2 checkpoints\), nearest recorded step 400/,
    );
    // outside the testbed's whole range: a validation error naming the range
    assert.throws(() => tb.evaluate([0.5, 0.5], 'S', 5000, 'loss'), ValidationError);
    // a mixture never recorded
    assert.throws(() => tb.evaluate([0.4, 0.6], 'S', 400, 'loss'), NotFoundError);
  });

  it('candidates are the mixtures whose target-size run reaches the target; the optimum is the best of them', () => {
    const tb = replay();
    assert.deepEqual(tb.target, { scale: 'L', steps: 1000 });
    assert.deepEqual(tb.candidates, [
      [0.5, 0.5],
      [0.2, 0.8],
    ]);
    const opt = referenceOptimum(tb, 'loss');
    assert.deepEqual(opt.mixture, [0.5, 0.5]);
    assert.equal(opt.value, 2);
    assert.match(opt.method, /best candidate at the target \(L, 1000 steps\)/);
    // a target between checkpoints: interpolated values compete
    const mid = replay(IRREGULAR_CSV, {
      ...IRREGULAR_MAPPING,
      target: { scale: 'L', steps: 2000 },
    });
    assert.deepEqual(mid.candidates, [[0.2, 0.8]]);
  });

  it('no candidate at the target: the reference optimum names the cause and the fix', () => {
    const csv = IRREGULAR_CSV.replace('0.2,0.8,L,3000,1.9\n', '');
    const tb = replay(csv, { ...IRREGULAR_MAPPING, target: { scale: 'L', steps: 1600 } });
    assert.equal(tb.candidates?.length, 0);
    assert.throws(
      () => referenceOptimum(tb, 'loss'),
      (e: unknown) =>
        e instanceof UnsupportedError &&
        /no candidate mixture has a recorded loss at the target \(L, 1600 steps\); the 3 runs at L reach at most 1000 steps/.test(
          e.message,
        ) &&
        /"steps": N/.test(e.message),
    );
  });

  it('a size with a handful of mixtures works', () => {
    const csv = `${IRREGULAR_CSV}0.3,0.7,S,100,4\n0.3,0.7,S,200,3.9\n0.6,0.4,S,150,3.95\n`;
    const tb = replay(csv);
    assert.equal(tb.candidates?.length, 2);
    const want = 4 - (0.1 * Math.log(141 / 100)) / Math.log(2);
    assert.ok(Math.abs(tb.evaluate([0.3, 0.7], 'S', 141, 'loss') - want) < 1e-12);
    assert.equal(tb.evaluate([0.6, 0.4], 'S', 150, 'loss'), 3.95);
  });
});

describe('interpolateLogStep', () => {
  it('is linear in ln z and exact at both ends', () => {
    assert.equal(interpolateLogStep(100, 4, 400, 3, 100), 4);
    assert.equal(interpolateLogStep(100, 4, 400, 3, 400), 3);
    // z = 100·4^(1/4): a quarter of the way in log-step
    const z = 100 * 4 ** 0.25;
    assert.ok(Math.abs(interpolateLogStep(100, 4, 400, 3, z) - 3.75) < 1e-12);
  });
});

describe('recordedCost', () => {
  const runs = () => loadRecordedRuns(writeRuns().csv, IRREGULAR_MAPPING);

  it('without a cost column: (N_m / N_target) · steps / 100', () => {
    const c = recordedCost(runs(), 'L');
    assert.equal(c.cost('L', 1000), 10);
    assert.ok(Math.abs(c.cost('S', 1000) - 1) < 1e-12);
    assert.equal(c.unit, '100 steps of the L model (by parameter count)');
  });

  it('with a cost column: the mean recorded cost per step at each size', () => {
    const csv = `w_a,w_b,size,step,loss,gpu_h
0.5,0.5,S,100,4,2
0.2,0.8,S,200,3.8,6
0.5,0.5,L,1000,2,50
`;
    const mapping = { ...IRREGULAR_MAPPING, cost: { column: 'gpu_h', unit: 'GPU hours' } };
    const r = loadRecordedRuns(writeRuns(csv, mapping).csv, mapping);
    const c = recordedCost(r, 'L');
    // S: mean of 2/100 and 6/200 = 0.025 per step; L: 50/1000 = 0.05
    assert.ok(Math.abs(c.cost('S', 400) - 10) < 1e-12);
    assert.ok(Math.abs(c.cost('L', 1000) - 50) < 1e-12);
    assert.equal(c.unit, "GPU hours (recorded 'gpu_h', mean per step at each size)");
  });
});

describe('recordedShape and groupRuns', () => {
  const runs = loadRecordedRuns(writeRuns().csv, IRREGULAR_MAPPING);

  it("the target is the mapping's, its steps defaulting to the longest recorded run", () => {
    assert.deepEqual(recordedShape(runs, 'x').target, { scale: 'L', steps: 1000 });
    const { steps: _s, ...noSteps } = IRREGULAR_MAPPING.target;
    const open = { ...runs, mapping: { ...runs.mapping, target: noSteps } };
    const { target, shape } = recordedShape(open, 'x');
    assert.deepEqual(target, { scale: 'L', steps: 3000 });
    assert.equal(shape.name, 'x');
    assert.deepEqual(shape.domains, ['a', 'b']);
  });

  it('names a target size that is not on the ladder', () => {
    const bad = { ...runs, mapping: { ...runs.mapping, target: { scale: 'XL', steps: 1000 } } };
    assert.throws(() => recordedShape(bad, 'x'), NotFoundError);
  });

  it('groups rows by mixture and size, each run sorted by step', () => {
    const g = groupRuns(runs);
    assert.equal(g.size, 6);
    const s = g.get('0.500000000,0.500000000|S');
    assert.deepEqual(
      s?.rows.map((r) => r.steps),
      [100, 400, 1600],
    );
    assert.deepEqual(
      g.get('0.200000000,0.800000000|L')?.rows.map((r) => r.steps),
      [100, 1000, 3000],
    );
    assert.equal(s?.scale, 'S');
    assert.deepEqual(s?.mixture, [0.5, 0.5]);
  });
});
