import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  cubeToSimplex,
  Rng,
  SOBOL_MAX_DIM,
  sobol,
  sobolSimplex,
  ValidationError,
} from '../../src/core/index.ts';

interface Case {
  n: number;
  d: number;
  skip: number;
  points: number[][];
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/sobol_scipy.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

/** Star discrepancy lower bound: max over anchored boxes [0, x_i) of |fraction inside − volume|. */
function anchoredBoxDiscrepancy(pts: Float64Array, n: number, d: number): number {
  let worst = 0;
  for (let a = 0; a < n; a++) {
    let vol = 1;
    for (let j = 0; j < d; j++) vol *= pts[a * d + j] as number;
    let inside = 0;
    for (let b = 0; b < n; b++) {
      let ok = true;
      for (let j = 0; j < d; j++)
        if (!((pts[b * d + j] as number) < (pts[a * d + j] as number))) ok = false;
      if (ok) inside++;
    }
    worst = Math.max(worst, Math.abs(inside / n - vol));
  }
  return worst;
}

describe('sobol', () => {
  it('equals scipy.stats.qmc.Sobol(scramble=False) exactly (fixture)', () => {
    assert.ok(fixture.cases.length >= 3);
    for (const c of fixture.cases) {
      const got = sobol(c.n, c.d, { skip: c.skip });
      assert.equal(got.length, c.n * c.d);
      for (let i = 0; i < c.n; i++) {
        for (let j = 0; j < c.d; j++) {
          const want = (c.points[i] as number[])[j] as number;
          assert.equal(
            got[i * c.d + j],
            want,
            `n=${c.n} d=${c.d} skip=${c.skip} point ${i} dim ${j}`,
          );
        }
      }
    }
  });

  it('starts at the origin and has the known first points in 2 dimensions', () => {
    assert.deepEqual(Array.from(sobol(4, 2)), [0, 0, 0.5, 0.5, 0.75, 0.25, 0.25, 0.75]);
  });

  it('skip continues the same sequence', () => {
    const all = sobol(40, 9);
    const tail = sobol(15, 9, { skip: 25 });
    assert.deepEqual(Array.from(tail), Array.from(all.subarray(25 * 9)));
  });

  it('is balanced: each 1-d projection of 2^m points hits every interval [k/2^m, (k+1)/2^m) once', () => {
    const n = 256;
    const d = 32;
    for (const rng of [undefined, new Rng(3)]) {
      const pts = sobol(n, d, rng === undefined ? {} : { scramble: rng });
      for (let j = 0; j < d; j++) {
        const seen = new Set<number>();
        for (let i = 0; i < n; i++) seen.add(Math.floor((pts[i * d + j] as number) * n));
        assert.equal(seen.size, n, `dimension ${j}`);
      }
    }
  });

  it('first two dimensions form a (0, m, 2)-net, scrambled or not: one point per elementary box', () => {
    const m = 8;
    const n = 2 ** m;
    for (const opts of [{}, { scramble: new Rng(17) }]) {
      const pts = sobol(n, 2, opts);
      for (let a = 0; a <= m; a++) {
        const seen = new Set<number>();
        for (let i = 0; i < n; i++) {
          const bx = Math.floor((pts[2 * i] as number) * 2 ** a);
          const by = Math.floor((pts[2 * i + 1] as number) * 2 ** (m - a));
          seen.add(bx * 2 ** (m - a) + by);
        }
        assert.equal(seen.size, n, `boxes 2^-${a} x 2^-${m - a}`);
      }
    }
  });

  it('has low discrepancy: far below i.i.d. uniform points of the same size', () => {
    const n = 256;
    const d = 3;
    const qmc = anchoredBoxDiscrepancy(sobol(n, d, { scramble: new Rng(11) }), n, d);
    const rng = new Rng(12);
    const iid = new Float64Array(n * d).map(() => rng.uniform());
    const mc = anchoredBoxDiscrepancy(iid, n, d);
    assert.ok(qmc < 0.03, `Sobol discrepancy ${qmc}`);
    assert.ok(qmc < mc / 2, `Sobol ${qmc} vs iid ${mc}`);
  });

  it('scrambled: same seed gives identical points, another seed different ones, all in [0, 1)', () => {
    const a = sobol(64, 10, { scramble: new Rng(5) });
    const b = sobol(64, 10, { scramble: new Rng(5) });
    const c = sobol(64, 10, { scramble: new Rng(6) });
    assert.deepEqual(Array.from(a), Array.from(b));
    assert.notDeepEqual(Array.from(a), Array.from(c));
    for (const v of a) assert.ok(v >= 0 && v < 1);
    // The scramble moves the origin: the first point is no longer 0.
    assert.ok((a[0] as number) > 0);
  });

  it('scrambled points average to about 1/2 per coordinate', () => {
    const n = 1024;
    const d = 8;
    const pts = sobol(n, d, { scramble: new Rng(9) });
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += pts[i * d + j] as number;
      assert.ok(Math.abs(s / n - 0.5) < 2e-3, `dimension ${j}: mean ${s / n}`);
    }
  });

  it('rejects bad arguments with ValidationError', () => {
    assert.throws(() => sobol(4, 0), ValidationError);
    assert.throws(() => sobol(4, SOBOL_MAX_DIM + 1), /dimension d must be an integer in 1\.\.256/);
    assert.throws(() => sobol(-1, 2), ValidationError);
    assert.throws(() => sobol(2, 2, { skip: 1.5 }), ValidationError);
  });
});

describe('cubeToSimplex / sobolSimplex', () => {
  it('maps by sorted spacings', () => {
    assert.deepEqual(cubeToSimplex([0.75, 0.25], 3), [0.25, 0.5, 0.25]);
    assert.deepEqual(cubeToSimplex([], 1), [1]);
  });

  it('gives mixtures: non-negative, summing to 1', () => {
    const ws = sobolSimplex(200, 5, { scramble: new Rng(2) });
    assert.equal(ws.length, 200);
    for (const w of ws) {
      assert.equal(w.length, 5);
      for (const v of w) assert.ok(v >= 0);
      assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    }
  });

  it('is uniform on the simplex: component means 1/k and Dirichlet(1) variance', () => {
    const k = 4;
    const n = 2048;
    const ws = sobolSimplex(n, k, { scramble: new Rng(8) });
    for (let c = 0; c < k; c++) {
      let m = 0;
      let m2 = 0;
      for (const w of ws) {
        m += w[c] as number;
        m2 += (w[c] as number) ** 2;
      }
      m /= n;
      const v = m2 / n - m * m;
      // Dirichlet(1,...,1): mean 1/k, variance (k-1)/(k^2 (k+1)) = 0.0375 for k = 4.
      assert.ok(Math.abs(m - 1 / k) < 2e-3, `mean ${m}`);
      assert.ok(Math.abs(v - (k - 1) / (k * k * (k + 1))) < 2e-3, `variance ${v}`);
    }
  });

  it('k = 1 gives the single vertex; bad input is rejected', () => {
    assert.deepEqual(sobolSimplex(2, 1), [[1], [1]]);
    assert.throws(() => cubeToSimplex([0.5], 3), /needs k - 1 = 2 coordinates, got 1/);
    assert.throws(() => cubeToSimplex([1.5, 0.2], 3), /coordinate 0 is 1.5/);
  });
});
