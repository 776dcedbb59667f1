import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFoundError, Rng, ValidationError } from '../../src/core/index.ts';
import {
  decodeInput,
  encodedDim,
  encodeInput,
  interactionStart,
  mixtureProducts,
  observationsFromHistory,
} from '../../src/optimizers/encoding.ts';
import { cappedObservations } from '../../src/optimizers/gp-common.ts';
import { makeRun, synthSpace } from './helpers.ts';

describe('encodeInput', () => {
  const space = synthSpace();
  it('log size encoding spreads the ladder over [0, 1]; steps are z / z_max', () => {
    const x = encodeInput(space, [0.2, 0.3, 0.5], 'M', 500);
    assert.deepEqual(x.slice(0, 3), [0.2, 0.3, 0.5]);
    const expected = (Math.log(150e6) - Math.log(20e6)) / (Math.log(1e9) - Math.log(20e6));
    assert.ok(Math.abs(x[3]! - expected) < 1e-15);
    assert.equal(x[4], 500 / 19700);
    assert.equal(encodeInput(space, [1, 0, 0], 'S', 100)[3], 0);
    assert.equal(encodeInput(space, [1, 0, 0], 'L', 100)[3], 1);
  });
  it('linear size encoding is params / max params (the paper)', () => {
    const x = encodeInput(space, [0.2, 0.3, 0.5], 'M', 500, { scaleEncoding: 'linear' });
    assert.equal(x[3], 0.15);
  });
  it('round-trips through decodeInput for every rung, both encodings and log steps', () => {
    for (const scaleEncoding of ['log', 'linear'] as const) {
      for (const stepEncoding of ['log', 'linear'] as const) {
        for (const s of space.scales) {
          for (const z of [100, 700, 19700]) {
            const w = [0.1, 0.6, 0.3];
            const x = encodeInput(space, w, s.name, z, { scaleEncoding, stepEncoding });
            const back = decodeInput(space, x, { scaleEncoding, stepEncoding });
            assert.deepEqual(back, { mixture: w, scale: s.name, steps: z });
          }
        }
      }
    }
  });
  it("interaction 'size' appends w_i (s - s*) for all but the last domain, zero at the target size", () => {
    const sM = (Math.log(150e6) - Math.log(20e6)) / (Math.log(1e9) - Math.log(20e6));
    assert.equal(space.target.scale, 'L');
    const w = [0.2, 0.3, 0.5];
    for (const trend of [undefined, 'quadratic'] as const) {
      const opts = { interaction: 'size' as const, ...(trend ? { trend } : {}) };
      const start = trend ? 8 : 5;
      assert.equal(interactionStart(3, opts), start);
      assert.equal(encodedDim(3, opts), start + 2);
      const x = encodeInput(space, w, 'M', 500, opts);
      assert.equal(x.length, start + 2);
      assert.ok(Math.abs(x[start]! - 0.2 * (sM - 1)) < 1e-15);
      assert.ok(Math.abs(x[start + 1]! - 0.3 * (sM - 1)) < 1e-15);
      const atTarget = encodeInput(space, w, 'L', 500, opts);
      assert.deepEqual(atTarget.slice(start), [0, 0]);
      // mixtureProducts describes the same columns, so a search over w can set them.
      const prods = mixtureProducts(space, 'M', 500, opts);
      assert.deepEqual(
        prods.map((p) => [p.col, p.dim]),
        [
          [start, 0],
          [start + 1, 1],
        ],
      );
      for (const p of prods) assert.equal(x[p.col], w[p.dim]! * p.factor);
      assert.deepEqual(decodeInput(space, x, opts), { mixture: w, scale: 'M', steps: 500 });
    }
    assert.deepEqual(mixtureProducts(space, 'M', 500), []);
    // 'size-steps': then w_i (t - t*) for i < k - 1, zero at the target steps.
    const both = { interaction: 'size-steps' as const };
    assert.equal(encodedDim(3, both), 9);
    const x = encodeInput(space, w, 'M', 500, both);
    const dt = 500 / 19700 - 1;
    assert.ok(Math.abs(x[7]! - 0.2 * dt) < 1e-15 && Math.abs(x[8]! - 0.3 * dt) < 1e-15);
    assert.deepEqual(encodeInput(space, w, 'M', 19700, both).slice(7), [0, 0]);
    const prods = mixtureProducts(space, 'M', 500, both);
    assert.deepEqual(
      prods.map((p) => p.col),
      [5, 6, 7, 8],
    );
    for (const p of prods) assert.equal(x[p.col], w[p.dim]! * p.factor);
  });
  it("mixtureTerms 'linear' appends a copy of w_i for i < k - 1, at every size", () => {
    const w = [0.2, 0.3, 0.5];
    const opts = { interaction: 'size' as const, mixtureTerms: 'linear' as const };
    assert.equal(encodedDim(3, opts), 5 + 2 + 2);
    const x = encodeInput(space, w, 'S', 500, opts);
    assert.deepEqual(x.slice(7), [0.2, 0.3]);
    assert.deepEqual(
      mixtureProducts(space, 'L', 19700, opts).map((p) => [p.col, p.dim, p.factor]),
      [
        [5, 0, 0],
        [6, 1, 0],
        [7, 0, 1],
        [8, 1, 1],
      ],
    );
  });
  it("mixtureTerms 'quadratic' appends w_i w_j for i <= j after the interaction columns, at every size", () => {
    const w = [0.2, 0.3, 0.5];
    const opts = { interaction: 'size' as const, mixtureTerms: 'quadratic' as const };
    assert.equal(encodedDim(3, opts), 5 + 2 + 6);
    const want = [0.04, 0.06, 0.1, 0.09, 0.15, 0.25];
    for (const scale of ['S', 'L']) {
      const x = encodeInput(space, w, scale, 500, opts);
      for (const [c, v] of x.slice(7).entries()) {
        assert.ok(Math.abs(v - want[c]!) < 1e-15, `${scale} col ${c}`);
      }
      const prods = mixtureProducts(space, scale, 500, opts).filter((p) => p.dim2 !== undefined);
      assert.deepEqual(
        prods.map((p) => [p.col, p.dim, p.dim2, p.factor]),
        [
          [7, 0, 0, 1],
          [8, 0, 1, 1],
          [9, 0, 2, 1],
          [10, 1, 1, 1],
          [11, 1, 2, 1],
          [12, 2, 2, 1],
        ],
      );
    }
  });
  it('rejects a wrong-length mixture and an unknown scale', () => {
    assert.throws(() => encodeInput(space, [0.5, 0.5], 'S', 100), ValidationError);
    assert.throws(() => encodeInput(space, [0.5, 0.5, 0], 'XL', 100), NotFoundError);
  });
});

