import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/core/index.ts';
import type { RunSet, TransferRun } from '../../src/transfer/run-set.ts';
import { PAPER_RUNS_PER_SCALE } from '../../src/transfer/run-set.ts';
import {
  type ExperimentId,
  fullLength,
  makeSplit,
  splitCompute,
  spreadCounts,
  truncationDesign,
} from '../../src/transfer/splits.ts';

const SCALES = [
  { name: '20M', params: 20e6 },
  { name: '60M', params: 60e6 },
  { name: '150M', params: 150e6 },
  { name: '300M', params: 300e6 },
  { name: '500M', params: 500e6 },
  { name: '700M', params: 700e6 },
  { name: '1B', params: 1e9 },
];
const STEPS = Array.from({ length: 197 }, (_, i) => 100 * (i + 1));

/** A paper-shaped run set with dummy values (splits never read values). */
function paperRunSet(): RunSet {
  const runs: TransferRun[] = [];
  for (const s of SCALES) {
    const n = PAPER_RUNS_PER_SCALE[s.name] as number;
    for (let i = 0; i < n; i++) {
      runs.push({
        id: `${s.name}-${i}`,
        mixture: [1, 0, 0],
        scale: s.name,
        steps: STEPS,
        values: { loss: STEPS.map((z) => 1 / z) },
      });
    }
  }
  return {
    source: 'test',
    domains: ['a', 'b', 'c'],
    scales: SCALES,
    metrics: [{ name: 'loss', direction: 'minimize' }],
    maxSteps: 19_700,
    runs,
  };
}

const RS = paperRunSet();
const scaleOf = (i: number): string => RS.runs[i]?.scale as string;
const count = (idx: readonly number[], scale: string): number =>
  idx.filter((i) => scaleOf(i) === scale).length;

describe('E1..E5 half splits', () => {
  it('have the sizes of the paper table', () => {
    const expect: Record<string, { train: Record<string, number>; test: Record<string, number> }> =
      {
        E1: { train: { '1B': 34 }, test: { '1B': 34 } },
        E2: { train: { '1B': 34, '700M': 52 }, test: { '1B': 34 } },
        E3: {
          train: {
            '1B': 34,
            '700M': 52,
            '500M': 39,
            '300M': 74,
            '150M': 53,
            '60M': 71,
            '20M': 115,
          },
          test: { '1B': 34 },
        },
        E4: { train: { '700M': 26 }, test: { '700M': 26 } },
        E5: { train: { '700M': 26, '500M': 39 }, test: { '700M': 26 } },
      };
    for (const [e, want] of Object.entries(expect)) {
      const sp = makeSplit(RS, e as ExperimentId, 0);
      const trainIdx = sp.train.map((t) => t.run);
      for (const s of SCALES) {
        assert.equal(count(trainIdx, s.name), want.train[s.name] ?? 0, `${e} train ${s.name}`);
        assert.equal(count(sp.test, s.name), want.test[s.name] ?? 0, `${e} test ${s.name}`);
      }
      // train and test are disjoint, no duplicates
      assert.equal(new Set([...trainIdx, ...sp.test]).size, trainIdx.length + sp.test.length);
      // final values only, by default
      assert.ok(sp.train.every((t) => t.finalOnly && t.upTo === 19_700));
    }
  });
  it('split the target scale into complementary halves, shared across E1..E3', () => {
    const e1 = makeSplit(RS, 'E1', 5);
    const e2 = makeSplit(RS, 'E2', 5);
    const e3 = makeSplit(RS, 'E3', 5);
    assert.deepEqual(e2.test, e1.test);
    assert.deepEqual(e3.test, e1.test);
    const halves = new Set([...e1.train.map((t) => t.run), ...e1.test]);
    assert.equal(halves.size, 68);
    // a different seed gives a different half; the same seed the same
    assert.notDeepEqual(makeSplit(RS, 'E1', 6).test, e1.test);
    assert.deepEqual(makeSplit(RS, 'E1', 5), e1);
  });
  it('can use whole curves instead of final values', () => {
    const sp = makeSplit(RS, 'E2', 0, { halfTrainPoints: 'curve' });
    assert.ok(sp.train.every((t) => !t.finalOnly && t.upTo === 19_700));
    assert.equal(splitCompute(RS, sp).points, (34 + 52) * 197);
  });
  it('need enough scales', () => {
    const two: RunSet = {
      ...RS,
      scales: SCALES.slice(5),
      runs: RS.runs.filter((r) => r.scale === '700M' || r.scale === '1B'),
    };
    assert.throws(
      () => makeSplit(two, 'E5', 0),
      (e: unknown) =>
        e instanceof ValidationError && /needs at least 3 scales, got 2/.test(e.message),
    );
    assert.equal(makeSplit(two, 'E3', 0).train.length, 34 + 52);
  });
});

