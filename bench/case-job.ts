/**
 * One suite case's `mfms-bo` job, for the scripts that look inside it (bench/fit-trace.ts,
 * bench/size-profile.ts): the command-line arguments `--case`, `--seed`, `--settings`, the
 * case's testbed and search space, the encoded-size gap between the smallest size and the
 * target, and the job run with a wrapped `mfms-bo` (the suite's budget and the harness's
 * optimiser seed for seed index `--seed` of root seed 0, as in bench/variants.ts).
 */
import {
  caseRef,
  DEV_SUITE,
  FULL_SUITE,
  resolveTestbed,
  seedFor,
  simulateJob,
} from '../src/bench/index.ts';
import {
  type Optimizer,
  type OptimizerContext,
  type SearchSpace,
  spaceFromTestbed,
} from '../src/core/index.ts';
import {
  createMfmsBo,
  encodeInput,
  type MfmsSettings,
  MfmsSettingsSchema,
  registerOptimizer,
} from '../src/optimizers/index.ts';
import { type MfmsEncoding, mfmsEncoding } from '../src/optimizers/mfms/surrogate.ts';

/** The value after `--name` on the command line, else `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}

/** The case of `--case`, opened. */
export async function openCase() {
  const id = arg('case', 'family-interior-noisy/val_loss');
  const kase = [...FULL_SUITE.cases, ...DEV_SUITE.cases].find((c) => c.id === id);
  if (kase === undefined)
    throw new Error(`unknown case '${id}'; ids look like law/c4_cross_entropy+noise`);
  const testbed = await resolveTestbed(caseRef(kase));
  const settings = JSON.parse(arg('settings', '{}')) as Record<string, unknown>;
  const seed = Number(arg('seed', '0'));
  const space: SearchSpace = spaceFromTestbed(testbed, kase.metric);
  const s: MfmsSettings = MfmsSettingsSchema.parse(settings);
  const k = space.domains.length;
  const encoding: MfmsEncoding = mfmsEncoding(space, s);
  const uniform = new Array<number>(k).fill(1 / k);
  const sizeAt = (scale: string) =>
    encodeInput(space, uniform, scale, space.target.steps, encoding.enc)[k]!;
  const smallest = space.scales.reduce((a, b) => (b.params < a.params ? b : a)).name;
  /** `s(m_min) - s(m*)`, the encoded-size gap between the smallest size and the target. */
  const gap = sizeAt(smallest) - sizeAt(space.target.scale);

  /** Runs the job with `mfms-bo` wrapped by `wrap`; prints the runs and the final value. */
  const run = (name: string, wrap: (opt: Optimizer) => Optimizer): void => {
    registerOptimizer(
      `mfms-bo:${name}`,
      (ctx: OptimizerContext) => wrap(createMfmsBo(ctx)),
      `mfms-bo, wrapped by bench/${name}.ts`,
    );
    const targetCost = testbed.cost(testbed.target.scale, testbed.target.steps);
    const t = simulateJob(testbed, {
      method: `mfms-bo:${name}`,
      metric: kase.metric,
      seed,
      optimizerSeed: seedFor(0, seed),
      budget: kase.budgetTargetRuns * targetCost,
      settings,
    });
    if (t.error !== undefined) console.log(`job error: ${t.error}`);
    console.log(
      `${t.points.length} runs; the recommendation's true target value ${t.points.at(-1)?.value}`,
    );
  };
  return { id, kase, testbed, settings, seed, space, s, k, encoding, gap, run };
}
