import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  boxBounds,
  makeSimplexMap,
  projectOntoBoundedSimplex,
  type SimplexMap,
} from '../../src/acquisition/simplex.ts';
import { Rng, ValidationError } from '../../src/core/index.ts';

/** A smooth non-linear test function of w with its gradient. */
function testFn(w: ArrayLike<number>): { f: number; g: Float64Array } {
  const k = w.length;
  let f = 0;
  const g = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const wi = w[i] as number;
    f += Math.sin(1.3 * (i + 1) * wi) + 0.7 * wi * wi * (i + 0.5);
    g[i] = 1.3 * (i + 1) * Math.cos(1.3 * (i + 1) * wi) + 1.4 * wi * (i + 0.5);
  }
  // A cross term so the gradient is not separable.
  f += 2 * (w[0] as number) * (w[k - 1] as number);
  g[0] = g[0]! + 2 * (w[k - 1] as number);
  g[k - 1] = g[k - 1]! + 2 * (w[0] as number);
  return { f, g };
}

/** Central finite differences of theta -> f(w(theta)) against the analytic pullback. */
function checkChain(map: SimplexMap, theta: Float64Array, h = 1e-6): number {
  const analytic = map.pullback(theta, testFn(map.toSimplex(theta)).g);
  let worst = 0;
  for (let j = 0; j < theta.length; j++) {
    const tp = Float64Array.from(theta);
    const tm = Float64Array.from(theta);
    tp[j] = tp[j]! + h;
    tm[j] = tm[j]! - h;
    const fd = (testFn(map.toSimplex(tp)).f - testFn(map.toSimplex(tm)).f) / (2 * h);
    worst = Math.max(worst, Math.abs(fd - analytic[j]!));
  }
  return worst;
}

describe('simplex parameterisations', () => {
  it('softmax chain rule matches finite differences, interior and near vertices', () => {
    const map = makeSimplexMap(5, { parameterization: 'softmax' });
    const rng = new Rng(1);
    for (let r = 0; r < 10; r++) {
      const theta = Float64Array.from({ length: 5 }, () => rng.uniformIn(-3, 3));
      assert.ok(checkChain(map, theta) < 1e-6);
    }
    // Near a vertex: one logit large, w_0 close to 1.
    const nearVertex = Float64Array.from([9, -1, 0, -2, 0.5]);
    assert.ok(map.toSimplex(nearVertex)[0]! > 0.999);
    assert.ok(checkChain(map, nearVertex) < 1e-6);
  });

  it('the naive chain (dF/dw passed as dF/dtheta) is wrong: guards against the reference-code bug', () => {
    const map = makeSimplexMap(4, { parameterization: 'softmax' });
    const theta = Float64Array.from([0.3, -0.2, 1.1, 0]);
    const gw = testFn(map.toSimplex(theta)).g;
    const correct = map.pullback(theta, gw);
    let diff = 0;
    for (let i = 0; i < 4; i++) diff = Math.max(diff, Math.abs(correct[i]! - gw[i]!));
    assert.ok(diff > 0.1);
  });

  it('normalized chain rule matches finite differences, including on a face and at a vertex', () => {
    const map = makeSimplexMap(4);
    const rng = new Rng(2);
    for (let r = 0; r < 10; r++) {
      const theta = Float64Array.from({ length: 4 }, () => rng.uniform());
      assert.ok(checkChain(map, theta, 1e-7) < 1e-5);
    }
    // u with u_3 = 0 (on a face): the gradient of u_3 is not zero, so the search can leave the face.
    const theta = Float64Array.from([0.9, 0.6, 0.5, 0]);
    const w = map.toSimplex(theta);
    assert.equal(w[3], 0);
    // One-sided difference at the bound u_3 = 0.
    const h = 1e-7;
    const tp = Float64Array.from(theta);
    tp[3] = h;
    const fd = (testFn(map.toSimplex(tp)).f - testFn(w).f) / h;
    const an = map.pullback(theta, testFn(w).g)[3]!;
    assert.ok(Math.abs(fd - an) < 1e-5 && Math.abs(an) > 0.1);
    // At a vertex.
    const v = Float64Array.from([1, 0, 0, 0]);
    assert.deepEqual([...map.toSimplex(v)], [1, 0, 0, 0]);
  });

  it('normalized reaches vertices exactly and round-trips simplex points', () => {
    const map = makeSimplexMap(3);
    assert.deepEqual([...map.toSimplex([1, 0, 0])], [1, 0, 0]);
    const w = [0.2, 0.5, 0.3];
    const back = map.toSimplex(map.fromSimplex(w));
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(back[i]! - w[i]!) < 1e-14);
  });

  it('softmax reaches a vertex to within exp(-2B) at the logit bounds', () => {
    const map = makeSimplexMap(3, { parameterization: 'softmax', logitBound: 20 });
    const w = map.toSimplex([20, -20, -20]);
    assert.ok(1 - w[0]! < 1e-16 + 2 * Math.exp(-40));
  });

  it('projection respects per-domain bounds and fixed weights; chain rule under bounds', () => {
    const bounds = [
      { min: 0.1, max: 0.5 },
      { min: 0, max: 1 },
      { min: 0.2, max: 0.2 },
      { min: 0, max: 0.3 },
    ];
    const b = boxBounds(4, bounds);
    const { w } = projectOntoBoundedSimplex([3, -1, 0.9, 2], b);
    let s = 0;
    for (let i = 0; i < 4; i++) {
      assert.ok(w[i]! >= bounds[i]!.min - 1e-15 && w[i]! <= bounds[i]!.max + 1e-15);
      s += w[i]!;
    }
    assert.ok(Math.abs(s - 1) < 1e-14);
    assert.equal(w[2], 0.2);
    for (const kind of ['normalized', 'softmax'] as const) {
      const map = makeSimplexMap(4, { parameterization: kind, bounds });
      const theta = Float64Array.from(
        kind === 'softmax' ? [0.1, 0.4, -0.3, 0.2] : [0.3, 0.4, 0.2, 0.1],
      );
      assert.ok(checkChain(map, theta, 1e-7) < 1e-5, kind);
    }
  });

  it('rejects infeasible bounds with a message naming the sums', () => {
    assert.throws(
      () =>
        boxBounds(2, [
          { min: 0.7, max: 1 },
          { min: 0.6, max: 1 },
        ]),
      (e: unknown) => e instanceof ValidationError && /sum to 1\.3/.test(e.message),
    );
    assert.throws(
      () =>
        boxBounds(2, [
          { min: 0.5, max: 0.4 },
          { min: 0, max: 1 },
        ]),
      ValidationError,
    );
  });
});
