// The mfms-bo surrogate as a transfer predictor: the training rows become runs (one per run,
// steps ascending), test inputs are decoded back to (mixture, size, steps), and the predictions
// are those of fitMfmsSurrogate on that history; a usable fit on a smooth testbed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/core/index.ts';
import { fitMfmsSurrogate } from '../../src/optimizers/index.ts';
import {
  encodeRunInput,
  mfmsBoPredictor,
  mfmsTransferSpace,
  runTransfer,
  trainingHistory,
} from '../../src/transfer/index.ts';
import { generateRunSet } from '../../src/transfer/run-set.ts';
import { fakeTestbed } from './fake-testbed.ts';

const tb = fakeTestbed(3); // 500M, 700M, 1B
const runSet = generateRunSet(tb, {
  seed: 2,
  runsPerScale: { '500M': 8, '700M': 8, '1B': 8 },
  maxSteps: 2000,
});

/** Training rows: the last two logged points of every run, in run-set order. */
function training() {
  const rows: { run: number; step: number }[] = [];
  const y: number[] = [];
  const X: number[] = [];
  const space = mfmsTransferSpace(runSet, 'loss');
  runSet.runs.forEach((r, ri) => {
    for (const l of [r.steps.length - 1, r.steps.length - 2]) {
      rows.push({ run: ri, step: r.steps[l]! });
      y.push(r.values.loss![l]!);
      X.push(...encodeRunInput(space, r.mixture, r.scale, r.steps[l]!, 'log'));
    }
  });
  const n = y.length;
  const all = Array.from({ length: n }, (_, i) => i);
  return {
    X: Float64Array.from(X),
    y: Float64Array.from(y),
    n,
    d: 5,
    k: 3,
    condRows: all,
    fitRows: all,
    source: { runSet, metric: 'loss', sizeEncoding: 'log' as const, rows },
  };
}

describe('mfms transfer predictor', () => {
  it('turns the conditioned rows into one completed run per run, steps ascending', () => {
    const train = training();
    const h = trainingHistory({ ...train, condRows: train.condRows.slice(0, 6) });
    assert.equal(h.runs.length, 3);
    const first = h.runs[0]!;
    const src = runSet.runs[0]!;
    assert.equal(first.id, src.id);
    assert.equal(first.scale, src.scale);
    assert.deepEqual(
      first.curve.map((p) => p.step),
      [src.steps[src.steps.length - 2], src.steps[src.steps.length - 1]],
    );
    assert.equal(first.curve[1]!.value, src.values.loss![src.steps.length - 1]);
    assert.equal(first.steps, src.steps[src.steps.length - 1]);
  });

  it('predicts what fitMfmsSurrogate predicts at the decoded inputs, and near the truth', () => {
    const train = training();
    const p = mfmsBoPredictor()(train, 5);
    const space = mfmsTransferSpace(runSet, 'loss');
    const fitted = fitMfmsSurrogate(
      space,
      trainingHistory(train),
      { maxObservations: train.n, fitPoints: train.n },
      5,
    );
    assert.ok(fitted !== undefined);
    const at = [
      { mixture: [0.2, 0.3, 0.5], scale: '1B', steps: 2000 },
      { mixture: [0.6, 0.1, 0.3], scale: '700M', steps: 1000 },
    ];
    const Xs = Float64Array.from(
      at.flatMap((q) => encodeRunInput(space, q.mixture, q.scale, q.steps, 'log')),
    );
    const got = p.predict(Xs);
    const want = fitted.predict(at);
    at.forEach((q, i) => {
      assert.equal(got.mean[i], want[i]!.mean);
      assert.equal(got.variance[i], want[i]!.std ** 2);
      // The closed form is smooth in every input: the model predicts it to within 1%.
      const truth = tb.curve(q.mixture, q.scale, q.steps, 'loss').at(-1)!.value;
      assert.ok(Math.abs(got.mean[i]! - truth) < 0.01 * truth, `${got.mean[i]} vs ${truth}`);
    });
    // A size input that is no ladder size's is refused.
    const bad = Float64Array.from(Xs);
    bad[3] = 0.123;
    assert.throws(() => p.predict(bad), /size input 0.123 is not a ladder size's/);
  });

  it('refuses training data without the rows source, and too few runs', () => {
    const { source: _drop, ...bare } = training();
    assert.throws(() => mfmsBoPredictor()(bare, 0), /TrainingData.source/);
    const train = training();
    assert.throws(
      () => mfmsBoPredictor()({ ...train, condRows: [0, 1, 2, 3], fitRows: [0, 1, 2, 3] }, 0),
      (e: unknown) =>
        e instanceof ValidationError && /at least 5 training runs, got 2/.test(e.message),
    );
  });

  it('ranks held-out 1B runs from the other sizes and half the 1B runs (Spearman > 0.9)', () => {
    const res = runTransfer(runSet, {
      experiments: ['E2'],
      metrics: ['loss'],
      seeds: [0],
      factory: mfmsBoPredictor(),
    });
    const cell = res.cells[0]!;
    assert.ok((cell.rank.spearman ?? 0) > 0.9, `spearman ${cell.rank.spearman}`);
    assert.ok(cell.r2 > 0.8, `R² ${cell.r2}`);
  });
});
