// The recorded-runs loader on irregular logs (src/testbeds/recorded-runs.ts): duplicates,
// weights and mapping errors. Replaying these runs is tested in replay.test.ts.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DataError } from '../../src/core/index.ts';
import {
  loadRecordedRuns,
  loadRecordedTestbed,
  readMappingFile,
} from '../../src/testbeds/index.ts';
import { IRREGULAR_CSV, IRREGULAR_MAPPING, writeRuns } from './runs-fixture.ts';

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
