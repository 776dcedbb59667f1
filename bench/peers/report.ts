/**
 * The peer tables of BENCHMARKS.md ("Optuna peers") from a merged benchmark
 * (`bench/merge.ts --gzip --out DIR ...`): the speedup of one method (default
 * `mfms-bo`) over each baseline per metric (docs/benchmarks.md, mean curves), the
 * per-seed medians, and the final regret.
 *
 * Usage: node --import tsx bench/peers/report.ts DIR/summary.json.gz [--method mfms-bo]
 *        [--baselines optuna-tpe,optuna-hyperband,hyperband,random]
 */
import { type BenchSummary, readJsonFile, speedupTable } from '../../src/bench/index.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? def) : def;
};
const file = args.find((a) => /\.json(\.gz)?$/.test(a));
if (file === undefined) throw new Error('usage: bench/peers/report.ts DIR/summary.json.gz');
const raw = readJsonFile(file) as { summary?: BenchSummary } & BenchSummary;
const s: BenchSummary = raw.summary ?? raw;
const method = opt('method', 'mfms-bo');
const baselines = opt('baselines', 'optuna-tpe,optuna-hyperband,hyperband,random')
  .split(',')
  .filter((b) => s.methods.includes(b));
const fx = (x: number | null | undefined): string =>
  x === null || x === undefined ? 'not reached' : `${x.toFixed(2)}x`;

console.log(
  `${s.testbed}: ${s.methods.join(', ')}; ${s.metrics.length} metrics, ${s.seeds} seeds, budget ${s.budget}\n`,
);
console.log(speedupTable(s, [method], baselines));
console.log(
  `\nPer seed (seed i of ${method} against seed i of the baseline), median over seeds:\n`,
);
console.log(`| metric | ${baselines.map((b) => `vs ${b}`).join(' | ')} |`);
console.log(`|---|${baselines.map(() => '---:').join('|')}|`);
for (const m of s.metrics) {
  console.log(
    `| ${m} | ${baselines.map((b) => fx(s.speedups[method]?.[b]?.perSeedMedian[m])).join(' | ')} |`,
  );
}
console.log(`\nFinal regret at the horizon (mean over seeds):\n`);
const all = [method, ...baselines];
console.log(`| metric | ${all.join(' | ')} |`);
console.log(`|---|${all.map(() => '---:').join('|')}|`);
for (const m of s.metrics) {
  console.log(
    `| ${m} | ${all.map((a) => s.finalRegret[a]?.[m]?.mean.toFixed(4) ?? '-').join(' | ')} |`,
  );
}