describe('observationsFromHistory', () => {
  it('reads whole curves of active runs, skips superseded parents and NaN points', () => {
    const space = synthSpace();
    const a = makeRun(space, 'a', [1, 0, 0], 'S', 300);
    const b = makeRun(space, 'b', [1, 0, 0], 'S', 500, a); // continues a
    const c0 = makeRun(space, 'c', [0, 1, 0], 'L', 200);
    const c = {
      ...c0,
      state: 'failed' as const,
      curve: [...c0.curve, { step: 300, value: Number.NaN }],
    };
    const obs = observationsFromHistory(space, { runs: [a, b, c], spent: 0 });
    assert.equal(obs.n, 5 + 2);
    assert.equal(obs.d, 5);
    assert.deepEqual(
      obs.points.map((p) => `${p.runId}@${p.steps}`),
      ['b@100', 'b@200', 'b@300', 'b@400', 'b@500', 'c@100', 'c@200'],
    );
    const fin = observationsFromHistory(space, { runs: [a, b, c], spent: 0 }, { curves: 'final' });
    assert.deepEqual(
      fin.points.map((p) => p.steps),
      [500, 200],
    );
    const thin = observationsFromHistory(space, { runs: [b], spent: 0 }, { maxPointsPerRun: 3 });
    assert.deepEqual(
      thin.points.map((p) => p.steps),
      [100, 300, 500],
    );
    const onlyL = observationsFromHistory(space, { runs: [a, b, c], spent: 0 }, { scales: ['L'] });
    assert.equal(onlyL.n, 2);
  });
  it('negates a maximised metric (minimisation convention)', () => {
    const space = synthSpace('maximize');
    const r = makeRun(space, 'r', [0.2, 0.2, 0.6], 'M', 100);
    const obs = observationsFromHistory(space, { runs: [r], spent: 0 });
    assert.equal(obs.y[0], -r.curve[0]!.value);
    assert.ok(obs.y[0]! > 0);
  });
});

