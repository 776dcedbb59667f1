// The mixture term of the family testbeds and its planted optimum
// (src/testbeds/family-landscape.ts): G(w) = Σ_v exp(p_v + t_v·w) by hand,
// the KKT conditions and G(w*) = 1 after planting, the spread found by
// bisection, the kinds of optimum, drift distances, the small-end landscapes
// and the difference cap.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/core/index.ts';
import {
  DRIFT_DISTANCE,
  drawDriftOptimum,
  drawOptimum,
  endLandscape,
  type Landscape,
  l1,
  limitDifference,
  mixtureTerm,
  plant,
  type Structure,
  structureWithSpread,
} from '../../src/testbeds/family-landscape.ts';

/** n uniform (Dirichlet(1)) mixtures of k domains, row-major. */
function simplexSample(rng: Rng, n: number, k: number): Float64Array {
  const out = new Float64Array(n * k);
  for (let r = 0; r < n; r++) out.set(rng.dirichlet(1, k), r * k);
  return out;
}

/** ∂G/∂w_j at w. */
function gradG(L: Landscape, w: readonly number[], k: number): number[] {
  const g = new Array<number>(k).fill(0);
  for (let v = 0; v < k; v++) {
    let s = L.p[v]!;
    for (let j = 0; j < k; j++) s += L.t[v * k + j]! * w[j]!;
    for (let j = 0; j < k; j++) g[j]! += Math.exp(s) * L.t[v * k + j]!;
  }
  return g;
}

function meanG(L: Landscape, sample: Float64Array, k: number): number {
  let s = 0;
  const n = sample.length / k;
  for (let r = 0; r < n; r++) s += mixtureTerm(L, sample.subarray(r * k, r * k + k), k);
  return s / n;
}

describe('mixtureTerm and l1', () => {
  it('G(w) = Σ_v exp(p_v + t_v·w), worked by hand for k = 2', () => {
    const L = { t: Float64Array.from([1, 2, -1, 0]), p: Float64Array.from([0, Math.log(3)]) };
    // v=0: exp(0 + 0.25 + 1.5) ; v=1: exp(ln 3 - 0.25 + 0)
    const want = Math.exp(1.75) + 3 * Math.exp(-0.25);
    assert.ok(Math.abs(mixtureTerm(L, [0.25, 0.75], 2) - want) < 1e-12);
  });

  it('l1 sums absolute differences', () => {
    assert.equal(l1([1, 0, 0], [0, 0.5, 0.5]), 2);
    assert.equal(l1([0.25, 0.75], [0.5, 0.5]), 0.5);
  });
});

describe('plant and structureWithSpread', () => {
  const k = 5;
  const rng = new Rng(21);
  const sample = simplexSample(rng.fork('sample'), 400, k);
  for (const kind of ['vertex', 'face', 'interior'] as const) {
    it(`${kind}: w* is the minimum of G with G(w*) = 1 and the KKT signs`, () => {
      const wStar = drawOptimum(rng.fork(kind), k, kind);
      const S = structureWithSpread(rng.fork(`s-${kind}`), wStar, 0.2, sample);
      const L = plant(S, wStar);
      assert.ok(Math.abs(mixtureTerm(L, wStar, k) - 1) < 1e-12);
      // gradient 0 on the support, positive off it
      const g = gradG(L, wStar, k);
      wStar.forEach((w, j) => {
        if (w > 0) assert.ok(Math.abs(g[j]!) < 1e-10, `g[${j}] = ${g[j]}`);
        else assert.ok(g[j]! > 1e-6, `g[${j}] = ${g[j]}`);
      });
      // convex with those conditions: no mixture does better
      for (let r = 0; r < 400; r++) {
        assert.ok(mixtureTerm(L, sample.subarray(r * k, r * k + k), k) >= 1 - 1e-12);
      }
      // γ was bisected so that the mean excess over the sample is the asked spread
      assert.ok(Math.abs(meanG(L, sample, k) - 1 - 0.2) < 1e-9, `${meanG(L, sample, k) - 1}`);
      assert.ok(S.margins.every((m) => m >= 0.3 && m <= 1));
    });
  }

  it('the structure is t⁰ = γ(−δ + C) and planting only shifts whole columns', () => {
    const wStar = [0.2, 0.3, 0.5, 0, 0];
    const S: Structure = structureWithSpread(new Rng(2), wStar, 0.1, sample);
    const L = plant(S, wStar);
    for (let j = 0; j < k; j++) {
      const c = L.t[j]! - S.t0[j]!;
      for (let v = 1; v < k; v++)
        assert.ok(Math.abs(L.t[v * k + j]! - S.t0[v * k + j]! - c) < 1e-12);
    }
    // a larger spread needs a larger γ
    assert.ok(structureWithSpread(new Rng(2), wStar, 0.4, sample).gamma > S.gamma);
  });
});

