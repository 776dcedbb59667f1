import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/core/index.ts';
import {
  createLawTestbed,
  getTestbed,
  heteroscedasticFactor,
  isNoisyTestbed,
  isSimulatorTestbed,
  noiseOf,
  noisePath,
  type ObservationNoise,
  parseNoiseSpec,
  referenceOptimum,
  replicateFor,
  TestbedSession,
  withNoise,
} from '../../src/testbeds/index.ts';
import { needsData } from './helpers.ts';

const law = createLawTestbed();
const W = [0.3, 0.1, 0.2, 0.25, 0.15];
const spec = (s: Partial<ObservationNoise>): ObservationNoise => ({
  sd: 0.01,
  corr: 0.9,
  small: 1,
  seed: 0,
  ...s,
});

function stats(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, sd: Math.sqrt(v) };
}

describe('noise spec', () => {
  it('parses levels, key lists and off', () => {
    assert.deepEqual(parseNoiseSpec('0.5%'), { sd: 0.005, corr: 0.9, small: 2, seed: 0 });
    assert.deepEqual(parseNoiseSpec('0.004'), { sd: 0.004, corr: 0.9, small: 2, seed: 0 });
    assert.deepEqual(parseNoiseSpec('sd=1%,corr=0.5,small=3,seed=7'), {
      sd: 0.01,
      corr: 0.5,
      small: 3,
      seed: 7,
    });
    assert.equal(parseNoiseSpec('off'), undefined);
    assert.equal(parseNoiseSpec('0'), undefined);
  });

  it('rejects bad specs naming the key', () => {
    const bad: [string, RegExp][] = [
      ['abc', /sd = 'abc' is not a number/],
      ['sd=1%,cor=2', /unknown key 'cor'.*valid keys: sd, corr, small, seed/],
      ['corr=0.5', /sets no sd/],
      ['sd=1%,corr=1.5', /corr = 1\.5 is out of range; accepted: 0 <= corr <= 1/],
      ['sd=-1%', /sd = -0\.01 is out of range/],
      ['sd=1%,seed=1.5', /seed = 1\.5 is out of range/],
    ];
    for (const [s, re] of bad)
      assert.throws(
        () => parseNoiseSpec(s),
        (e: unknown) => e instanceof ValidationError && re.test(e.message),
        s,
      );
  });
});

