import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CauchyWork, cauchyPoint } from '../../src/linalg/lbfgsb-cauchy.ts';
import { LbfgsMemory } from '../../src/linalg/lbfgsb-memory.ts';
import { compactB, fillMemory, lcg, maxAbsDiff } from './lbfgsb-helpers.ts';

describe('Cauchy point', () => {
  it('Cauchy point is the first local minimiser of the model along the projected path', () => {
    const n = 8;
    const mem = new LbfgsMemory(n, 5);
    fillMemory(mem, 5, lcg(3));
    const B = compactB(mem);
    const rnd = lcg(42);
    const lower = Float64Array.from({ length: n }, (_, i) => (i === 7 ? -Infinity : -0.3));
    const upper = Float64Array.from({ length: n }, (_, i) => (i === 6 ? Infinity : 0.4));
    const x = Float64Array.from({ length: n }, () => 0.3 * rnd());
    x[1] = -0.3; // at its lower bound
    const g = Float64Array.from({ length: n }, () => 3 * rnd());
    g[1] = 2; // pointing out of the box: stays fixed
    const model = (xt: Float64Array) => {
      let q = 0;
      for (let i = 0; i < n; i++) {
        const di = xt[i]! - x[i]!;
        q += g[i]! * di;
        for (let j = 0; j < n; j++) q += 0.5 * di * B[i * n + j]! * (xt[j]! - x[j]!);
      }
      return q;
    };
    const path = (t: number) =>
      Float64Array.from(x, (xi, i) => Math.min(upper[i]!, Math.max(lower[i]!, xi - t * g[i]!)));
    const state = new Int8Array(n).fill(0);
    state[6] = 0;
    state[7] = 0;
    const xcp = new Float64Array(n);
    const c = new Float64Array(2 * mem.m);
    cauchyPoint(x, g, lower, upper, mem, state, xcp, c, new CauchyWork(n, mem.m));
    // xᶜ lies on the path: recover t* from the unbounded coordinate 7.
    const tStar = (x[7]! - xcp[7]!) / g[7]!;
    assert.ok(tStar > 0);
    assert.ok(maxAbsDiff(xcp, path(tStar)) <= 1e-12, 'on the projected path');
    assert.equal(xcp[1], -0.3);
    let crossed = 0;
    for (let i = 0; i < n; i++)
      if (i !== 1 && (xcp[i] === lower[i] || xcp[i] === upper[i])) crossed++;
    assert.ok(crossed >= 1, 'the path crosses at least one breakpoint before t*');
    const qStar = model(xcp);
    for (let s = 0; s <= 400; s++) {
      const t = (tStar * s) / 400;
      assert.ok(model(path(t)) >= qStar - 1e-12, `q(${t}) below q(t*)`);
    }
    assert.ok(model(path(tStar * 1.001)) >= qStar - 1e-12, 'local minimiser: q rises after t*');
    // c = Wᵀ(xᶜ − x)
    const w = new Float64Array(2 * mem.col);
    const cRef = new Float64Array(2 * mem.col);
    for (let i = 0; i < n; i++) {
      mem.row(i, w);
      for (let p = 0; p < w.length; p++) cRef[p] = cRef[p]! + w[p]! * (xcp[i]! - x[i]!);
    }
    assert.ok(maxAbsDiff(c.subarray(0, cRef.length), cRef) <= 1e-12);
  });
});
