import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  erf,
  erfc,
  erfcx,
  normCdf,
  normLogCdf,
  normLogPdf,
  normPdf,
  normQuantile,
} from '../../src/linalg/index.ts';

const ref = JSON.parse(
  readFileSync(new URL('../fixtures/special_reference.json', import.meta.url), 'utf8'),
) as {
  erf: { x: number; erf: number; erfc: number }[];
  erfcx: { x: number; erfcx: number }[];
  norm: { x: number; cdf: number; logCdf: number; pdf: number; logPdf: number }[];
  quantile: { p: number; x: number }[];
};

/** Relative error, with an absolute floor for values near zero. */
function relErr(got: number, want: number, floor = 1e-300): number {
  if (got === want) return 0;
  return Math.abs(got - want) / Math.max(Math.abs(want), floor);
}

function close(got: number, want: number, tol: number, what: string): void {
  assert.ok(Number.isFinite(got) || got === want, `${what}: got ${got}`);
  assert.ok(
    relErr(got, want) <= tol,
    `${what}: got ${got}, want ${want}, rel err ${relErr(got, want)}`,
  );
}

describe('erf / erfc / erfcx (vs mpmath, 400 digits)', () => {
  it('erf and erfc to ~1e-15 relative across the range, erfc in its far tail', () => {
    assert.ok(ref.erf.length > 20);
    for (const r of ref.erf) {
      close(erf(r.x), r.erf, 2e-15, `erf(${r.x})`);
      close(erfc(r.x), r.erfc, 1e-14, `erfc(${r.x})`);
    }
  });

  it('erfcx to ~1e-14 relative, including large positive (1/(x√π)) and negative x', () => {
    for (const r of ref.erfcx) close(erfcx(r.x), r.erfcx, 1e-14, `erfcx(${r.x})`);
    assert.equal(erfcx(-30), Number.POSITIVE_INFINITY); // exp(900) overflows: the true value does too
    assert.equal(erfcx(Number.POSITIVE_INFINITY), 0);
    assert.ok(Number.isNaN(erfcx(Number.NaN)));
  });

  it('erf is odd and erf + erfc = 1', () => {
    for (const x of [0.01, 0.3, 0.7, 1.3, 2.2, 3.7, 5.5]) {
      assert.equal(erf(-x), -erf(x));
      assert.ok(Math.abs(erf(x) + erfc(x) - 1) < 2e-16);
    }
  });
});

describe('normal distribution', () => {
  it('cdf, pdf, log-pdf and log-cdf match mpmath (log Φ(−40) = −804.608…)', () => {
    for (const r of ref.norm) {
      close(normCdf(r.x), r.cdf, 1e-14, `normCdf(${r.x})`);
      close(normPdf(r.x), r.pdf, 1e-13, `normPdf(${r.x})`);
      close(normLogPdf(r.x), r.logPdf, 1e-15, `normLogPdf(${r.x})`);
      // Relative accuracy everywhere, including log Φ(20) ≈ −2.75e-89 in the upper tail.
      close(normLogCdf(r.x), r.logCdf, 2e-15, `normLogCdf(${r.x})`);
    }
    const at40 = ref.norm.find((r) => r.x === -40);
    assert.ok(at40 !== undefined);
    assert.ok(Math.abs(normLogCdf(-40) - -804.6084420137538) < 1e-12);
    assert.ok(Number.isFinite(normLogCdf(-1e4)));
  });

  it('normCdf(x) + normCdf(−x) = 1 (symmetry) and log-cdf is continuous at its branch points', () => {
    for (const x of [0, 0.2, 1, 1.7, 3, 6.5]) {
      assert.ok(Math.abs(normCdf(x) + normCdf(-x) - 1) < 1e-15, `x = ${x}`);
    }
    for (const x of [-1, 0]) {
      const a = normLogCdf(x - 1e-12);
      const b = normLogCdf(x + 1e-12);
      assert.ok(Math.abs(a - b) < 1e-11 * Math.max(1, Math.abs(a)), `jump at ${x}: ${a} vs ${b}`);
    }
  });

  it('infinite arguments give the limits, not NaN', () => {
    const inf = Number.POSITIVE_INFINITY;
    assert.equal(normPdf(inf), 0);
    assert.equal(normPdf(-inf), 0);
    assert.equal(normCdf(-inf), 0);
    assert.equal(normCdf(inf), 1);
    assert.ok(normLogCdf(inf) === 0); // −0
    assert.equal(normLogCdf(-inf), -inf);
    assert.equal(erf(inf), 1);
    assert.equal(erfc(-inf), 2);
  });

  it('normQuantile inverts the cdf (vs mpmath) and handles the ends', () => {
    for (const r of ref.quantile) close(normQuantile(r.p), r.x, 1e-13, `normQuantile(${r.p})`);
    assert.equal(normQuantile(0), Number.NEGATIVE_INFINITY);
    assert.equal(normQuantile(1), Number.POSITIVE_INFINITY);
    assert.ok(Number.isNaN(normQuantile(1.5)));
    assert.ok(Math.abs(normQuantile(0.5)) < 1e-16);
  });
});
