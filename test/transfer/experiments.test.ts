import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  runTransfer,
  type SeedResult,
  supportedExperiments,
  thinPoints,
  trainingPoints,
  transferSummary,
} from '../../src/transfer/experiments.ts';
import { makeSplit } from '../../src/transfer/splits.ts';
import { oracle, RS } from './oracle.ts';

describe('runTransfer with a known-answer surrogate', () => {
  it('scores a perfect predictor R² = 1 and full coverage', () => {
    const res = runTransfer(RS, {
      experiments: ['E1', 'E6'],
      metrics: ['loss'],
      seeds: [0, 1],
      factory: oracle('loss', 1e-6),
    });
    for (const c of res.cells) {
      assert.ok(Math.abs(c.r2 - 1) < 1e-12, `${c.experiment} ${c.r2}`);
      assert.equal(c.r2Std, 0);
      assert.equal(c.coverage90, 1);
      assert.equal(c.seeds.length, 2);
    }
    assert.equal(res.surrogate, 'custom');
  });
  it('scores a constant bias by its closed form', () => {
    // bias b on every prediction: R² = 1 - n b² / Σ(y - ȳ)²; coverage 0 when b > z·σ
    const b = 0.01;
    const res = runTransfer(RS, {
      experiments: ['E1'],
      metrics: ['loss'],
      seeds: [3],
      factory: oracle('loss', 1e-8, b),
    });
    const split = makeSplit(RS, 'E1', 3);
    const y = split.test.map((i) => RS.runs[i]?.values.loss?.at(-1) as number);
    const mean = y.reduce((a, x) => a + x, 0) / y.length;
    const ssTot = y.reduce((a, x) => a + (x - mean) ** 2, 0);
    const cell = res.cells[0];
    assert.ok(cell !== undefined);
    assert.ok(Math.abs(cell.r2 - (1 - (y.length * b * b) / ssTot)) < 1e-9);
    assert.equal(cell.coverage90, 0);
    assert.equal(cell.seeds[0]?.nTest, 6);
    // the summary has the documented shape
    const sum = transferSummary(res);
    const e1 = sum.experiments.E1?.loss;
    assert.ok(e1 !== undefined);
    assert.equal(e1.r2, cell.r2);
    assert.equal(typeof e1.r2Std, 'number');
    assert.equal(typeof e1.r2Log, 'number');
    assert.equal(e1.coverage90, 0);
    assert.equal(sum.design.E1?.trainRuns, 6);
  });
});

describe('training points and thinning', () => {
  it('use every logged point up to the cut, or the final value only', () => {
    const e6 = makeSplit(RS, 'E6', 0);
    const pts = trainingPoints(RS, e6, 'loss', 'log');
    assert.equal(pts.y.length, 7 * 197 + 16 * 196);
    assert.equal(Math.max(...pts.steps), 19_700);
    assert.equal(pts.isLast.filter(Boolean).length, 23);
    const e1 = trainingPoints(RS, makeSplit(RS, 'E1', 0), 'loss', 'log');
    assert.equal(e1.y.length, 6);
    assert.ok(e1.steps.every((z) => z === 19_700));
    // inputs: w (3), s in [0, 1] (1 at 1B), t = z / 19,700
    assert.deepEqual(e1.X[0]?.slice(3), [1, 1]);
    // s = ln(p / 20M) / ln(1B / 20M) ('log') or p / 1B ('linear'), via the optimisers' encodeInput
    const e3 = makeSplit(RS, 'E3', 0);
    const at = (enc: 'log' | 'linear', scale: string) => {
      const p = trainingPoints(RS, e3, 'loss', enc);
      const i = e3.train.findIndex((t) => RS.runs[t.run]?.scale === scale);
      return p.X[i]?.[3] as number;
    };
    assert.equal(at('log', '20M'), 0);
    assert.ok(Math.abs(at('log', '150M') - Math.log(7.5) / Math.log(50)) < 1e-12);
    assert.ok(Math.abs(at('linear', '150M') - 0.15) < 1e-12);
  });
  it("thin on a common step grid, keeping every run's last point", () => {
    const e6 = makeSplit(RS, 'E6', 0);
    const pts = trainingPoints(RS, e6, 'loss', 'log');
    const rows = thinPoints(pts.steps, pts.isLast, 100, 2000);
    assert.ok(rows.length <= 2000);
    // stride 3 fits: 4515 points -> every 300 steps + the 23 last points
    const onGrid = pts.steps.filter((z) => (z / 100) % 3 === 0).length;
    const lastOff = pts.steps.filter((z, i) => pts.isLast[i] && (z / 100) % 3 !== 0).length;
    assert.equal(rows.length, onGrid + lastOff);
    for (let i = 0; i < pts.steps.length; i++) if (pts.isLast[i]) assert.ok(rows.includes(i));
    assert.deepEqual(thinPoints([100, 200], [false, true], 100, 5), [0, 1]);
    // when the last points alone exceed the cap: an even subsample of them
    assert.equal(
      thinPoints([1, 1, 1, 1, 1, 1], [true, true, true, true, true, true], 1, 3).length,
      3,
    );
  });
});

describe('runTransfer with the MFMS-GP', () => {
  it('predicts the closed-form testbed well and is reproducible from the seed', () => {
    const opts = {
      experiments: ['E1', 'E2'] as const,
      metrics: ['loss'],
      seeds: [0],
      surrogate: { restarts: 1, maxIter: 60 },
    };
    const a = runTransfer(RS, { ...opts, experiments: [...opts.experiments] });
    const b = runTransfer(RS, { ...opts, experiments: [...opts.experiments] });
    const strip = (s: SeedResult) => ({ ...s, seconds: 0 });
    assert.deepEqual(
      a.cells.map((c) => c.seeds.map(strip)),
      b.cells.map((c) => c.seeds.map(strip)),
    );
    // E2 adds all 700M runs: a smooth additive truth is learnt well
    const e2 = a.cells.find((c) => c.experiment === 'E2');
    assert.ok(e2 !== undefined && e2.r2 > 0.8, `E2 R² ${e2?.r2}`);
  });
  it('lists the experiments a run set supports', () => {
    assert.deepEqual(supportedExperiments(RS), ['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E8']);
    const finals = {
      ...RS,
      maxSteps: 1,
      runs: RS.runs.map((r) => ({ ...r, steps: [1], values: { loss: [1], acc: [1] } })),
    };
    assert.deepEqual(supportedExperiments(finals), ['E1', 'E2', 'E3', 'E4', 'E5']);
    assert.throws(
      () => runTransfer(finals, { experiments: ['E7'] }),
      /E7 needs learning curves \(several checkpoints per run\)/,
    );
    assert.throws(() => runTransfer(RS, { metrics: ['ppl'] }), /unknown metric 'ppl'/);
  });
});
