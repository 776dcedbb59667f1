/**
 * Merges benchmark results run in chunks (e.g. `mixopt bench --first-seed 5
 * --seeds 5 ...`) or by other tools into one result folder: summary, Markdown,
 * one SVG per metric, and the trajectories.
 *
 * Usage: node --import tsx bench/merge.ts --out DIR [--gzip] [--data-dir D] [--methods a,b] FILE...
 * FILE: bench.json / bench.json.gz written by `mixopt bench --out`, or
 * `{"trajectories": [...]}` (format: src/bench/trajectory.ts), optionally gzipped.
 * `--methods` keeps only those methods' trajectories (e.g. a few methods of a
 * larger suite, joined with another tool's).
 */
import {
  type BenchResult,
  readJsonFile,
  readTrajectories,
  summarize,
  type Trajectory,
  writeResults,
} from '../src/bench/index.ts';
import { getTestbed } from '../src/testbeds/index.ts';

const args = process.argv.slice(2);
let out: string | undefined;
let dataDir: string | undefined;
let gzip = false;
let methods: Set<string> | undefined;
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i] as string;
  if (a === '--out') out = args[++i];
  else if (a === '--data-dir') dataDir = args[++i];
  else if (a === '--gzip') gzip = true;
  else if (a === '--methods') methods = new Set((args[++i] ?? '').split(','));
  else files.push(a);
}
if (out === undefined || files.length === 0) {
  process.stderr.write(
    'usage: node --import tsx bench/merge.ts --out DIR [--gzip] [--data-dir D] [--methods a,b] FILE...\n',
  );
  process.exit(2);
}
const trajectories: Trajectory[] = [];
let wallSeconds = 0;
const jobSeconds: Record<string, number> = {};
let workers = 1;
let seed = 0;
for (const f of files) {
  trajectories.push(...readTrajectories(f).filter((t) => methods?.has(t.method) ?? true));
  try {
    const raw = readJsonFile(f) as { meta?: unknown };
    const meta = raw.meta as BenchResult['meta'] | undefined;
    if (meta !== undefined) {
      wallSeconds += meta.wallSeconds;
      workers = meta.workers;
      seed = meta.seed;
      for (const [k, v] of Object.entries(meta.jobSeconds))
        if (methods?.has(k) ?? true) jobSeconds[k] = (jobSeconds[k] ?? 0) + v;
    }
  } catch {
    // Files from other tools carry no meta.
  }
}
// Duplicate (method, metric, seed) jobs would bias the statistics: keep the first.
const seen = new Set<string>();
const unique = trajectories.filter((t) => {
  const k = `${t.method}\u0000${t.metric}\u0000${t.seed}`;
  if (seen.has(k)) return false;
  seen.add(k);
  return true;
});
const name = unique[0]?.testbed ?? '';
const reference: Record<string, number> = {};
try {
  const tb = getTestbed(name, dataDir !== undefined ? { dataDir } : {});
  for (const m of new Set(unique.map((t) => t.metric))) {
    const r = tb.referenceOptimum?.(m);
    if (r !== undefined) reference[m] = r.value;
  }
} catch (err) {
  process.stderr.write(`no reference optima (${(err as Error).message}); regret omitted\n`);
}
const summary = summarize(unique, { reference });
const result: BenchResult = {
  trajectories: unique,
  summary,
  meta: { seed, workers, wallSeconds, jobSeconds },
};
const written = await writeResults(result, out, {
  gzip,
  costUnit: 'cost (100 steps of the 1B model)',
});
process.stdout.write(
  `merged ${unique.length} trajectories from ${files.length} file(s): ${written.join(', ')}\n`,
);
