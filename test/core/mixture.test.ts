import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  activeRuns,
  type History,
  type RunRecord,
  SIMPLEX_TOL,
  ValidationError,
  validateMixture,
} from '../../src/core/index.ts';

describe('validateMixture', () => {
  it('returns a valid mixture unchanged, within the sum tolerance', () => {
    const w = [0.25, 0.25, 0.5];
    assert.equal(validateMixture(w, 3), w);
    assert.deepEqual(validateMixture([0.5, 0.5 + 0.9 * SIMPLEX_TOL], 2), [
      0.5,
      0.5 + 0.9 * SIMPLEX_TOL,
    ]);
    assert.deepEqual(validateMixture([1, 0, 0], 3), [1, 0, 0]);
  });

  it('rejects a wrong length, a non-finite or negative weight, and a sum off 1, naming the value', () => {
    const fails = (w: unknown, k: number, re: RegExp): void => {
      assert.throws(
        () => validateMixture(w as number[], k, 'w'),
        (e: unknown) => e instanceof ValidationError && re.test(e.message),
      );
    };
    fails([0.5, 0.5], 3, /^w must have 3 weights \(one per domain\), got 2: \[0\.5,0\.5\]$/);
    fails('0.5,0.5', 2, /^w must have 2 weights \(one per domain\), got string/);
    fails([0.5, Number.NaN], 2, /^w\[1\] must be a finite number, got NaN$/);
    fails([1.5, -0.5], 2, /^w\[1\] = -0\.5 is negative; weights must be >= 0 and sum to 1$/);
    fails(
      [0.25, 0.75 + 2 ** -16],
      2,
      /^w weights sum to 1\.0000152587890625, not 1 \(tolerance 0\.000001\); normalise them, e\.g\. divide each by 1\.0000152587890625$/,
    );
    fails([0.2, 0.2], 2, /sum to 0\.4, not 1/);
  });
});

describe('activeRuns', () => {
  const run = (id: string, parent?: string): RunRecord => ({
    id,
    mixture: [1],
    scale: 's',
    steps: 100,
    curve: [],
    state: 'completed',
    cost: 1,
    ...(parent !== undefined ? { parent } : {}),
  });

  it('leaves out every run a continuation supersedes, keeping order', () => {
    const history: History = {
      runs: [run('a'), run('b'), run('c', 'a'), run('d', 'c'), run('e')],
      spent: 5,
    };
    assert.deepEqual(
      activeRuns(history).map((r) => r.id),
      ['b', 'd', 'e'],
    );
    assert.deepEqual(activeRuns({ runs: [], spent: 0 }), []);
  });
});
