// Fixtures of the transfer tests: a run set from the fake testbed and an oracle surrogate that knows
// the truth. Not a test file itself.
import { generateRunSet } from '../../src/transfer/run-set.ts';
import type { SurrogateFactory } from '../../src/transfer/surrogate.ts';
import { fakeTestbed } from './fake-testbed.ts';

/** The closed-form fake testbed the run set is drawn from. */
export const TB = fakeTestbed();
/** 12 runs at each of the 7 sizes (seed 0). */
export const RS = generateRunSet(TB, {
  seed: 0,
  runsPerScale: { '20M': 12, '60M': 12, '150M': 12, '300M': 12, '500M': 12, '700M': 12, '1B': 12 },
});

/**
 * A reference "surrogate" that knows the truth: it reads the mixture, size and
 * steps back from x and returns the testbed's value, with a fixed variance.
 */
export function oracle(metric: string, variance: number, bias = 0): SurrogateFactory {
  return () => ({
    predict(Xs: Float64Array) {
      const d = 5;
      const m = Xs.length / d;
      const mean = new Float64Array(m);
      for (let i = 0; i < m; i++) {
        const w = [Xs[i * d] as number, Xs[i * d + 1] as number, Xs[i * d + 2] as number];
        const s = Xs[i * d + 3] as number; // log encoding: 20M..1B -> 0..1
        const params = Math.exp(Math.log(20e6) + s * (Math.log(1e9) - Math.log(20e6)));
        const scale = TB.scales.reduce((best, x) =>
          Math.abs(x.params - params) < Math.abs(best.params - params) ? x : best,
        ).name;
        const z = Math.round((Xs[i * d + 4] as number) * 19_700);
        mean[i] = TB.evaluate(w, scale, z, metric) + bias;
      }
      return { mean, variance: new Float64Array(m).fill(variance) };
    },
    info: { nFit: 0, nCond: 0, activeDims: [0, 1, 2, 3, 4] },
  });
}
