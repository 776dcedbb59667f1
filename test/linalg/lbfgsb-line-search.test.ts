import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MoreThuenteSearch } from '../../src/linalg/lbfgsb-line-search.ts';

describe('Moré–Thuente line search', () => {
  it("Moré–Thuente search ends at a strong-Wolfe step on the paper's test functions", () => {
    // Moré & Thuente (1994) §6, functions 1–3, with μ = 0.001, η = 0.1 as in their tables.
    const fns: [string, (a: number) => [number, number]][] = [
      ['−α/(α²+2)', (a) => [-a / (a * a + 2), (a * a - 2) / (a * a + 2) ** 2]],
      [
        '(α+0.004)⁵ − 2(α+0.004)⁴',
        (a) => [
          (a + 0.004) ** 5 - 2 * (a + 0.004) ** 4,
          5 * (a + 0.004) ** 4 - 8 * (a + 0.004) ** 3,
        ],
      ],
      [
        'φ₀(α) + 2(1−β)/(39π) sin(39πα/2), β = 0.01',
        (a) => {
          const beta = 0.01;
          const l = 39;
          const phi0 =
            a <= 1 - beta ? 1 - a : a >= 1 + beta ? a - 1 : (a - 1) ** 2 / (2 * beta) + beta / 2;
          const dphi0 = a <= 1 - beta ? -1 : a >= 1 + beta ? 1 : (a - 1) / beta;
          const amp = (2 * (1 - beta)) / (l * Math.PI);
          return [
            phi0 + amp * Math.sin((l * Math.PI * a) / 2),
            dphi0 + amp * ((l * Math.PI) / 2) * Math.cos((l * Math.PI * a) / 2),
          ];
        },
      ],
    ];
    for (const [name, phi] of fns) {
      for (const a0 of [1e-3, 1e-1, 10, 1000]) {
        const ls = new MoreThuenteSearch(0.001, 0.1, 1e-10);
        const [f0, g0] = phi(0);
        ls.start(f0, g0, a0, 0, 1e10);
        let status = 'evaluate';
        let evals = 0;
        let fa = 0;
        let ga = 0;
        while (status === 'evaluate' && evals < 100) {
          [fa, ga] = phi(ls.stp);
          evals++;
          status = ls.update(fa, ga);
        }
        assert.equal(status, 'converged', `${name}, α₀ = ${a0}: ${ls.message}`);
        assert.ok(fa <= f0 + 0.001 * ls.stp * g0, `${name}: sufficient decrease`);
        assert.ok(Math.abs(ga) <= 0.1 * Math.abs(g0), `${name}: curvature`);
        assert.ok(evals <= 20, `${name}, α₀ = ${a0}: ${evals} evaluations`);
      }
    }
  });
});