describe('cappedObservations', () => {
  it('thins every curve evenly to stay under the cap, keeping each final point', () => {
    const space = synthSpace();
    const runs = [
      makeRun(space, 'a', [1, 0, 0], 'S', 3000),
      makeRun(space, 'b', [0, 1, 0], 'M', 2000),
      makeRun(space, 'c', [0, 0, 1], 'L', 500),
    ];
    const all = observationsFromHistory(space, { runs, spent: 0 });
    assert.equal(all.n, 30 + 20 + 5);
    const capped = cappedObservations(space, { runs, spent: 0 }, 30);
    assert.ok(capped.n <= 30, `${capped.n}`);
    for (const id of ['a', 'b', 'c']) {
      const last = runs.find((r) => r.id === id)!.steps;
      assert.ok(capped.points.some((p) => p.runId === id && p.steps === last));
    }
    // Fewer slots than runs: final values only, of at most `cap` runs.
    const finals = cappedObservations(space, { runs, spent: 0 }, 2);
    assert.equal(finals.n, 2);
    for (const p of finals.points) {
      assert.equal(p.steps, runs.find((r) => r.id === p.runId)!.steps);
    }
  });

  it('with more runs than the cap: the best half of the final values plus an even spread of the rest', () => {
    const space = synthSpace();
    const rng = new Rng(4);
    const runs = Array.from({ length: 41 }, (_, i) =>
      makeRun(space, `r${i}`, rng.dirichlet([1, 1, 1]), 'S', 100 * (1 + rng.int(20))),
    );
    const finals = observationsFromHistory(space, { runs, spent: 0 }, { curves: 'final' });
    assert.equal(finals.n, 41);
    const capped = cappedObservations(space, { runs, spent: 0 }, 10);
    assert.equal(capped.n, 10);
    const byValue = [...finals.y].sort((a, b) => a - b);
    // The 5 best final values are all kept; the others cover the history.
    for (const v of byValue.slice(0, 5)) assert.ok(capped.y.includes(v), `${v}`);
    const idx = capped.points.map((p) => Number(p.runId.slice(1)));
    assert.deepEqual(
      idx,
      [...idx].sort((a, b) => a - b),
      'history order',
    );
    assert.ok(
      idx.includes(40) || byValue.indexOf(finals.y[40]!) < 5,
      'the spread ends at the last run',
    );
    // Rows stay consistent: X row q is the encoding of point q.
    for (let q = 0; q < capped.n; q++) {
      const r = Number(capped.points[q]!.runId.slice(1));
      assert.deepEqual(
        Array.from(capped.X.subarray(q * capped.d, (q + 1) * capped.d)),
        Array.from(finals.X.subarray(r * finals.d, (r + 1) * finals.d)),
      );
      assert.equal(capped.y[q], finals.y[r]);
    }
    assert.deepEqual(cappedObservations(space, { runs, spent: 0 }, 10), capped);
    // keep 'spread': runs round(j * 40 / 9), j = 0..9, whatever their values.
    const spread = cappedObservations(space, { runs, spent: 0 }, 10, {}, 'spread');
    assert.deepEqual(
      spread.points.map((p) => p.runId),
      [0, 4, 9, 13, 18, 22, 27, 31, 36, 40].map((i) => `r${i}`),
    );
    assert.deepEqual(
      Array.from(spread.y),
      [0, 4, 9, 13, 18, 22, 27, 31, 36, 40].map((i) => finals.y[i]),
    );
  });
});
