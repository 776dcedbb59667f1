import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maximizeOverSimplex } from '../../src/acquisition/simplex-search.ts';
import { Rng } from '../../src/core/index.ts';

/** f(w) = -sum a_i (w_i - c_i)^2: concave; on the simplex its maximum is at c when c is on it. */
function bowl(c: readonly number[], a: readonly number[]) {
  return (w: Float64Array, g: Float64Array): number => {
    let f = 0;
    for (let i = 0; i < w.length; i++) {
      f -= a[i]! * (w[i]! - c[i]!) ** 2;
      g[i] = -2 * a[i]! * (w[i]! - c[i]!);
    }
    return f;
  };
}

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
}

describe('maximizeOverSimplex', () => {
  for (const parameterization of ['normalized', 'softmax'] as const) {
    it(`${parameterization}: finds the interior maximum of a concave function`, () => {
      const c = [0.1, 0.25, 0.4, 0.05, 0.2];
      const r = maximizeOverSimplex(bowl(c, [1, 2, 1, 3, 1]), 5, {
        starts: 3,
        rng: new Rng(0),
        parameterization,
      });
      assert.ok(maxAbsDiff(r.w, c) < 1e-4, `${r.w}`);
      assert.ok(Math.abs(r.w.reduce((s, x) => s + x, 0) - 1) < 1e-12);
    });
  }

  it('reaches a vertex optimum exactly (normalized) and only approximately (softmax)', () => {
    // Linear objective: maximum at the vertex e_2.
    const lin = (w: Float64Array, g: Float64Array): number => {
      const a = [0.1, 0.3, 1.0, 0.2];
      let f = 0;
      for (let i = 0; i < 4; i++) {
        f += a[i]! * w[i]!;
        g[i] = a[i]!;
      }
      return f;
    };
    const p = maximizeOverSimplex(lin, 4, { starts: 2, rng: new Rng(1) });
    assert.deepEqual(p.w, [0, 0, 1, 0]);
    const s = maximizeOverSimplex(lin, 4, {
      starts: 2,
      rng: new Rng(1),
      parameterization: 'softmax',
    });
    // Softmax gradients vanish near a vertex, so L-BFGS-B stops short of it (why 'normalized' is the default).
    assert.ok(s.w[2]! > 1 - 1e-4, `${s.w}`);
    // Concave bowl centred outside the simplex near a vertex: optimum is the vertex.
    const v = maximizeOverSimplex(bowl([1.3, -0.1, -0.1], [1, 1, 1]), 3, {
      starts: 3,
      rng: new Rng(2),
    });
    assert.ok(maxAbsDiff(v.w, [1, 0, 0]) < 1e-9, `${v.w}`);
  });

  it('respects per-domain bounds: the bound-constrained optimum of a bowl', () => {
    // Unconstrained optimum (0.6, 0.3, 0.1) violates w_0 <= 0.4; the optimum puts w_0 = 0.4
    // and splits the excess 0.2 equally: (0.4, 0.4, 0.2).
    const bounds = [
      { min: 0, max: 0.4 },
      { min: 0, max: 1 },
      { min: 0, max: 1 },
    ];
    for (const parameterization of ['normalized', 'softmax'] as const) {
      const r = maximizeOverSimplex(bowl([0.6, 0.3, 0.1], [1, 1, 1]), 3, {
        starts: 3,
        rng: new Rng(3),
        bounds,
        parameterization,
      });
      assert.ok(maxAbsDiff(r.w, [0.4, 0.4, 0.2]) < 1e-4, `${parameterization}: ${r.w}`);
      assert.ok(r.w[0]! <= 0.4 + 1e-15);
    }
  });

  it('raw samples seed the starts; discrete candidates are searched exhaustively; deterministic', () => {
    const f = bowl([0.2, 0.2, 0.6], [1, 1, 1]);
    const a = maximizeOverSimplex(f, 3, { starts: 2, rng: new Rng(4), rawSamples: 64 });
    const b = maximizeOverSimplex(f, 3, { starts: 2, rng: new Rng(4), rawSamples: 64 });
    assert.deepEqual(a.w, b.w);
    assert.ok(maxAbsDiff(a.w, [0.2, 0.2, 0.6]) < 1e-4);
    const cand = [
      [1, 0, 0],
      [0.3, 0.3, 0.4],
      [0, 0, 1],
    ];
    const c = maximizeOverSimplex(f, 3, { starts: 2, rng: new Rng(4), candidates: cand });
    assert.deepEqual(c.w, [0.3, 0.3, 0.4]);
  });
});
