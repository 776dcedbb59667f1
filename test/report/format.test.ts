import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fmtCost,
  fmtFixed,
  fmtPercent,
  fmtSpeedup,
  fmtValue,
  fmtWeight,
} from '../../src/report/index.ts';

const DASH = '\u2013';

describe('report number formats', () => {
  it('formats numbers, and never prints NaN', () => {
    assert.equal(fmtValue(2.544712345), '2.5447');
    assert.equal(fmtValue(Number.NaN), DASH);
    assert.equal(fmtValue(undefined), DASH);
    assert.equal(fmtCost(600.771), '600.77');
    assert.equal(fmtPercent(0.12345), '12.3%');
    assert.equal(fmtSpeedup(2.614), '2.61x');
    assert.equal(fmtSpeedup(null), 'not reached');
  });

  it('values to significant digits, weights to 3 decimals, fixed to the given decimals', () => {
    assert.equal(fmtValue(0.000123456789), '0.00012346');
    assert.equal(fmtValue(123456.7), '1.2346e+5');
    assert.equal(fmtValue(2.5, 3), '2.50');
    assert.equal(fmtWeight(0.33333), '0.333');
    assert.equal(fmtWeight(1), '1.000');
    assert.equal(fmtFixed(2.5, 0), '3');
    assert.equal(fmtFixed(-1.005, 1), '-1.0');
  });

  it('prints a dash for every missing or non-finite input (a speedup: not reached)', () => {
    for (const x of [
      null,
      undefined,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]) {
      assert.equal(fmtValue(x), DASH);
      assert.equal(fmtFixed(x, 2), DASH);
      assert.equal(fmtCost(x), DASH);
      assert.equal(fmtWeight(x), DASH);
      assert.equal(fmtPercent(x), DASH);
      assert.equal(fmtSpeedup(x), 'not reached');
    }
  });
});
