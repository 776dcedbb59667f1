/**
 * Testbed families: what each preset is (where its optimum lies, how far it
 * moves with size and steps, how much the mixture matters) and how fast it
 * answers.
 *
 * For each preset (src/testbeds/family-presets.ts), on `val_loss`:
 * - the reference optimum at the target (`referenceOptimum`, full search, no
 *   cache) and its kind (vertex: a weight > 0.999; interior: all > 0.2/k;
 *   else face);
 * - L1 distance from it to the optimum at the smallest size (full length)
 *   and at the shortest run (target size);
 * - Spearman ρ between the values of 300 Dirichlet(1) mixtures at the
 *   smallest size and at the target (full length);
 * - regret of the uniform mixture and the mean regret of the 300 mixtures;
 * - time: construction, and the median over 5 repeats of the mean time of
 *   2,000 `curve` calls (200 points: target size, 20,000 steps) and of
 *   2,000 `observe` calls on the noisy presets.
 *
 * Run: npm run bench:family   (about a minute on one core)
 * Results are written by hand into BENCHMARKS.md, section "Testbed families".
 */
import { spearman } from '../src/bench/transfer/index.ts';
import { Rng } from '../src/core/index.ts';
import {
  createFamilyTestbed,
  familyOf,
  listFamilyPresets,
  searchOptimum,
} from '../src/testbeds/index.ts';

const l1 = (a: readonly number[], b: readonly number[]): number =>
  a.reduce((s, x, i) => s + Math.abs(x - (b[i] as number)), 0);

function kind(w: readonly number[]): string {
  if (Math.max(...w) > 0.999) return 'vertex';
  return w.every((x) => x > 0.2 / w.length) ? 'interior' : 'face';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const rows: string[] = [];
for (const p of listFamilyPresets()) {
  const t0 = performance.now();
  const tb = createFamilyTestbed(p.params, p.seed, { name: p.name });
  const build = performance.now() - t0;
  const f = familyOf(tb);
  if (f === undefined) throw new Error(`${p.name} is not a family member`);
  const k = f.domains.length;
  const small = f.scales[0]?.name as string;
  const opt = (scale: string, steps: number) =>
    searchOptimum(f.objective('val_loss', scale, steps), k, 'minimize');
  const target = opt(f.target.scale, f.target.steps);
  const atSmall = opt(small, f.target.steps);
  const atShort = opt(f.target.scale, f.steps.min);
  const rng = new Rng(1);
  const ws = Array.from({ length: 300 }, () => rng.dirichlet(1, k));
  const vt = ws.map((w) => f.evaluate(w, f.target.scale, f.target.steps, 'val_loss'));
  const vs = ws.map((w) => f.evaluate(w, small, f.target.steps, 'val_loss'));
  const uniform =
    f.evaluate(new Array(k).fill(1 / k), f.target.scale, f.target.steps, 'val_loss') - target.value;
  const meanRegret = vt.reduce((a, b) => a + b, 0) / vt.length - target.value;
  const time = (fn: (w: number[]) => unknown): number => {
    const reps: number[] = [];
    for (let r = 0; r < 5; r++) {
      const s = performance.now();
      for (let i = 0; i < 2000; i++) fn(ws[i % ws.length] as number[]);
      reps.push(((performance.now() - s) / 2000) * 1000);
    }
    return median(reps);
  };
  const curveUs = time((w) => f.curve(w, f.target.scale, f.target.steps, 'val_loss'));
  const observe = tb.observe;
  const observeUs =
    observe !== undefined
      ? time((w) => observe.call(tb, w, f.target.scale, f.target.steps, 'val_loss', 3))
      : undefined;
  rows.push(
    `| \`${p.name}\` | ${k} | ${kind(target.mixture)} | ${l1(atSmall.mixture, target.mixture).toFixed(2)} | ${l1(atShort.mixture, target.mixture).toFixed(2)} | ${(spearman(vs, vt) ?? Number.NaN).toFixed(2)} | ${uniform.toFixed(4)} | ${meanRegret.toFixed(4)} | ${build.toFixed(0)} | ${curveUs.toFixed(0)} | ${observeUs === undefined ? '—' : observeUs.toFixed(0)} |`,
  );
}
process.stdout.write(
  `${[
    '| preset | k | optimum | L1 move, smallest size | L1 move, shortest run | ρ(smallest, target) | uniform regret | mean random regret | build ms | curve µs | observe µs |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n')}\n`,
);