describe('withNoise', () => {
  it('keeps the truth, cost and simulator extras; no spec means the bare testbed', () => {
    const tb = withNoise(law, spec({}));
    assert.ok(isNoisyTestbed(tb));
    assert.ok(isSimulatorTestbed(tb));
    assert.equal(tb.name, 'law');
    assert.deepEqual(
      tb.curve(W, '150M', 3000, 'c4_cross_entropy'),
      law.curve(W, '150M', 3000, 'c4_cross_entropy'),
    );
    assert.equal(
      tb.evaluate(W, '1B', 19700, 'piqa_accuracy'),
      law.evaluate(W, '1B', 19700, 'piqa_accuracy'),
    );
    assert.equal(tb.cost('60M', 5000), law.cost('60M', 5000));
    assert.deepEqual(
      referenceOptimum(tb, 'c4_cross_entropy'),
      referenceOptimum(law, 'c4_cross_entropy'),
    );
    assert.equal(withNoise(law, undefined), law);
    assert.equal(withNoise(tb, undefined), law, 'undefined removes the noise');
    const re = withNoise(tb, spec({ sd: 0.02 }));
    assert.equal(noiseOf(re)?.sd, 0.02, 'wrapping again replaces the noise');
    assert.equal((re as { inner?: unknown }).inner, law);
  });

  it('is deterministic in (seed, query, replicate) and differs across replicates and seeds', () => {
    const tb = withNoise(law, spec({}));
    const a = tb.observe?.(W, '150M', 3000, 'c4_cross_entropy', 4);
    assert.deepEqual(a, tb.observe?.(W, '150M', 3000, 'c4_cross_entropy', 4));
    assert.notDeepEqual(a, tb.observe?.(W, '150M', 3000, 'c4_cross_entropy', 5));
    const other = withNoise(law, spec({ seed: 1 }));
    assert.notDeepEqual(a, other.observe?.(W, '150M', 3000, 'c4_cross_entropy', 4));
    assert.throws(
      () => tb.observe?.(W, '150M', 3000, 'c4_cross_entropy', -1),
      /replicate must be a non-negative integer/,
    );
  });

  it('a continuation sees the same values at every step both curves log', () => {
    const tb = withNoise(law, spec({ corr: 0.7 }));
    const short = tb.observe?.(W, '60M', 1050, 'wikipedia_cross_entropy', 9) ?? [];
    const long = tb.observe?.(W, '60M', 6000, 'wikipedia_cross_entropy', 9) ?? [];
    assert.equal(short.at(-1)?.step, 1050);
    const byStep = new Map(long.map((p) => [p.step, p.value]));
    let common = 0;
    for (const p of short) {
      if (!byStep.has(p.step)) continue;
      assert.equal(byStep.get(p.step), p.value, `step ${p.step}`);
      common++;
    }
    assert.equal(
      common,
      short.length - 1,
      'every grid step is shared; only the off-grid end differs',
    );
  });

  it('final values at the target have relative sd = sd and mean = truth', () => {
    const fam = getTestbed('family-vertex');
    const tb = withNoise(fam, spec({ sd: 0.01, small: 3 }));
    const truth = fam.evaluate(W, '1B', 20000, 'val_loss');
    const rel = Array.from({ length: 3000 }, (_, r) => {
      const c = tb.observe?.(W, '1B', 20000, 'val_loss', r) ?? [];
      return (c.at(-1)?.value as number) / truth - 1;
    });
    const s = stats(rel);
    assert.ok(Math.abs(s.sd - 0.01) < 0.0006, `sd ${s.sd}`);
    // Standard error of the mean: 0.01 / sqrt(3000) = 0.00018.
    assert.ok(Math.abs(s.mean) < 0.0006, `mean ${s.mean}`);
  });

  it('is heteroscedastic: small * sd at the smallest size and shortest run', () => {
    const fam = getTestbed('family-vertex');
    const tb = withNoise(fam, spec({ sd: 0.005, small: 3, corr: 0 }));
    const h = heteroscedasticFactor(law, 3);
    assert.equal(h('1B', 19700), 1);
    assert.ok(Math.abs(h('20M', 100) - 3) < 1e-12);
    assert.ok(Math.abs(h('20M', 19700) - Math.sqrt(3)) < 1e-12);
    assert.ok(h('150M', 2000) > 1 && h('150M', 2000) < 3);
    const truth = fam.evaluate(W, '20M', 500, 'val_loss');
    const rel = Array.from(
      { length: 3000 },
      (_, r) => (tb.observe?.(W, '20M', 500, 'val_loss', r)[0]?.value as number) / truth - 1,
    );
    const s = stats(rel);
    assert.ok(Math.abs(s.sd - 0.015) < 0.001, `sd ${s.sd}`);
  });

  it('correlates along a curve: corr^(log2 of the step ratio)', () => {
    for (const corr of [0, 0.5, 0.9]) {
      const xs: number[] = [];
      const ys: number[] = [];
      const zs: number[] = [];
      for (let r = 0; r < 4000; r++) {
        const e = noisePath(replicateFor(17, r), corr, 100, [1000, 2000, 8000]);
        xs.push(e[0] as number);
        ys.push(e[1] as number);
        zs.push(e[2] as number);
      }
      const c = (a: number[], b: number[]): number => {
        const sa = stats(a);
        const sb = stats(b);
        return (
          a.reduce((s, x, i) => s + (x - sa.mean) * ((b[i] as number) - sb.mean), 0) /
          (a.length - 1) /
          (sa.sd * sb.sd)
        );
      };
      assert.ok(Math.abs(stats(ys).sd - 1) < 0.04);
      assert.ok(Math.abs(c(xs, ys) - corr) < 0.05, `corr ${corr}: one doubling ${c(xs, ys)}`);
      assert.ok(
        Math.abs(c(xs, zs) - corr ** 3) < 0.05,
        `corr ${corr}: three doublings ${c(xs, zs)}`,
      );
    }
  });

  it('an off-grid step has the OU marginal and is consistent with its neighbours', () => {
    const xs: number[] = [];
    for (let r = 0; r < 4000; r++) {
      const e = noisePath(replicateFor(3, r), 0.8, 100, [1000, 1050, 1100]);
      xs.push(e[1] as number);
      // Same key, asked alone: the same value.
      assert.equal(noisePath(replicateFor(3, r), 0.8, 100, [1050])[0], e[1]);
    }
    assert.ok(Math.abs(stats(xs).sd - 1) < 0.04);
  });

  it('applies to slimpajama-mlp', { skip: needsData }, () => {
    const tb = withNoise(getTestbed('slimpajama-mlp'), spec({ sd: 0.005 }));
    const truth = tb.evaluate(W, '1B', 19700, 'c4_cross_entropy');
    const seen = tb.observe?.(W, '1B', 19700, 'c4_cross_entropy', 0).at(-1)?.value as number;
    assert.notEqual(seen, truth);
    assert.ok(Math.abs(seen / truth - 1) < 0.05);
  });
});

describe('testbed server with noise', () => {
  it('observes per run replicate: a continuation keeps its values, reset seeds the replicates', () => {
    const session = new TestbedSession(withNoise(law, spec({ sd: 0.02 })));
    const ev = (steps: number) =>
      JSON.parse(
        session.handleLine(
          JSON.stringify({
            op: 'eval',
            mixture: W,
            size: '60M',
            steps,
            metric: 'c4_cross_entropy',
          }),
        ),
      ) as { result: { curve: { step: number; value: number }[]; cost: number } };
    JSON.parse(session.handleLine('{"op":"reset","seed":5}'));
    const a = ev(1000).result;
    const b = ev(3000).result;
    assert.ok(b.cost > 0 && b.cost < law.cost('60M', 3000), 'charged as a continuation');
    assert.deepEqual(b.curve.slice(0, a.curve.length), a.curve);
    // The first run of a session seeded 5 is replicate replicateFor(5, 0).
    const tb = withNoise(law, spec({ sd: 0.02 }));
    assert.deepEqual(b.curve, tb.observe?.(W, '60M', 3000, 'c4_cross_entropy', replicateFor(5, 0)));
    assert.notDeepEqual(b.curve, law.curve(W, '60M', 3000, 'c4_cross_entropy'));
    const err = JSON.parse(session.handleLine('{"op":"reset","seed":-1}')) as {
      error: { message: string };
    };
    assert.match(err.error.message, /'seed' must be a non-negative integer/);
  });
});
