import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng, ValidationError } from '../../src/core/index.ts';
import {
  createFamilyMember,
  createFamilyTestbed,
  type FamilyParams,
  familyOf,
  getTestbed,
  listFamilyPresets,
  searchOptimum,
} from '../../src/testbeds/index.ts';
import { spearman as rankCorrelation } from '../../src/transfer/index.ts';

/** A fast optimum search of val_loss at (scale, steps). */
function optimum(tb: ReturnType<typeof createFamilyMember>, scale: string, steps: number) {
  return searchOptimum(tb.objective('val_loss', scale, steps), tb.domains.length, 'minimize', {
    nUniform: 2048,
    nSparse: 1024,
    starts: 4,
  });
}

/** Spearman ρ (never undefined here: the values are not constant). */
function rho(a: number[], b: number[]): number {
  return rankCorrelation(a, b) as number;
}

function l1(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, x, i) => s + Math.abs(x - (b[i] as number)), 0);
}

function dirichletSample(k: number, n: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => rng.dirichlet(1, k));
}

/** The location-type predicates of docs/testbeds.md. */
function locationOf(w: readonly number[]): 'vertex' | 'face' | 'interior' {
  const k = w.length;
  if (Math.max(...w) > 0.999) return 'vertex';
  if (w.every((x) => x > 0.2 / k)) return 'interior';
  return 'face';
}

describe('family testbeds: optimum location', () => {
  for (const optimum of ['vertex', 'face', 'interior'] as const) {
    for (const [domains, seed] of [
      [4, 0],
      [7, 1],
      [12, 2],
    ] as const) {
      it(`${optimum}, ${domains} domains, seed ${seed}: the searched optimum is the planted one and of that kind`, () => {
        const tb = createFamilyMember({ domains, optimum }, seed);
        const r = optimum === 'vertex' || domains < 12 ? optimum : optimum;
        const found = optimum === undefined ? undefined : optimumAtTarget(tb);
        assert.ok(found !== undefined);
        assert.ok(
          l1(found.mixture, tb.planted.target) < 0.01,
          `found ${found.mixture} planted ${tb.planted.target}`,
        );
        assert.equal(locationOf(found.mixture), r);
        if (optimum === 'face') {
          assert.ok(
            found.mixture.filter((x) => x > 0.02).length >= 2,
            'a face has >= 2 nonzero weights',
          );
          assert.ok(
            found.mixture.some((x) => x < 1e-4),
            'a face has a zero weight',
          );
        }
      });
    }
  }

  it('val_loss at the planted optimum is E + A/N*^alpha + B/D*^beta (G(w*) = 1)', () => {
    for (const optimum of ['vertex', 'face', 'interior'] as const) {
      const tb = createFamilyMember({ domains: 6, optimum }, 9);
      const { E, A, alpha, B, beta } = tb.scaling;
      const D = tb.params.steps.max * tb.params.tokensPerStep;
      const want = E + A / 1e9 ** alpha + B / D ** beta;
      const got = tb.evaluate(tb.planted.target, '1B', 20000, 'val_loss');
      assert.ok(Math.abs(got - want) < 1e-12 * want, `${got} vs ${want}`);
    }
  });

  it('the mean excess of the mixture term over random mixtures is the asked spread', () => {
    for (const spread of [0.03, 0.1]) {
      const tb = createFamilyMember({ domains: 6, optimum: 'interior', spread }, 4);
      const { E, A, alpha, B, beta } = tb.scaling;
      const head = E + A / 1e9 ** alpha;
      const data = B / (tb.params.steps.max * tb.params.tokensPerStep) ** beta;
      const ws = dirichletSample(6, 2000, 77);
      const mean =
        ws.reduce((s, w) => s + (tb.evaluate(w, '1B', 20000, 'val_loss') - head) / data, 0) /
          ws.length -
        1;
      // Calibrated on 256 other draws: within 20%.
      assert.ok(Math.abs(mean - spread) < 0.2 * spread, `mean excess ${mean} for spread ${spread}`);
    }
  });
});

