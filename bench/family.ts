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
 * `npm run bench:family -- sweep` instead checks the generator's guarantees
 * over 90 members (k ∈ {3, 4, 7, 12, 20} × vertex/face/interior × seeds 0..5,
 * drift and stepDrift cycling through fixed/drift/reverse): the searched
 * optimum is the planted one (L1 ≤ 0.02) and of the asked kind; Spearman ρ of
 * 100 Dirichlet(1) mixtures between 20M and 1B for the reverse members with a
 * vertex or face optimum; and, for 20 of those mixtures, whether curves fall
 * (20M, 300M, 1B) and full-length values fall with size.
 *
 * Run: npm run bench:family [-- sweep]   (about 30 s each on one core)
 * Results are written by hand into BENCHMARKS.md, section "Testbed families".
 */

import { Rng } from '../src/core/index.ts';
import {
  createFamilyMember,
  createFamilyTestbed,
  familyOf,
  listFamilyPresets,
  searchOptimum,
} from '../src/testbeds/index.ts';
import { spearman } from '../src/transfer/index.ts';

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

function sweep(): void {
  let bad = 0;
  let n = 0;
  let curves = 0;
  let rising = 0;
  let sizePairs = 0;
  let sizeInversions = 0;
  const rhos: number[] = [];
  for (const k of [3, 4, 7, 12, 20])
    for (const optimum of ['vertex', 'face', 'interior'] as const)
      for (let seed = 0; seed < 6; seed++) {
        const drift = (['fixed', 'drift', 'reverse'] as const)[seed % 3] ?? 'fixed';
        const stepDrift = (['fixed', 'drift', 'reverse'] as const)[(seed + 1) % 3] ?? 'fixed';
        const tb = createFamilyMember({ domains: k, optimum, drift, stepDrift }, seed);
        const o = searchOptimum(tb.objective('val_loss', '1B', 20000), k, 'minimize', {
          nUniform: 1024,
          nSparse: 512,
          starts: 4,
        });
        n++;
        if (kind(o.mixture) !== optimum || l1(o.mixture, tb.planted.target) > 0.02) bad++;
        const rng = new Rng(seed + 100);
        const ws = Array.from({ length: 100 }, () => rng.dirichlet(1, k));
        if (drift === 'reverse' && optimum !== 'interior') {
          const r = spearman(
            ws.map((w) => tb.evaluate(w, '20M', 20000, 'val_loss')),
            ws.map((w) => tb.evaluate(w, '1B', 20000, 'val_loss')),
          );
          rhos.push(r ?? Number.NaN);
        }
        for (const w of ws.slice(0, 20)) {
          for (const s of ['20M', '300M', '1B']) {
            const c = tb.curve(w, s, 20000, 'val_loss');
            curves++;
            if (c.some((p, i) => i > 0 && p.value > (c[i - 1]?.value as number))) rising++;
          }
          const full = tb.scales.map((s) => tb.evaluate(w, s.name, 20000, 'val_loss'));
          sizePairs++;
          if (full.some((v, i) => i > 0 && v > (full[i - 1] as number))) sizeInversions++;
        }
      }
  process.stdout.write(
    `${[
      `members: ${n}; optimum not the planted one or not of the asked kind: ${bad}`,
      `reverse members (vertex/face), Spearman rho 20M vs 1B: ${rhos.map((r) => r.toFixed(2)).join(' ')}`,
      `curves that rise somewhere: ${rising} of ${curves}`,
      `(member, mixture) pairs whose full-length value rises with size somewhere: ${sizeInversions} of ${sizePairs}`,
    ].join('\n')}\n`,
  );
}

/** The preset table (module comment). */
function presets(): void {
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
      f.evaluate(new Array(k).fill(1 / k), f.target.scale, f.target.steps, 'val_loss') -
      target.value;
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
}

if (process.argv[2] === 'sweep') sweep();
else presets();
