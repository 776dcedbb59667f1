import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { History, RunRecord } from '../../../src/core/index.ts';
import { worthVerifying } from '../../../src/optimizers/mfms/acquisition.ts';
import { hopelessRuns, probabilityBetter } from '../../../src/optimizers/mfms/early-stop.ts';
import { toySpace } from '../toy-space.ts';
import { normCdf, onePointGp } from './one-point-gp.ts';

// A GP with one observation over 3 mixture weights, size and steps (one-point-gp.ts).
const x0 = [0.6, 0.3, 0.1, 1, 1];
const { gp, mu, C } = onePointGp({ s: 2, l: 0.5, v: 0.1, x0, y0: -1.5 });
const xStar = (w: ArrayLike<number>) => [...Array.from(w), 1, 1];

describe('mfms early stop', () => {
  const wRec = [0.6, 0.3, 0.1];

  it('P(a run beats the recommendation at the target) matches the closed-form joint posterior', () => {
    for (const w of [
      [0.1, 0.2, 0.7],
      [0.5, 0.3, 0.2],
      [0.9, 0.05, 0.05],
    ]) {
      const a = xStar(w);
      const b = xStar(wRec);
      const want = normCdf((mu(b) - mu(a)) / Math.sqrt(C(a, a) + C(b, b) - 2 * C(a, b)));
      const got = probabilityBetter(gp, xStar, w, wRec);
      assert.ok(Math.abs(got - want) < 1e-9, `${w}: ${got} vs ${want}`);
    }
  });

  it('stops running runs with >= 2 points below the threshold, never the recommendation nor finished runs', () => {
    const far = [0.05, 0.05, 0.9];
    const pFar = probabilityBetter(gp, xStar, far, wRec);
    assert.ok(pFar > 0 && pFar < 0.5, `P ${pFar}`);
    const pt = (step: number) => ({ step, value: 3 });
    const run = (
      id: string,
      mixture: number[],
      state: RunRecord['state'],
      n: number,
    ): RunRecord => ({
      id,
      mixture,
      scale: 'L',
      steps: 1000,
      curve: Array.from({ length: n }, (_, i) => pt(100 * (i + 1))),
      state,
      cost: 1,
    });
    const h: History = {
      runs: [
        run('a', far, 'running', 2),
        run('b', far, 'running', 1),
        run('c', far, 'completed', 5),
        run('d', wRec, 'running', 4),
        run('e', far, 'running', 3),
      ],
      spent: 0,
    };
    assert.deepEqual(hopelessRuns(h, gp, xStar, wRec, pFar * 1.01), ['a', 'e']);
    assert.deepEqual(hopelessRuns(h, gp, xStar, wRec, pFar * 0.99), []);
    assert.deepEqual(hopelessRuns(h, gp, xStar, wRec, 0), []);
  });

  it("verifyWhen 'confident': verify w only when it beats the best-predicted completed target run with P >= pSwitch", () => {
    // toySpace: target L@1000; xStar(w) = [w, 1, 1] as above.
    const space = toySpace();
    const target = (id: string, mixture: number[], state: RunRecord['state'] = 'completed') => ({
      id,
      mixture,
      scale: 'L',
      steps: 1000,
      curve: [{ step: 1000, value: 3 }],
      state,
      cost: 10,
    });
    const w = [0.6, 0.3, 0.1];
    const far = [0.05, 0.05, 0.9];
    const mid = [0.3, 0.3, 0.4];
    // No completed target run: always.
    assert.equal(worthVerifying({ runs: [], spent: 0 }, space, gp, xStar, w, 0.9), true);
    const pending: History = { runs: [target('p', far, 'running')], spent: 0 };
    assert.equal(worthVerifying(pending, space, gp, xStar, w, 0.9), true);
    // Verified: far and mid; the one of smaller posterior mean is the incumbent.
    const h: History = { runs: [target('a', far), target('b', mid)], spent: 0 };
    const inc = mu(xStar(far)) < mu(xStar(mid)) ? far : mid;
    const p = probabilityBetter(gp, xStar, w, inc);
    assert.ok(p > 0.5 && p < 1, `P ${p}`);
    assert.equal(worthVerifying(h, space, gp, xStar, w, p * 0.999), true);
    assert.equal(worthVerifying(h, space, gp, xStar, w, Math.min(0.9999, p * 1.001)), false);
  });
});
