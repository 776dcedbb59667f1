import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  intOpt,
  leaseOpt,
  nonNegativeInt,
  numOpt,
  parseList,
  positiveInt,
  positiveNumber,
} from '../../../src/cli/shared/options.ts';
import { ValidationError } from '../../../src/core/index.ts';

/** Asserts that `f` throws a ValidationError whose message is exactly `message`. */
function rejects(f: () => unknown, message: string): void {
  assert.throws(f, (e: unknown) => e instanceof ValidationError && e.message === message);
}

describe('cli/shared/options: option parsers echo the bad value', () => {
  it('intOpt: safe integers >= min', () => {
    assert.equal(intOpt('--n', '3'), 3);
    assert.equal(intOpt('--n', '0', 0), 0);
    for (const v of ['0', '', ' ', '1.5', 'x', '9007199254740993']) {
      rejects(() => intOpt('--n', v), `--n must be an integer >= 1, got '${v}'`);
    }
    rejects(() => intOpt('--from', '-1', 0), "--from must be an integer >= 0, got '-1'");
  });

  it('numOpt: finite numbers only (no empty string read as 0)', () => {
    assert.equal(numOpt('--value', '-2.5e-3'), -2.5e-3);
    for (const v of ['', 'NaN', 'Infinity', 'abc']) {
      rejects(() => numOpt('--value', v), `--value must be a finite number, got '${v}'`);
    }
  });

  it('leaseOpt: a lease length in seconds, the problem named', () => {
    assert.equal(leaseOpt('--lease', '90'), 90);
    for (const v of ['', '0', '-5', 'soon']) {
      assert.throws(
        () => leaseOpt('--lease', v),
        (e: unknown) =>
          e instanceof ValidationError &&
          e.message.startsWith('--lease ') &&
          e.message.endsWith(`, got '${v}'`),
        v,
      );
    }
  });

  it('positiveInt, nonNegativeInt, positiveNumber: the option name with its dashes', () => {
    assert.equal(positiveInt('seeds')('20'), 20);
    rejects(() => positiveInt('seeds')('0'), "--seeds must be a positive integer, got '0'");
    rejects(() => positiveInt('seeds')('2.5'), "--seeds must be a positive integer, got '2.5'");
    assert.equal(nonNegativeInt('seed')('0'), 0);
    rejects(() => nonNegativeInt('seed')('-1'), "--seed must be a non-negative integer, got '-1'");
    assert.equal(positiveNumber('budget')('1.5'), 1.5);
    for (const v of ['0', '-1', 'Infinity', 'x']) {
      rejects(() => positiveNumber('budget')(v), `--budget must be a positive number, got '${v}'`);
    }
  });

  it('parseList: comma-separated, trimmed, empty items dropped', () => {
    assert.deepEqual(parseList(' random, hyperband ,,mfms-bo:paper,'), [
      'random',
      'hyperband',
      'mfms-bo:paper',
    ]);
    assert.deepEqual(parseList(''), []);
  });
});
