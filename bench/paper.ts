/**
 * The paper suite on slimpajama-mlp (docs/benchmarks.md), run one seed at a time so
 * that whatever finished can be merged (bench/merge.ts) if the run is cut
 * short. Each chunk of seeds writes `<out>/seed-<first>/` (bench.json.gz, summary.json,
 * summary.md, SVGs) via the library (no CLI), and a line per job on stderr.
 *
 * Usage: node --import tsx bench/paper.ts [--from 0] [--to 19] [--chunk 1] [--out results/tmp/paper]
 *        [--methods mfms-bo,mfms-bo:paper,hyperband,random,mf-bo,bo] [--workers N]
 *        [--budget 1500] [--data-dir D] [--modules bench/ablation-variants.ts]
 * Then:  node --import tsx bench/merge.ts --out results/paper --gzip results/tmp/paper/seed-*\/bench.json.gz
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runBenchmark } from '../src/bench/run-benchmark.ts';
import { writeResults } from '../src/bench/write-results.ts';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? def) : def;
};
const from = Number(opt('from', '0'));
/** Seeds per chunk: several seeds per chunk keep both workers busy past a slow job. */
const chunk = Number(opt('chunk', '1'));
const to = Number(opt('to', '19'));
const out = opt('out', 'results/tmp/paper');
const methods = opt('methods', 'mfms-bo,mfms-bo:paper,hyperband,random,mf-bo,bo').split(',');
const budget = Number(opt('budget', '1500'));
const workers = args.includes('--workers') ? Number(opt('workers', '2')) : undefined;
const dataDir = args.includes('--data-dir') ? opt('data-dir', '') : undefined;
/** Modules that register extra methods in every worker (e.g. bench/ablation-variants.ts). */
const modules = args.includes('--modules')
  ? opt('modules', '')
      .split(',')
      .map((m) => pathToFileURL(resolve(m)).href)
  : [];
for (const m of modules) await import(m);

for (let s = from; s <= to; s += chunk) {
  const n = Math.min(chunk, to - s + 1);
  const r = await runBenchmark({
    testbed: { name: 'slimpajama-mlp', ...(dataDir !== undefined ? { dataDir } : {}) },
    methods,
    metrics: 'all',
    seeds: n,
    firstSeed: s,
    budget,
    ...(workers !== undefined ? { workers } : {}),
    ...(modules.length > 0 ? { modules } : {}),
    onProgress: (e) =>
      process.stderr.write(
        `${new Date().toISOString()} seed ${e.seed}: job ${e.done}/${e.total} ${e.method} / ${e.metric} ${e.seconds.toFixed(1)} s${e.error !== undefined ? ` ERROR ${e.error}` : ''}\n`,
      ),
  });
  // Folder named by its first seed: seed-<s> holds seeds s .. s + n - 1.
  await writeResults(r, join(out, `seed-${s}`), { gzip: true });
  process.stderr.write(
    `${new Date().toISOString()} seeds ${s}..${s + n - 1} done in ${r.meta.wallSeconds.toFixed(0)} s\n`,
  );
}
