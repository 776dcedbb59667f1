import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  DataError,
  NotFoundError,
  UnsupportedError,
  ValidationError,
} from '../../src/core/index.ts';
import {
  createRecordedTestbed,
  interpolateLogStep,
  loadRecordedRuns,
  loadRecordedTestbed,
  readMappingFile,
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

describe('recorded-runs loader checks', () => {
  it('a conflicting duplicate is refused with both line numbers; nothing is returned', () => {
    const csv = `${IRREGULAR_CSV}0.5,0.5,S,400,3.1\n`;
    assert.throws(
      () => loadRecordedRuns(writeRuns(csv).csv, IRREGULAR_MAPPING),
      (e: unknown) =>
        e instanceof DataError &&
        /lines 3 and 16 record the same mixture at size S, 400 steps with different values \(metric loss: 3 vs 3\.1\)/.test(
          e.message,
        ) &&
        /delete the wrong row/.test(e.message),
    );
  });

  it('an identical duplicate is merged with a note', () => {
    const p = writeRuns(`${IRREGULAR_CSV}0.5,0.5,S,400,3\n`);
    const runs = loadRecordedRuns(p.csv, IRREGULAR_MAPPING);
    assert.equal(runs.runs.length, 14);
    assert.equal(runs.notes.length, 1);
    assert.match(runs.notes[0] as string, /line 16 repeats line 3 .*merged/);
  });

  it('a negative weight is named by column and line', () => {
    const p = writeRuns(IRREGULAR_CSV.replace('0.9,0.1,S,100', '1.1,-0.1,S,100'));
    assert.throws(
      () => loadRecordedRuns(p.csv, IRREGULAR_MAPPING),
      /line 12: weight w_b is -0\.1; mixture weights must be >= 0/,
    );
  });

  it('weights that do not sum to 1 name the columns read and the ones left out', () => {
    const csv = 'w_a,w_b,x_c,size,step,loss\n0.3,0.3,0.4,S,100,4\n';
    const p = writeRuns(csv);
    assert.throws(
      () => loadRecordedRuns(p.csv, IRREGULAR_MAPPING),
      (e: unknown) =>
        e instanceof DataError &&
        /line 2: mixture weights sum to 0\.6.*reads 2 weight columns \(w_a, w_b\).*leaves out: x_c/.test(
          e.message,
        ),
    );
  });

  it('a missing mapped column is named', () => {
    const p = writeRuns(IRREGULAR_CSV.replace('w_a,w_b,size,step,loss', 'w_a,w_b,size,stp,loss'));
    assert.throws(
      () => loadRecordedRuns(p.csv, IRREGULAR_MAPPING),
      /has no column 'step' \(steps\); fix the mapping or the CSV header/,
    );
  });

  it('an invalid mapping file is a data error naming the field', () => {
    const p = writeRuns(IRREGULAR_CSV, { ...IRREGULAR_MAPPING, target: { size: 'L' } });
    assert.throws(
      () => readMappingFile(p.mapping),
      (e: unknown) => e instanceof DataError && /target\.scale/.test(e.message),
    );
    writeFileSync(p.mapping, '{ nope');
    assert.throws(() => loadRecordedTestbed(p.mapping), /not valid JSON.*fix the file/);
  });
});
