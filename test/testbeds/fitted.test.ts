import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataError, Rng } from '../../src/core/index.ts';
import {
  createFittedTestbed,
  getTestbed,
  isFittedTestbed,
  isSimulatorTestbed,
  listTestbeds,
  loadRecordedRuns,
  type RecordedMapping,
  referenceOptimum,
  thin,
} from '../../src/testbeds/index.ts';
import { HAVE_ADMIRE, needsAdmire, tempDir } from './helpers.ts';
import { IRREGULAR_MAPPING } from './runs-fixture.ts';

// Synthetic runs of a known law: loss(w, m, z) = (1 + |w - w*|²) (1 + 2 (z/100)^-0.5) g_m,
// g_S = 1.3, g_L = 1; checkpoints at 100, 300, 1000 (some runs stop at 300);
// multiplicative noise of 0.5% (seeded).
const W_STAR = [0.5, 0.3, 0.2];
function law(w: readonly number[], scale: string, z: number): number {
  let d = 0;
  for (let i = 0; i < 3; i++) d += ((w[i] as number) - (W_STAR[i] as number)) ** 2;
  return (1 + d) * (1 + 2 * (z / 100) ** -0.5) * (scale === 'S' ? 1.3 : 1);
}

const MAPPING: RecordedMapping = { ...IRREGULAR_MAPPING, name: 'synthetic' };

function synthetic(nRuns = 40, noise = 0.005) {
  const rng = new Rng(3);
  const lines = ['w_a,w_b,w_c,size,step,loss'];
  for (let i = 0; i < nRuns; i++) {
    const w = rng.dirichlet(1, 3);
    for (const scale of ['S', 'L']) {
      const steps = i % 4 === 3 ? [100, 300] : [100, 300, 1000];
      for (const z of steps) {
        const y = law(w, scale, z) * (1 + noise * rng.normal());
        lines.push(`${w.map((x) => x.toFixed(12)).join(',')},${scale},${z},${y}`);
      }
    }
  }
  const dir = tempDir('fitted');
  const csv = join(dir, 'runs.csv');
  writeFileSync(csv, `${lines.join('\n')}\n`);
  return { dir, runs: loadRecordedRuns(csv, MAPPING) };
}

describe('fitted testbeds', () => {
  const { dir, runs } = synthetic();
  const cacheDir = join(dir, 'cache');

  it('is a simulator: any mixture, positive losses, curves at every logged step', () => {
    const tb = createFittedTestbed(runs, { cacheDir });
    assert.equal(tb.name, 'synthetic-fit');
    assert.ok(isSimulatorTestbed(tb) && isFittedTestbed(tb));
    assert.equal(tb.candidates, undefined);
    const v = tb.evaluate([0.4, 0.4, 0.2], 'L', 1000, 'loss');
    assert.ok(Math.abs(v / law([0.4, 0.4, 0.2], 'L', 1000) - 1) < 0.03, `${v}`);
    // the log transform keeps every answer positive, even at the vertices and the shortest runs
    for (const w of [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]) {
      for (const z of [100, 1000]) assert.ok(tb.evaluate(w, 'S', z, 'loss') > 0);
    }
    const c = tb.curve([0.4, 0.4, 0.2], 'L', 1000, 'loss');
    assert.equal(c[c.length - 1]?.step, 1000);
    assert.equal(c[c.length - 1]?.value, v);
  });

  it('held-out checkpoints fall inside the 90% intervals about 90% of the time', () => {
    const tb = createFittedTestbed(runs, { noCache: true });
    const [q] = tb.fitQuality(['loss']);
    assert.ok(q !== undefined);
    assert.equal(q.transform, 'log');
    assert.equal(q.heldOutRuns, 16); // 20% of 80 runs
    assert.ok(q.nHeldOut >= 40);
    assert.ok((q.r2 as number) > 0.95, `R² ${q.r2}`);
    assert.ok((q.coverage90 as number) >= 0.75 && (q.coverage90 as number) <= 1, `${q.coverage90}`);
  });

  it('is deterministic: rebuilt with or without the cache, the same answers', () => {
    const w = [0.2, 0.5, 0.3];
    const a = createFittedTestbed(runs, { noCache: true }).evaluate(w, 'S', 300, 'loss');
    const b = createFittedTestbed(runs, { cacheDir }).evaluate(w, 'S', 300, 'loss');
    const c = createFittedTestbed(runs, { cacheDir }).evaluate(w, 'S', 300, 'loss');
    assert.equal(a, b);
    assert.equal(b, c);
    const other = createFittedTestbed(runs, { noCache: true, seed: 1 });
    assert.notEqual(other.fingerprint, createFittedTestbed(runs, { noCache: true }).fingerprint);
  });

  it('the reference optimum is computed on the fitted surface, near the true one', () => {
    const tb = createFittedTestbed(runs, { cacheDir });
    const opt = referenceOptimum(tb, 'loss', { cacheDir });
    const l1 = opt.mixture.reduce((s, x, i) => s + Math.abs(x - (W_STAR[i] as number)), 0);
    assert.ok(l1 < 0.15, `optimum ${opt.mixture} (L1 ${l1} from w*)`);
    assert.ok(Math.abs(opt.value / law(W_STAR, 'L', 1000) - 1) < 0.03);
    assert.deepEqual(tb.referenceOptimum?.('loss'), opt);
  });

  it('conditions on at most maxPoints checkpoints: every last one, then an even stride', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ i, last: i % 5 === 4 }));
    assert.deepEqual(
      thin(rows, 4).map((r) => r.i),
      [0, 4, 5, 9], // lasts 4, 9; two of the others 0..3, 5..8 at stride 4: 0, 5
    );
    assert.deepEqual(
      thin(rows, 1).map((r) => r.i),
      [4],
    );
    assert.equal(thin(rows, 20).length, 10);
    const capped = createFittedTestbed(runs, { noCache: true, maxPoints: 50 });
    const [q] = capped.fitQuality(['loss']);
    assert.ok(q !== undefined && q.nTrain === 50);
  });

  it('needs at least 3 values per metric', () => {
    const small = { ...runs, runs: runs.runs.slice(0, 2) };
    assert.throws(
      () => createFittedTestbed(small, { noCache: true }).evaluate([1, 0, 0], 'L', 100, 'loss'),
      (e: unknown) => e instanceof DataError && /has 2 recorded values/.test(e.message),
    );
  });
});

describe('admire-ift-fit', { skip: needsAdmire }, () => {
  it('is registered, fits in seconds and reports its held-out quality', () => {
    assert.ok(listTestbeds().some((t) => t.name === 'admire-ift-fit') || !HAVE_ADMIRE);
    const tb = getTestbed('admire-ift-fit', { cacheDir: tempDir('admire-fit') });
    assert.ok(isFittedTestbed(tb));
    assert.equal(tb.name, 'admire-ift-fit');
    assert.deepEqual(tb.target, { scale: '7B', steps: 1 });
    const [q] = tb.fitQuality(['gsm8k']);
    assert.equal(q?.transform, 'identity'); // an accuracy: maximised
    assert.ok((q?.r2 as number) > 0.9);
    assert.ok((q?.coverage90 as number) > 0.75);
    const w = Array.from({ length: 19 }, () => 1 / 19);
    const v = tb.evaluate(w, '7B', 1, 'gsm8k');
    assert.ok(v > 0.7 && v < 0.9, `${v}`);
  });
});
