import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NotFoundError, Rng } from '../../src/core/index.ts';
import {
  getTestbed,
  type MixtureObjective,
  polishWithLbfgsb,
  projectOntoSimplex,
  referenceOptimum,
  type SimulatorTestbed,
  searchOptimum,
} from '../../src/testbeds/index.ts';
import { needsData, tempDir } from './helpers.ts';

/** Checks that the reference optimum beats 10,000 seeded Dirichlet(1) mixtures and the 5 vertices. */
function assertBeatsRandom(tb: SimulatorTestbed, cacheDir: string): void {
  const rng = new Rng(2026);
  const n = 10000;
  const ws = new Float64Array(n * 5);
  for (let i = 0; i < n; i++) ws.set(rng.dirichlet(1, 5), i * 5);
  for (const m of tb.metrics) {
    const opt = referenceOptimum(tb, m.name, { cacheDir });
    assert.equal(opt.mixture.length, 5);
    assert.ok(Math.abs(opt.mixture.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.ok(opt.mixture.every((x) => x >= 0));
    assert.equal(opt.value, tb.evaluate(opt.mixture, tb.target.scale, tb.target.steps, m.name));
    const vals = tb.evaluateMany(ws, '1B', 19700, m.name);
    const better = (a: number, b: number) => (m.direction === 'minimize' ? a <= b : a >= b);
    for (let i = 0; i < n; i++)
      assert.ok(
        better(opt.value, vals[i] as number),
        `${tb.name} ${m.name}: random ${i} ${vals[i]} beats ${opt.value}`,
      );
    for (let j = 0; j < 5; j++) {
      const v = [0, 0, 0, 0, 0];
      v[j] = 1;
      assert.ok(better(opt.value, tb.evaluate(v, '1B', 19700, m.name)), `${m.name}: vertex ${j}`);
    }
  }
}

describe('simplex helpers', () => {
  it('projectOntoSimplex: closed forms', () => {
    assert.deepEqual(
      Array.from(projectOntoSimplex(Float64Array.from([0.2, 0.3, 0.5]))),
      [0.2, 0.3, 0.5],
    );
    assert.deepEqual(Array.from(projectOntoSimplex(Float64Array.from([2, 0, 0]))), [1, 0, 0]);
    const p = Array.from(projectOntoSimplex(Float64Array.from([1, 1, -1])));
    assert.deepEqual(p, [0.5, 0.5, 0]);
  });

  it('searchOptimum finds an interior quadratic minimum and a linear vertex maximum', () => {
    const c = [0.1, 0.5, 0.15, 0.25];
    const quad: MixtureObjective = {
      value: (w) => c.reduce((s, ci, i) => s + ((w[i] as number) - ci) ** 2, 0),
      valueAndGradient: (w, g) => {
        let s = 0;
        c.forEach((ci, i) => {
          s += ((w[i] as number) - ci) ** 2;
          g[i] = 2 * ((w[i] as number) - ci);
        });
        return s;
      },
    };
    const r = searchOptimum(quad, 4, 'minimize', { nUniform: 256, nSparse: 64 });
    for (const [i, x] of r.mixture.entries())
      assert.ok(Math.abs(x - (c[i] as number)) < 1e-6, `${r.mixture}`);
    const lin: MixtureObjective = {
      value: (w) => 0.3 * (w[0] as number) + 0.9 * (w[2] as number) + 0.1 * (w[1] as number),
    };
    const r2 = searchOptimum(lin, 3, 'maximize', { nUniform: 64, nSparse: 16 });
    assert.ok(Math.abs(r2.value - 0.9) < 1e-12);
    assert.ok(Math.abs((r2.mixture[2] as number) - 1) < 1e-12);
  });

  it('polishWithLbfgsb reaches an interior optimum through w = v / sum v (chain rule)', () => {
    const c = [0.6, 0.3, 0.1];
    const f: MixtureObjective = {
      value: (w) => -c.reduce((s, ci, i) => s + ci * Math.log(w[i] as number), 0),
      valueAndGradient: (w, g) => {
        c.forEach((ci, i) => {
          g[i] = -ci / (w[i] as number);
        });
        return -c.reduce((s, ci, i) => s + ci * Math.log(w[i] as number), 0);
      },
    };
    // argmin of -sum c_i log w_i on the simplex is w = c.
    const r = polishWithLbfgsb(f, [1 / 3, 1 / 3, 1 / 3], 1);
    for (const [i, x] of r.w.entries())
      assert.ok(Math.abs(x - (c[i] as number)) < 1e-6, `${Array.from(r.w)}`);
  });
});

describe('reference optimum (law)', () => {
  it('beats 10,000 random mixtures and the vertices for all 11 metrics; cached on disk', () => {
    const cacheDir = tempDir('optcache');
    const tb = getTestbed('law', { cacheDir }) as SimulatorTestbed;
    assertBeatsRandom(tb, cacheDir);
    const files = readdirSync(join(cacheDir, 'reference-optima'));
    assert.equal(files.length, 1);
    assert.deepEqual(
      tb.referenceOptimum?.('piqa_accuracy'),
      referenceOptimum(tb, 'piqa_accuracy', { cacheDir }),
    );
    assert.throws(() => referenceOptimum(tb, 'nope', { cacheDir }), NotFoundError);
  });
});

describe('reference optimum (slimpajama-mlp)', { skip: needsData }, () => {
  it('beats 10,000 random mixtures and the vertices for all 11 metrics', () => {
    const cacheDir = tempDir('optcache-mlp');
    const tb = getTestbed('slimpajama-mlp', { cacheDir }) as SimulatorTestbed;
    assertBeatsRandom(tb, cacheDir);
    assert.ok(existsSync(join(cacheDir, 'reference-optima')));
  });
});
