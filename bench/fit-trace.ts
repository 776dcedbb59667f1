/**
 * What `mfms-bo`'s GP learns, refit by refit, on one suite case and seed: the fitted
 * lengthscales over the mixture, the model size and the steps, the noise, the run offsets
 * (with `runNoise`), where the runs went, and what the size lengthscale implies: the prior
 * correlation of a mixture's effect between the smallest size and the target,
 * `exp(-(s(m_min) - s(m*))^2 / (2 l_s^2))` (RBF on the encoded size). A correlation near 1 means
 * the model treats the mixture effect as the same at every size, so a small run tells it as much
 * about the target as a target run does.
 *
 * Run: node --import tsx bench/fit-trace.ts --case family-interior-noisy/val_loss
 *      [--seed 0] [--settings '{"runNoise":"none"}'] [--every 1]
 * `--every n` prints every n-th refit. The job is the suite's (budget 8 target-run costs,
 * the case's noise); the optimiser seed is the harness's for seed index `--seed` of root seed 0
 * (as in `bench/variants.ts`).
 */
import {
  caseRef,
  DEV_SUITE,
  FULL_SUITE,
  resolveTestbed,
  seedFor,
  simulateJob,
} from '../src/bench/index.ts';
import { type OptimizerContext, spaceFromTestbed } from '../src/core/index.ts';
import type { GPHyperparameters } from '../src/gp/index.ts';
import {
  createMfmsBo,
  encodeInput,
  MfmsSettingsSchema,
  registerOptimizer,
} from '../src/optimizers/index.ts';
import { mfmsEncoding } from '../src/optimizers/mfms/surrogate.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}

const id = arg('case', 'family-interior-noisy/val_loss');
const k0 = [...FULL_SUITE.cases, ...DEV_SUITE.cases].find((c) => c.id === id);
if (k0 === undefined)
  throw new Error(`unknown case '${id}'; ids look like law/c4_cross_entropy+noise`);
const testbed = await resolveTestbed(caseRef(k0));
const settings = JSON.parse(arg('settings', '{}')) as Record<string, unknown>;
const every = Number(arg('every', '1'));
const seed = Number(arg('seed', '0'));

const space = spaceFromTestbed(testbed, k0.metric);
const s = MfmsSettingsSchema.parse(settings);
const k = space.domains.length;
const { enc } = mfmsEncoding(space, s);
const uniform = new Array<number>(k).fill(1 / k);
const sizeAt = (scale: string) => encodeInput(space, uniform, scale, space.target.steps, enc)[k]!;
const smallest = space.scales.reduce((a, b) => (b.params < a.params ? b : a)).name;
const gap = sizeAt(smallest) - sizeAt(space.target.scale);

console.log(`${id}, seed ${seed}, settings ${JSON.stringify(settings)}`);
console.log(
  '| runs | refit | runs per size | mixture l | size l | steps l | corr(smallest, target) | noise sd | run offset sd (slope) |',
);
console.log('|---:|---:|---|---:|---:|---:|---:|---:|---|');
let refits = 0;
registerOptimizer(
  'mfms-bo:fit-trace',
  (ctx: OptimizerContext) => {
    const opt = createMfmsBo(ctx);
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
            const sizes = space.scales
              .map((x) => `${x.name} ${perSize.get(x.name) ?? 0}`)
              .join(', ');
            const lS = ls[ls.length - 2]!;
            const corr = Math.exp(-(gap * gap) / (2 * lS * lS));
            const offset =
              h.groupNoise === undefined
                ? '-'
                : `${(Math.sqrt(h.groupNoise) * sd).toPrecision(3)} (${h.groupNoiseSlope?.toFixed(2) ?? '-'})`;
            console.log(
              `| ${history.runs.length} | ${refits} | ${sizes} | ${ls[0]!.toPrecision(3)} | ${lS.toPrecision(3)} | ${ls[ls.length - 1]!.toPrecision(3)} | ${corr.toFixed(3)} | ${(Math.sqrt(h.noise) * sd).toPrecision(3)} | ${offset} |`,
            );
          }
        }
        return out;
      },
    };
  },
  'mfms-bo, printing each refit (bench/fit-trace.ts)',
);

const targetCost = testbed.cost(testbed.target.scale, testbed.target.steps);
const t = simulateJob(testbed, {
  method: 'mfms-bo:fit-trace',
  metric: k0.metric,
  seed,
  optimizerSeed: seedFor(0, seed),
  budget: k0.budgetTargetRuns * targetCost,
  settings,
});
if (t.error !== undefined) console.log(`job error: ${t.error}`);
console.log(
  `${t.points.length} runs; the recommendation's true target value ${t.points.at(-1)?.value}`,
);
