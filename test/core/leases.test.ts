import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkLeaseSeconds,
  LEASE_SECONDS_MAX,
  LEASE_SECONDS_MIN,
  leaseProblem,
  ValidationError,
} from '../../src/core/index.ts';

describe('lease lengths', () => {
  it('accept 1 s to 365 days, both ends included', () => {
    assert.equal(LEASE_SECONDS_MIN, 1);
    assert.equal(LEASE_SECONDS_MAX, 31_536_000);
    for (const s of [1, 1.5, 600, 31_536_000]) assert.equal(leaseProblem(s), undefined, String(s));
  });

  it('reject 0, negatives, beyond a year, non-finite and non-numbers', () => {
    const why = 'must be a number of seconds between 1 and 31536000 (365 days)';
    for (const s of [0, 0.999, -5, 31_536_001, 1e300, Number.NaN, Number.POSITIVE_INFINITY, '60']) {
      assert.equal(leaseProblem(s as number), why, String(s));
    }
  });

  it('checkLeaseSeconds throws a ValidationError naming what and the value', () => {
    assert.doesNotThrow(() => checkLeaseSeconds(3600));
    assert.throws(
      () => checkLeaseSeconds(0, '--lease'),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.message ===
          '--lease must be a number of seconds between 1 and 31536000 (365 days), got 0',
    );
    assert.throws(
      () => checkLeaseSeconds(Number.NaN),
      /the lease must be a number of seconds between 1 and 31536000 \(365 days\), got NaN$/,
    );
  });
});