describe('E6..E8 equal-compute truncation splits', () => {
  const cuts = { E6: [16, 19_600], E7: [22, 13_000], E8: [32, 8_500] } as const;
  const testCounts: Record<string, number> = {
    '20M': 35,
    '60M': 21,
    '150M': 16,
    '300M': 22,
    '500M': 12,
    '700M': 16,
    '1B': 20,
  };
  it('hold out 30% of every size, one full run per size plus the cut runs', () => {
    for (const [e, [N, cut]] of Object.entries(cuts)) {
      const sp = makeSplit(RS, e as ExperimentId, 1);
      assert.equal(sp.test.length, 142);
      for (const s of SCALES)
        assert.equal(count(sp.test, s.name), testCounts[s.name], `${e} test ${s.name}`);
      const full = sp.train.filter((t) => t.upTo === 19_700);
      const cutRuns = sp.train.filter((t) => t.upTo === cut);
      assert.equal(full.length, 7);
      assert.deepEqual(
        SCALES.map((s) =>
          count(
            full.map((t) => t.run),
            s.name,
          ),
        ),
        [1, 1, 1, 1, 1, 1, 1],
      );
      assert.equal(cutRuns.length, N);
      assert.equal(sp.train.length, 7 + N);
      const perScale = SCALES.map((s) =>
        count(
          cutRuns.map((t) => t.run),
          s.name,
        ),
      );
      assert.deepEqual(perScale, spreadCounts(N, 7));
      const trainIdx = sp.train.map((t) => t.run);
      assert.equal(new Set([...trainIdx, ...sp.test]).size, trainIdx.length + sp.test.length);
      assert.ok(sp.train.every((t) => !t.finalOnly));
    }
    assert.deepEqual(spreadCounts(16, 7), [3, 3, 2, 2, 2, 2, 2]);
    assert.deepEqual(spreadCounts(22, 7), [4, 3, 3, 3, 3, 3, 3]);
    assert.deepEqual(spreadCounts(32, 7), [5, 5, 5, 5, 4, 4, 4]);
  });
  it('share the test set and nest the cut runs across E6..E8', () => {
    const [e6, e7, e8] = (['E6', 'E7', 'E8'] as const).map((e) => makeSplit(RS, e, 3));
    assert.deepEqual(e7?.test, e6?.test);
    assert.deepEqual(e8?.test, e6?.test);
    const runs = (s: typeof e6) => new Set(s?.train.map((t) => t.run));
    for (const r of runs(e6)) assert.ok(runs(e7).has(r));
    for (const r of runs(e7)) assert.ok(runs(e8).has(r));
  });
  it('count equal compute: steps, points and cost units', () => {
    // relative per-step cost of each size (docs/benchmarks.md); cost unit = 100 steps of 1B
    const rel: Record<string, number> = {
      '20M': 0.01296,
      '60M': 0.03232,
      '150M': 0.07484,
      '300M': 0.14773,
      '500M': 0.21662,
      '700M': 0.2983,
      '1B': 1,
    };
    const cost = (s: string, z: number) => ((rel[s] as number) * z) / 100;
    const fullCost = Object.values(rel).reduce((a, b) => a + b, 0) * 197;
    const want = {
      E6: {
        steps: 7 * 19_700 + 16 * 19_600,
        points: 7 * 197 + 16 * 196,
        cut: 196 * (3 * 0.01296 + 3 * 0.03232 + 2 * (0.07484 + 0.14773 + 0.21662 + 0.2983 + 1)),
      },
      E7: {
        steps: 7 * 19_700 + 22 * 13_000,
        points: 7 * 197 + 22 * 130,
        cut: 130 * (4 * 0.01296 + 3 * (0.03232 + 0.07484 + 0.14773 + 0.21662 + 0.2983 + 1)),
      },
      E8: {
        steps: 7 * 19_700 + 32 * 8_500,
        points: 7 * 197 + 32 * 85,
        cut: 85 * (5 * (0.01296 + 0.03232 + 0.07484 + 0.14773) + 4 * (0.21662 + 0.2983 + 1)),
      },
    };
    for (const [e, w] of Object.entries(want)) {
      const c = splitCompute(RS, makeSplit(RS, e as ExperimentId, 0), cost);
      assert.equal(c.steps, w.steps, e);
      assert.equal(c.points, w.points, e);
      assert.ok(Math.abs((c.cost as number) - (fullCost + w.cut)) < 1e-9, `${e} cost ${c.cost}`);
    }
    // within 12% of each other in cut-run cost: 707.7, 697.0, 628.9 units
    assert.ok(
      Math.abs(want.E6.cut - 707.72) < 0.01 &&
        Math.abs(want.E7.cut - 696.97) < 0.01 &&
        Math.abs(want.E8.cut - 628.91) < 0.01,
    );
  });
  it('refuse run sets too small or too short', () => {
    const few: RunSet = {
      ...RS,
      runs: RS.runs.filter((r) => r.scale !== '500M' || Number(r.id.split('-')[1]) < 5),
    };
    assert.throws(
      () => makeSplit(few, 'E8', 0),
      /needs 2 test \+ 1 full \+ 4 cut runs at 500M, but it has only 5 runs/,
    );
    const finals: RunSet = {
      ...RS,
      runs: RS.runs.map((r) => ({ ...r, steps: [19_700], values: { loss: [1] } })),
    };
    assert.throws(
      () => makeSplit(finals, 'E8', 0),
      /E8 needs learning curves \(several checkpoints per run\)/,
    );
  });
});