describe('drawOptimum and drawDriftOptimum', () => {
  it('vertex: one domain at 1; interior: every weight >= 0.5/k; face: 2..k-1 domains >= 0.4/s', () => {
    const rng = new Rng(8);
    for (let i = 0; i < 50; i++) {
      const k = 3 + (i % 6);
      const v = drawOptimum(rng, k, 'vertex');
      assert.deepEqual([...v].sort(), [...new Array(k - 1).fill(0), 1]);
      const inner = drawOptimum(rng, k, 'interior');
      assert.ok(Math.abs(inner.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      assert.ok(inner.every((x) => x >= 0.5 / k - 1e-15));
      const f = drawOptimum(rng, k, 'face');
      const s = f.filter((x) => x > 0).length;
      assert.ok(s >= 2 && s <= k - 1, `support ${s} of ${k}`);
      assert.ok(Math.abs(f.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      assert.ok(f.every((x) => x === 0 || x >= 0.4 / s - 1e-15));
    }
  });

  it('a drifting optimum is at least 0.4 away, near DRIFT_DISTANCE, of the same kind', () => {
    const rng = new Rng(13);
    for (let i = 0; i < 20; i++) {
      const from = drawOptimum(rng, 6, 'interior');
      const w = drawDriftOptimum(rng, from, 'interior');
      assert.ok(l1(w, from) >= 0.4);
      assert.ok(w.every((x) => x >= 0.5 / 6 - 1e-15));
      const fromFace = drawOptimum(rng, 6, 'face');
      assert.ok(
        Math.abs(l1(drawDriftOptimum(rng, fromFace, 'face'), fromFace) - DRIFT_DISTANCE) < 0.4,
      );
      // vertices: another vertex, at L1 distance 2
      const fromV = drawOptimum(rng, 6, 'vertex');
      assert.equal(l1(drawDriftOptimum(rng, fromV, 'vertex'), fromV), 2);
    }
  });
});

describe('endLandscape', () => {
  const k = 4;
  const rng = new Rng(31);
  const sample = simplexSample(rng.fork('sample'), 300, k);
  const wT = drawOptimum(rng.fork('w'), k, 'interior');
  const S = structureWithSpread(rng.fork('s'), wT, 0.3, sample);
  const target = plant(S, wT);

  it('fixed: the target landscape itself', () => {
    const r = endLandscape(rng, 'fixed', S, target, wT, 'interior', 0.3, sample);
    assert.equal(r.L, target);
    assert.equal(r.planted, undefined);
  });

  it('drift: the same structure planted at a drawn optimum far from the target', () => {
    const r = endLandscape(new Rng(4), 'drift', S, target, wT, 'interior', 0.3, sample);
    assert.ok(r.planted !== undefined && l1(r.planted, wT) >= 0.4);
    assert.deepEqual(r.L, plant(S, r.planted!));
    assert.ok(Math.abs(mixtureTerm(r.L, r.planted!, k) - 1) < 1e-12);
  });

  it('reverse: t = −t¹ + 0.3 R with the mean of G over the sample kept', () => {
    const r = endLandscape(new Rng(4), 'reverse', S, target, wT, 'interior', 0.3, sample);
    assert.ok(Math.abs(meanG(r.L, sample, k) / meanG(target, sample, k) - 1) < 1e-12);
    // R: a fresh planting from the forks 'optimum' and 'plant' of the given rng
    const rr = new Rng(4);
    const wR = drawOptimum(rr.fork('optimum'), k, 'interior');
    const R = plant(structureWithSpread(rr.fork('plant'), wR, 0.3, sample), wR);
    r.L.t.forEach((x, i) => {
      assert.ok(Math.abs(x - (-target.t[i]! + 0.3 * R.t[i]!)) < 1e-15, `t[${i}]`);
    });
    // p is the target's p shifted by one constant
    const shift = r.L.p[0]! - target.p[0]!;
    for (let v = 1; v < k; v++) assert.ok(Math.abs(r.L.p[v]! - target.p[v]! - shift) < 1e-12);
    assert.equal(r.planted, undefined);
  });
});

describe('limitDifference', () => {
  const L1: Landscape = { t: Float64Array.from([0, 0, 0, 0]), p: Float64Array.from([0, 0]) };
  const Lx: Landscape = { t: Float64Array.from([1, -2, 0.5, 0]), p: Float64Array.from([1, 0]) };
  // |Δp_v + Δt_vj|: v=0: |1+1| = 2, |1-2| = 1; v=1: 0.5, 0 -> M = 2

  it('leaves a landscape within the cap unchanged (factor 1)', () => {
    const r = limitDifference(L1, Lx, 2, 2);
    assert.equal(r.L, Lx);
    assert.equal(r.factor, 1);
  });

  it('otherwise moves Lx towards L1 by cap / M so that the largest difference is the cap', () => {
    const r = limitDifference(L1, Lx, 2, 0.5);
    assert.equal(r.factor, 0.25);
    assert.deepEqual([...r.L.t], [0.25, -0.5, 0.125, 0]);
    assert.deepEqual([...r.L.p], [0.25, 0]);
  });
});
