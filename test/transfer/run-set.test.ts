import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/core/index.ts';
import {
  defaultRunsPerScale,
  finalValue,
  generateRunSet,
  PAPER_RUNS_PER_SCALE,
} from '../../src/transfer/run-set.ts';
import { fakeTestbed } from './fake-testbed.ts';

const SMALL = { '20M': 3, '60M': 2, '150M': 2, '300M': 2, '500M': 2, '700M': 2, '1B': 4 };

describe('generateRunSet', () => {
  it('draws the requested runs per scale, each with its whole curve', () => {
    const tb = fakeTestbed();
    const rs = generateRunSet(tb, { seed: 1, runsPerScale: SMALL });
    assert.equal(rs.runs.length, 17);
    for (const [name, n] of Object.entries(SMALL)) {
      assert.equal(rs.runs.filter((r) => r.scale === name).length, n);
    }
    for (const r of rs.runs) {
      assert.equal(r.steps.length, 197);
      assert.equal(r.steps[0], 100);
      assert.equal(r.steps[196], 19_700);
      const sum = r.mixture.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-12 && r.mixture.every((x) => x >= 0));
      assert.equal(finalValue(r, 'loss'), tb.evaluate(r.mixture, r.scale, 19_700, 'loss'));
      assert.equal(r.values.acc?.length, 197);
    }
    assert.equal(rs.maxSteps, 19_700);
  });
  it('uses the paper counts by default on the paper ladder', () => {
    const counts = defaultRunsPerScale(fakeTestbed().scales);
    assert.deepEqual(counts, PAPER_RUNS_PER_SCALE);
    assert.equal(
      Object.values(counts).reduce((a, b) => a + b, 0),
      472,
    );
    // an unknown ladder: an even split of 472
    assert.deepEqual(
      defaultRunsPerScale([
        { name: 'x', params: 1 },
        { name: 'y', params: 2 },
      ]),
      { x: 236, y: 236 },
    );
  });
  it('is reproducible from the seed', () => {
    const tb = fakeTestbed();
    const a = generateRunSet(tb, { seed: 4, runsPerScale: SMALL, maxSteps: 1000 });
    const b = generateRunSet(tb, { seed: 4, runsPerScale: SMALL, maxSteps: 1000 });
    const c = generateRunSet(tb, { seed: 5, runsPerScale: SMALL, maxSteps: 1000 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.runs[0]?.mixture, c.runs[0]?.mixture);
    // changing one scale's count leaves the other scales' mixtures unchanged
    const d = generateRunSet(tb, { seed: 4, runsPerScale: { ...SMALL, '20M': 9 }, maxSteps: 1000 });
    assert.deepEqual(
      d.runs.filter((r) => r.scale === '1B').map((r) => r.mixture),
      a.runs.filter((r) => r.scale === '1B').map((r) => r.mixture),
    );
  });
  it('adds observation noise of the requested size', () => {
    const tb = fakeTestbed();
    const opts = { seed: 2, runsPerScale: { '1B': 40 }, maxSteps: 2000 };
    const clean = generateRunSet(tb, opts);
    const noisy = generateRunSet(tb, { ...opts, noise: { std: 0.05 } });
    const rel = generateRunSet(tb, { ...opts, noise: { std: 0.02, relative: true } });
    const diffs: number[] = [];
    const ratios: number[] = [];
    clean.runs.forEach((r, i) => {
      const y = r.values.loss as number[];
      const yn = noisy.runs[i]?.values.loss as number[];
      const yr = rel.runs[i]?.values.loss as number[];
      y.forEach((v, l) => {
        diffs.push((yn[l] as number) - v);
        ratios.push((yr[l] as number) / v - 1);
      });
    });
    const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / xs.length);
    // 800 draws: the sample sd is within ~10% of the truth
    assert.ok(Math.abs(sd(diffs) - 0.05) < 0.005, `sd ${sd(diffs)}`);
    assert.ok(Math.abs(sd(ratios) - 0.02) < 0.002, `sd ${sd(ratios)}`);
    assert.match(noisy.source, /noise absolute std 0.05/);
    // the mixtures do not depend on the noise
    assert.deepEqual(
      noisy.runs.map((r) => r.mixture),
      clean.runs.map((r) => r.mixture),
    );
  });
  it('rejects bad options with clear messages', () => {
    const tb = fakeTestbed();
    assert.throws(
      () => generateRunSet(tb, { seed: 0, runsPerScale: { '2B': 3 } }),
      /names scale '2B'.*its scales: 20M/,
    );
    assert.throws(
      () => generateRunSet(tb, { seed: 0, runsPerScale: { '1B': -1 } }),
      ValidationError,
    );
    assert.throws(
      () => generateRunSet(tb, { seed: 0, maxSteps: 50_000 }),
      /outside testbed 'fake' range/,
    );
    assert.throws(() => generateRunSet(tb, { seed: 0, metrics: ['ppl'] }), /no metric 'ppl'/);
    assert.throws(
      () => generateRunSet(tb, { seed: 0, runsPerScale: { '1B': 1 }, noise: { std: -1 } }),
      /noise.std/,
    );
  });
});
