import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spaceFromTestbed, ValidationError } from '../../src/core/index.ts';
import { ashaDecision, ashaLadder, type RungResult } from '../../src/optimizers/index.ts';
import { toyTestbed } from '../bench/toy-testbed.ts';

const r = (config: number, value: number, promoted = false): RungResult => ({
  config,
  value,
  promoted,
});

describe('ASHA schedule', () => {
  it('builds the rung ladder over size and steps by cost c*/eta^k (toy: c(S, z) = z/1000, c(L, z) = z/100)', () => {
    // c* = c(L, 1000) = 10. 10/3 = 3.33 affords S at full length (cost 1): (S, 1000).
    // 10/9 = 1.11: again (S, 1000), skipped. 10/27 = 0.37: S for 300 steps (0.3).
    // 10/81 = 0.123: S for 100 steps. 10/243 = 0.041 < c(S, 100) = 0.1: the ladder ends.
    assert.deepEqual(ashaLadder(spaceFromTestbed(toyTestbed, 'loss'), 3), [
      { scale: 'S', steps: 100 },
      { scale: 'S', steps: 300 },
      { scale: 'S', steps: 1000 },
      { scale: 'L', steps: 1000 },
    ]);
    // eta = 2: 5 -> (S, 1000); 2.5, 1.25 -> (S, 1000) again; 0.625 -> (S, 600); 0.3125 -> (S, 300);
    // 0.156 -> (S, 100); 0.078 < 0.1: end.
    assert.deepEqual(
      ashaLadder(spaceFromTestbed(toyTestbed, 'loss'), 2).map((f) => `${f.scale}${f.steps}`),
      ['S100', 'S300', 'S600', 'S1000', 'L1000'],
    );
    // At most maxRungs rungs: the cheapest are dropped.
    assert.deepEqual(
      ashaLadder(spaceFromTestbed(toyTestbed, 'loss'), 2, 3).map((f) => `${f.scale}${f.steps}`),
      ['S600', 'S1000', 'L1000'],
    );
    assert.throws(() => ashaLadder(spaceFromTestbed(toyTestbed, 'loss'), 1.5), ValidationError);
    assert.throws(() => ashaLadder(spaceFromTestbed(toyTestbed, 'loss'), 3, 0), /maxRungs.*got 0/);
  });

  it('promotes the best unpromoted of the top floor(n_k/eta) from the highest rung, else grows', () => {
    const none: RungResult[][] = [[], [], []];
    assert.deepEqual(ashaDecision(none, 3, 'minimize'), { kind: 'grow' });
    // Two results: floor(2/3) = 0 promotable.
    assert.deepEqual(ashaDecision([[r(0, 3), r(1, 1)], [], []], 3, 'minimize'), { kind: 'grow' });
    // Three: the best (config 1, value 1) goes up.
    assert.deepEqual(ashaDecision([[r(0, 3), r(1, 1), r(2, 2)], [], []], 3, 'minimize'), {
      kind: 'promote',
      config: 1,
      from: 0,
    });
    // ...once: promoted, the top third is exhausted.
    assert.deepEqual(
      ashaDecision([[r(0, 3), r(1, 1, true), r(2, 2)], [r(1, 0.5)], []], 3, 'minimize'),
      {
        kind: 'grow',
      },
    );
    // Six results: the top two are configs 5 (promoted) and 4.
    const six = [r(0, 6), r(1, 5), r(2, 4), r(3, 3), r(4, 2), r(5, 1, true)];
    assert.deepEqual(ashaDecision([six, [r(5, 0.9)], []], 3, 'minimize'), {
      kind: 'promote',
      config: 4,
      from: 0,
    });
    // A higher rung with a promotable result goes first.
    assert.deepEqual(
      ashaDecision([six, [r(5, 0.9), r(4, 0.5, false), r(2, 0.7)], []], 3, 'minimize'),
      { kind: 'promote', config: 4, from: 1 },
    );
    // Maximising flips the order; equal values go to the lower configuration.
    assert.deepEqual(ashaDecision([[r(0, 3), r(1, 1), r(2, 2)], []], 3, 'maximize'), {
      kind: 'promote',
      config: 0,
      from: 0,
    });
    assert.deepEqual(ashaDecision([[r(2, 1), r(1, 1), r(0, 2)], []], 3, 'minimize'), {
      kind: 'promote',
      config: 1,
      from: 0,
    });
    // The top rung is never promoted from.
    assert.deepEqual(ashaDecision([[], [r(0, 1), r(1, 2), r(2, 3)]], 3, 'minimize'), {
      kind: 'grow',
    });
  });
});