/** Irregular logs: most runs end at 30k steps, a few of the largest go to 100k. */
function irregularRunSet(): RunSet {
  const grid = [1000, 2000, 5000, 10_000, 20_000, 30_000];
  const runs: TransferRun[] = [];
  for (const [j, s] of SCALES.slice(0, 3).entries()) {
    for (let i = 0; i < 40; i++) {
      const steps = j === 2 && i < 4 ? [...grid, 60_000, 100_000] : grid;
      runs.push({
        id: `${s.name}-${i}`,
        mixture: [1, 0, 0],
        scale: s.name,
        steps,
        values: { loss: steps.map((z) => 1 / z) },
      });
    }
  }
  return {
    source: 'irregular',
    domains: ['a', 'b', 'c'],
    scales: SCALES.slice(0, 3),
    metrics: [{ name: 'loss', direction: 'minimize' }],
    maxSteps: 100_000,
    runs,
  };
}

describe('E6..E8 cuts', () => {
  it("use the paper's cuts on a 19,700-step run set", () => {
    assert.deepEqual(truncationDesign(RS, 'E8'), {
      runs: 32,
      cutAt: 8500,
      full: 19_700,
      derived: false,
    });
  });

  it('derive cuts from the data when the runs are longer, landing on recorded checkpoints', () => {
    const rs = irregularRunSet();
    assert.equal(fullLength(rs), 30_000);
    // fractions 0.995, 0.66, 0.431 of 30,000 = 29,848, 19,797, 12,944 -> nearest checkpoints in log-step
    assert.equal(truncationDesign(rs, 'E6').cutAt, 20_000);
    assert.equal(truncationDesign(rs, 'E7').cutAt, 20_000);
    assert.equal(truncationDesign(rs, 'E8').cutAt, 10_000);
    const sp = makeSplit(rs, 'E8', 0);
    // one full run per size, used up to 30,000 (the 100k runs count as full)
    const full = sp.train.filter((t) => t.upTo === 30_000);
    assert.equal(full.length, 3);
    const cut = sp.train.filter((t) => t.upTo === 10_000);
    assert.equal(cut.length, 32);
    assert.match(
      sp.description,
      /cut at 10000 steps \(cut derived from the data: full length 30000 steps\)/,
    );
    // every cut run keeps its 4 checkpoints up to the cut
    assert.equal(splitCompute(rs, sp).points, 3 * 6 + 32 * 4);
  });
});

describe('custom splits', () => {
  it('train on whole sizes, a share of a size and step caps; test on the rest', () => {
    const sp = makeSplit(RS, 'custom', 2, {
      custom: {
        train: [{ scale: '20M' }, { scale: '60M', maxSteps: 5000 }, { scale: '1B', fraction: 0.5 }],
        test: { scale: '1B' },
      },
    });
    assert.equal(
      count(
        sp.train.map((t) => t.run),
        '20M',
      ),
      115,
    );
    assert.equal(
      count(
        sp.train.map((t) => t.run),
        '60M',
      ),
      71,
    );
    assert.equal(
      count(
        sp.train.map((t) => t.run),
        '1B',
      ),
      34,
    );
    assert.ok(sp.train.filter((t) => scaleOf(t.run) === '60M').every((t) => t.upTo === 5000));
    assert.equal(sp.test.length, 34);
    assert.ok(sp.test.every((i) => scaleOf(i) === '1B'));
    const trainSet = new Set(sp.train.map((t) => t.run));
    assert.ok(sp.test.every((i) => !trainSet.has(i)));
    assert.equal(
      sp.description,
      'train 20M, 60M (≤ 5000 steps), 0.5 of 1B; test the other 1B runs',
    );
    // small runs alone, tested on every 1B run
    const small = makeSplit(RS, 'custom', 0, {
      custom: { train: [{ scale: '20M' }, { scale: '60M' }], test: { scale: '1B' } },
    });
    assert.equal(small.test.length, 68);
  });

  it('refuses unknown sizes and empty test sets, naming the fix', () => {
    assert.throws(
      () =>
        makeSplit(RS, 'custom', 0, { custom: { train: [{ scale: '2B' }], test: { scale: '1B' } } }),
      /--train: size '2B' is not in the run set; sizes: 20M, 60M/,
    );
    assert.throws(
      () =>
        makeSplit(RS, 'custom', 0, { custom: { train: [{ scale: '1B' }], test: { scale: '1B' } } }),
      /leaves 0 test runs at 1B; .*--train 1B:0\.5/,
    );
    assert.throws(() => makeSplit(RS, 'custom', 0), /needs a split \(--train SIZES --test SIZE\)/);
  });
});