function optimumAtTarget(tb: ReturnType<typeof createFamilyMember>) {
  return optimum(tb, tb.target.scale, tb.target.steps);
}

describe('family testbeds: movement across scales', () => {
  const smallest = (tb: ReturnType<typeof createFamilyMember>) => tb.scales[0]?.name as string;

  for (const seed of [0, 1, 2]) {
    it(`fixed (seed ${seed}): the optimum at the smallest size and the shortest run is the target's`, () => {
      const tb = createFamilyMember({ domains: 5, optimum: 'interior', drift: 'fixed' }, seed);
      const t = optimumAtTarget(tb).mixture;
      assert.ok(l1(optimum(tb, smallest(tb), 20000).mixture, t) < 0.01);
      assert.ok(l1(optimum(tb, '1B', 500).mixture, t) < 0.01);
      assert.ok(l1(optimum(tb, smallest(tb), 500).mixture, t) < 0.01);
    });

    it(`drift (seed ${seed}): the optimum at the smallest size is the planted one, far from the target's`, () => {
      for (const optimumKind of ['face', 'interior'] as const) {
        const tb = createFamilyMember({ domains: 6, optimum: optimumKind, drift: 'drift' }, seed);
        const small = optimum(tb, smallest(tb), 20000).mixture;
        assert.ok(l1(small, tb.planted.smallSize ?? []) < 0.01);
        const d = l1(small, optimumAtTarget(tb).mixture);
        assert.ok(d > 0.4, `${optimumKind}: moved only ${d}`);
        if (optimumKind === 'interior') {
          // It moves gradually: the optimum at a middle size lies between the two.
          const mid = optimum(tb, '150M', 20000).mixture;
          assert.ok(l1(mid, small) < d && l1(mid, optimumAtTarget(tb).mixture) < d);
        }
      }
    });

    it(`stepDrift=drift (seed ${seed}): the optimum moves with steps at the target size`, () => {
      const tb = createFamilyMember({ domains: 6, optimum: 'interior', stepDrift: 'drift' }, seed);
      const d = l1(optimum(tb, '1B', 500).mixture, optimumAtTarget(tb).mixture);
      assert.ok(d > 0.2, `moved only ${d}`);
      // ...and not with size at full length.
      assert.ok(l1(optimum(tb, smallest(tb), 20000).mixture, optimumAtTarget(tb).mixture) < 0.01);
    });

    it(`reverse (seed ${seed}): mixtures rank oppositely at the smallest size and at the target`, () => {
      for (const optimumKind of ['vertex', 'face'] as const) {
        const tb = createFamilyMember({ domains: 5, optimum: optimumKind, drift: 'reverse' }, seed);
        const ws = dirichletSample(5, 300, 5);
        const atSmall = ws.map((w) => tb.evaluate(w, smallest(tb), 20000, 'val_loss'));
        const atTarget = ws.map((w) => tb.evaluate(w, '1B', 20000, 'val_loss'));
        const r = rho(atSmall, atTarget);
        assert.ok(r < -0.3, `${optimumKind}: rank correlation ${r}`);
      }
    });
  }

  it('the family-reverse preset reverses and family-vertex stays put', () => {
    const rev = familyOf(getTestbed('family-reverse'));
    assert.ok(rev !== undefined);
    const ws = dirichletSample(5, 300, 6);
    const r = rho(
      ws.map((w) => rev.evaluate(w, '20M', 20000, 'val_loss')),
      ws.map((w) => rev.evaluate(w, '1B', 20000, 'val_loss')),
    );
    assert.ok(r < -0.3, `rank correlation ${r}`);
    const fixed = familyOf(getTestbed('family-vertex'));
    assert.ok(fixed !== undefined);
    const ra = ws.map((w) => fixed.evaluate(w, '20M', 500, 'val_loss'));
    const rb = ws.map((w) => fixed.evaluate(w, '1B', 20000, 'val_loss'));
    assert.ok(rho(ra, rb) > 0.9999);
  });
});

