/**
 * Paired comparison of two methods through suite scoreboards (`scoreboard.json` of `mixopt bench
 * --suite`), pooled over several root seeds: for each case, the per-seed final and anytime regrets
 * of method A and method B, paired by (root seed, seed), their mean difference `A − B` and the
 * standard error of that mean (sd of the paired differences / sqrt(n)), and a verdict:
 * `better` / `worse` when the mean difference is more than `--z` (default 2) standard errors from
 * 0, `~` otherwise. Runs of two methods with one seed share the testbed's noise and, for
 * `mfms-bo` variants that do not change it, the initial design, so the paired differences are
 * far less noisy than the two means.
 *
 * Usage:
 *   node --import tsx bench/compare.ts --a FILE:METHOD[,FILE:METHOD ...] --b FILE:METHOD[,...] [--z 2]
 * The i-th file of `--a` is paired with the i-th of `--b` (one root seed each; the same file
 * may appear on both sides). Only cases present in both files of a pair count; a case's n is
 * its number of paired seeds.
 */
import { readJsonFile, type SampleStats, sampleStats } from '../src/bench/index.ts';

interface PerSeed {
  seed: number[];
  final: number[];
  anytime: number[];
}
interface CaseEntry {
  id: string;
  methods: Record<string, { perSeed?: PerSeed }>;
}

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const sides = (name: string): { file: string; method: string }[] => {
  const v = opt(name);
  if (v === undefined) {
    console.error(
      'usage: node --import tsx bench/compare.ts --a FILE:METHOD[,...] --b FILE:METHOD[,...] [--z 2]',
    );
    process.exit(2);
  }
  return v.split(',').map((s) => {
    const m = /^(.*?\.json(?:\.gz)?):(.+)$/.exec(s);
    if (m === null) {
      console.error(`--${name}: '${s}' is not FILE.json:METHOD`);
      process.exit(2);
    }
    return { file: m[1] as string, method: m[2] as string };
  });
};
const A = sides('a');
const B = sides('b');
if (A.length !== B.length) {
  console.error(`--a lists ${A.length} file(s), --b ${B.length}: pair them one to one`);
  process.exit(2);
}
const z = Number(opt('z') ?? 2);

const casesOf = (file: string): Map<string, CaseEntry> => {
  const sb = (readJsonFile(file) as { scoreboard?: { cases?: CaseEntry[] } }).scoreboard;
  if (sb?.cases === undefined) {
    console.error(`${file}: no scoreboard.cases (a suite's scoreboard.json?)`);
    process.exit(1);
  }
  return new Map(sb.cases.map((c) => [c.id, c]));
};
const perSeedOf = (c: CaseEntry, method: string, file: string): PerSeed => {
  const p = c.methods[method]?.perSeed;
  if (p === undefined) {
    console.error(`${file}: case ${c.id} has no per-seed results of '${method}'`);
    process.exit(1);
  }
  return p;
};

type Measure = 'final' | 'anytime';
const MEASURES: readonly Measure[] = ['final', 'anytime'];
/** One case's paired per-seed values of A and B, per measure (same index: same root seed and seed). */
type Paired = Record<Measure, { a: number[]; b: number[] }>;

const paired = new Map<string, Paired>();
A.forEach((a, i) => {
  const b = B[i] as { file: string; method: string };
  const ca = casesOf(a.file);
  const cb = casesOf(b.file);
  for (const [id, ea] of ca) {
    const eb = cb.get(id);
    if (eb === undefined || ea.methods[a.method] === undefined) continue;
    if (eb.methods[b.method] === undefined) continue;
    const pa = perSeedOf(ea, a.method, a.file);
    const pb = perSeedOf(eb, b.method, b.file);
    let d = paired.get(id);
    if (d === undefined) {
      d = { final: { a: [], b: [] }, anytime: { a: [], b: [] } };
      paired.set(id, d);
    }
    pa.seed.forEach((seed, q) => {
      const r = pb.seed.indexOf(seed);
      if (r < 0) return;
      for (const m of MEASURES) {
        d[m].a.push(pa[m][q] as number);
        d[m].b.push(pb[m][r] as number);
      }
    });
  }
});

type Verdict = 'better' | 'worse' | '~';
/** The mean difference against `z` of its s.e.; identical runs (s.e. 0) by its sign; one pair decides nothing. */
const verdict = (d: SampleStats): Verdict => {
  if (d.n < 2) return '~';
  const margin = z * d.sem;
  return d.mean < -margin ? 'better' : d.mean > margin ? 'worse' : '~';
};
const f4 = (x: number) => {
  const t = x.toFixed(4);
  return t === '-0.0000' ? '0.0000' : t;
};

const label = (s: { file: string; method: string }[]) =>
  `${s[0]?.method}${s.length > 1 ? ` (${s.length} files)` : ''}`;
console.log(
  `A = ${label(A)}, B = ${label(B)}; paired by root seed and seed; verdict at ${z} s.e.\n`,
);
console.log(
  '| case | n | A final | B final | A − B (s.e.) | | A anytime | B anytime | A − B (s.e.) | |',
);
console.log('|---|---:|---:|---:|---:|---|---:|---:|---:|---|');
const tally: Record<Measure, Record<Verdict, number>> = {
  final: { better: 0, worse: 0, '~': 0 },
  anytime: { better: 0, worse: 0, '~': 0 },
};
for (const [id, d] of paired) {
  const n = d.final.a.length;
  if (n === 0) continue;
  const cells = MEASURES.map((m) => {
    const diff = sampleStats(d[m].a.map((x, q) => x - (d[m].b[q] as number)));
    const v = verdict(diff);
    tally[m][v]++;
    const mean = (xs: readonly number[]) => sampleStats(xs).mean;
    return `${f4(mean(d[m].a))} | ${f4(mean(d[m].b))} | ${f4(diff.mean)} (${f4(diff.sem)}) | ${v}`;
  });
  console.log(`| ${id} | ${n} | ${cells.join(' | ')} |`);
}
console.log(
  `\nA against B, final regret: better on ${tally.final.better}, worse on ${tally.final.worse}, within ${z} s.e. on ${tally.final['~']}; anytime regret: better on ${tally.anytime.better}, worse on ${tally.anytime.worse}, within on ${tally.anytime['~']}.`,
);
