/**
 * What `mfms-bo`'s GP learns, refit by refit, on one suite case and seed: the fitted
 * lengthscales over the mixture, the model size and the steps, the noise, the run offsets
 * (with `runNoise`), where the runs went, and what the size lengthscale implies: the prior
 * correlation of a mixture's effect between the smallest size and the target,
 * `exp(-(s(m_min) - s(m*))^2 / (2 l_s^2))` (RBF on the encoded size). A correlation near 1 means
 * the model treats the mixture effect as the same at every size, so a small run tells it as much
 * about the target as a target run does. A signal sd near 0 (the kernel's output scale on its
 * floor) means the fit explains every difference between runs as noise.
 *
 * Run: node --import tsx bench/fit-trace.ts --case family-interior-noisy/val_loss
 *      [--seed 0] [--settings '{"runNoise":"none"}'] [--every 1]
 * `--every n` prints every n-th refit. The job is the suite's (budget 8 target-run costs,
 * the case's noise); the optimiser seed is the harness's for seed index `--seed` of root seed 0
 * (as in `bench/variants.ts`).
 */
import type { GPHyperparameters } from '../src/gp/index.ts';
import { arg, openCase } from './case-job.ts';

const { id, seed, settings, space, gap, run } = await openCase();
const every = Number(arg('every', '1'));

console.log(`${id}, seed ${seed}, settings ${JSON.stringify(settings)}`);
console.log(
  '| runs | refit | runs per size | mixture l | size l | steps l | corr(smallest, target) | signal sd | noise sd | run offset sd (slope) |',
);
console.log('|---:|---:|---|---:|---:|---:|---:|---:|---:|---|');
let refits = 0;
run('fit-trace', (opt) => {
  let last = -1;
  return {
    ...opt,
    propose(history, n) {
      const out = opt.propose(history, n);
      const st = opt.saveState?.() as { hyper: GPHyperparameters | null; fittedAt: number };
      if (st.hyper !== null && st.fittedAt !== last) {
        last = st.fittedAt;
        if (refits++ % every === 0) {
          const h = st.hyper;
          const sd = h.standardization?.std ?? 1;
          const ls = h.lengthscales.map((l) => l.values[0]!);
          const perSize = new Map<string, number>();
          for (const r of history.runs) perSize.set(r.scale, (perSize.get(r.scale) ?? 0) + 1);
          const sizes = space.scales.map((x) => `${x.name} ${perSize.get(x.name) ?? 0}`).join(', ');
          const lS = ls[ls.length - 2]!;
          const corr = Math.exp(-(gap * gap) / (2 * lS * lS));
          const offset =
            h.groupNoise === undefined
              ? '-'
              : `${(Math.sqrt(h.groupNoise) * sd).toPrecision(3)} (${h.groupNoiseSlope?.toFixed(2) ?? '-'})`;
          console.log(
            `| ${history.runs.length} | ${refits} | ${sizes} | ${ls[0]!.toPrecision(3)} | ${lS.toPrecision(3)} | ${ls[ls.length - 1]!.toPrecision(3)} | ${corr.toFixed(3)} | ${(Math.sqrt(h.outputScale) * sd).toPrecision(3)} | ${(Math.sqrt(h.noise) * sd).toPrecision(3)} | ${offset} |`,
          );
        }
      }
      return out;
    },
  };
});