describe('family testbeds: curves, data, determinism, cost', () => {
  it('learning curves fall with steps, bigger models do better at full length, accuracy stays in (lo, hi)', () => {
    for (const p of listFamilyPresets()) {
      const tb = familyOf(getTestbed(p.name));
      assert.ok(tb !== undefined);
      const { lo, hi } = tb.scaling;
      for (const w of dirichletSample(tb.domains.length, 20, 3)) {
        for (const s of tb.scales) {
          const c = tb.curve(w, s.name, tb.steps.max, 'val_loss');
          for (let i = 1; i < c.length; i++)
            assert.ok(
              (c[i]?.value as number) <= (c[i - 1]?.value as number),
              `${p.name} ${s.name} step ${c[i]?.step}`,
            );
          const a = tb.evaluate(w, s.name, tb.steps.max, 'accuracy');
          assert.ok(a > lo && a < hi);
        }
        const full = tb.scales.map((s) => tb.evaluate(w, s.name, tb.steps.max, 'val_loss'));
        for (let i = 1; i < full.length; i++)
          assert.ok((full[i] as number) < (full[i - 1] as number), p.name);
      }
    }
  });

  it('finite unique tokens: repetition costs loss only once a domain is repeated (Muennighoff et al. 2023)', () => {
    const base: Partial<FamilyParams> = { domains: 5, optimum: 'interior' };
    const inf = createFamilyMember(base, 11);
    const fin = createFamilyMember({ ...base, unique: 0.5, rstar: 15.4 }, 11);
    const U = fin.uniqueTokens as readonly number[];
    assert.ok(Math.abs(U.reduce((a, b) => a + b, 0) - 0.5) < 1e-12);
    // A vertex mixture on domain j is repeated 1/U_j times at full length.
    for (let j = 0; j < 5; j++) {
      const w = [0, 0, 0, 0, 0];
      w[j] = 1;
      // No repetition while the tokens fit: identical values.
      const zFit = Math.floor(((U[j] as number) * 20000) / 100) * 100;
      if (zFit >= 500)
        assert.equal(
          fin.evaluate(w, '1B', zFit, 'val_loss'),
          inf.evaluate(w, '1B', zFit, 'val_loss'),
        );
      // Repeated: strictly worse, and the extra steps help less.
      assert.ok(
        fin.evaluate(w, '1B', 20000, 'val_loss') > inf.evaluate(w, '1B', 20000, 'val_loss'),
      );
      const gainFin =
        fin.evaluate(w, '1B', 10000, 'val_loss') - fin.evaluate(w, '1B', 20000, 'val_loss');
      const gainInf =
        inf.evaluate(w, '1B', 10000, 'val_loss') - inf.evaluate(w, '1B', 20000, 'val_loss');
      assert.ok(gainFin < gainInf);
    }
    // The optimum repeats its most repeated domain less (epochs = w_j / U_j at full length).
    const epochs = (w: readonly number[]): number =>
      Math.max(...w.map((x, i) => x / (U[i] as number)));
    assert.ok(epochs(optimumAtTarget(fin).mixture) < epochs(optimumAtTarget(inf).mixture));
    // Effective data by hand for one repeated domain: x = w D / D*, x' = U (1 + R* (1 - exp(-(x/U - 1)/R*))).
    const j = U.indexOf(Math.max(...U));
    const w = [0, 0, 0, 0, 0];
    w[j] = 1;
    const Uj = U[j] as number;
    const xp = Uj * (1 + 15.4 * (1 - Math.exp(-(1 / Uj - 1) / 15.4)));
    const { E, A, alpha, B, beta } = fin.scaling;
    const D = 20000 * fin.params.tokensPerStep;
    const head = E + A / 1e9 ** alpha;
    const gInf = (inf.evaluate(w, '1B', 20000, 'val_loss') - head) / (B / D ** beta);
    // With a single domain the effective mixture is unchanged, so G is the same.
    const want = head + (B / (xp * D) ** beta) * gInf;
    assert.ok(Math.abs(fin.evaluate(w, '1B', 20000, 'val_loss') - want) < 1e-10);
  });

  it('is deterministic per (params, seed) and differs across seeds', () => {
    const w = [0.1, 0.2, 0.3, 0.4];
    const a = createFamilyMember({ domains: 4, drift: 'drift', unique: 1 }, 5);
    const b = createFamilyMember({ domains: 4, drift: 'drift', unique: 1 }, 5);
    const c = createFamilyMember({ domains: 4, drift: 'drift', unique: 1 }, 6);
    assert.deepEqual(a.curve(w, '60M', 3000, 'accuracy'), b.curve(w, '60M', 3000, 'accuracy'));
    assert.deepEqual(a.planted, b.planted);
    assert.equal(a.fingerprint, b.fingerprint);
    assert.notEqual(a.evaluate(w, '1B', 20000, 'val_loss'), c.evaluate(w, '1B', 20000, 'val_loss'));
    assert.notEqual(a.fingerprint, c.fingerprint);
  });

  it('cost models: 6ND, a per-size table, and a per-run overhead paid once', () => {
    const flops = createFamilyMember({ domains: 3 }, 0);
    assert.equal(flops.cost('1B', 20000), 200);
    assert.ok(Math.abs(flops.cost('20M', 1000) - 0.2) < 1e-12);
    const table = [0.05, 0.1, 0.2, 0.4, 0.7, 1];
    const tab = createFamilyMember({ domains: 3, cost: 'table', costTable: table }, 0);
    assert.ok(Math.abs(tab.cost('60M', 2000) - 2) < 1e-12);
    assert.equal(tab.cost('1B', 20000), 200);
    const dflt = createFamilyMember({ domains: 3, cost: 'table' }, 0);
    // Default table: (N + 0.05 N*) / 1.05 N* — small models cost relatively more than 6ND.
    assert.ok(Math.abs(dflt.cost('20M', 100) - (20e6 + 50e6) / 1.05e9) < 1e-12);
    const ov = createFamilyMember({ domains: 3, cost: 'overhead', overheadSteps: 500 }, 0);
    assert.ok(Math.abs(ov.cost('20M', 1000) - 0.02 * 15) < 1e-12);
    // A continuation 1000 -> 3000 pays only the extra steps.
    assert.ok(Math.abs(ov.cost('20M', 3000) - ov.cost('20M', 1000) - 0.02 * 20) < 1e-12);
    for (const tb of [flops, tab, dflt, ov])
      for (const s of tb.scales) assert.ok(tb.cost(s.name, 600) > tb.cost(s.name, 500));
  });

  it('validates knobs and queries with errors naming the value', () => {
    assert.throws(
      () => createFamilyTestbed({ domains: 2 }, 0),
      (e: unknown) => e instanceof ValidationError && /domains = 2.*3\.\.20/.test(e.message),
    );
    assert.throws(
      () => createFamilyTestbed({ optimum: 'edge' as 'face' }, 0),
      /optimum = "edge".*vertex, face, interior/,
    );
    assert.throws(() => createFamilyTestbed({ costTable: [1] }, 0), /costTable.*6 positive/);
    const tb = createFamilyTestbed({ domains: 3 }, 0);
    assert.throws(() => tb.evaluate([0.5, 0.5], '1B', 20000, 'val_loss'), ValidationError);
    assert.throws(() => tb.evaluate([0.5, 0.5, 0], '1B', 20001, 'val_loss'), /steps = 20001/);
    assert.throws(() => tb.evaluate([0.5, 0.5, 0], '2B', 20000, 'val_loss'), /unknown size '2B'/);
  });

  it('exposes per-set losses whose mean is val_loss when perSet is on', () => {
    const tb = createFamilyMember({ domains: 4, perSet: true }, 1);
    assert.deepEqual(
      tb.metrics.map((m) => m.name),
      ['val_loss', 'accuracy', 'val_web', 'val_code', 'val_books', 'val_wiki'],
    );
    const w = [0.4, 0.3, 0.2, 0.1];
    const all = tb.evaluateAll(w, '150M', 4000);
    const mean = all.slice(2).reduce((a, b) => a + b, 0) / 4;
    assert.ok(Math.abs(mean - (all[0] as number)) < 1e-12);
  });
});
