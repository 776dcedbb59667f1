/**
 * Per-seed reading of one benchmark result (a `bench.json[.gz]` that `mixopt bench --out` or a
 * suite case folder holds): for each seed of a method, its runs, final regret, worst regression
 * (the scoreboard's definitions, src/bench/scoreboard.ts) and the cost it spent per size; with
 * `--seed`, every change of its recommendation, with the regret of the new one, its L1 distance
 * to the nearest mixture proposed so far, that point's run included (a recommendation far from
 * every run is an extrapolation), and the run proposed at that point.
 *
 * Usage: node --import tsx bench/trajectories.ts <DIR/cases/<case>/bench.json.gz> [--method mfms-bo]
 *          [--seed N] [--metric NAME] [--reference R (default: the file's reference optimum)]
 */
import {
  readJsonFile,
  readTrajectories,
  regretOf,
  stepFunction,
  type Trajectory,
  worstRegression,
} from '../src/bench/index.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (file === undefined) {
  console.error(
    'usage: node --import tsx bench/trajectories.ts BENCH.json[.gz] [--method M] [--seed N]',
  );
  process.exit(2);
}
const method = opt('method') ?? 'mfms-bo';
const seedArg = opt('seed');
const all = readTrajectories(file).filter((t) => t.method === method);
if (all.length === 0) {
  console.error(`no trajectories of method '${method}' in ${file}`);
  process.exit(1);
}
const metric = opt('metric') ?? (all[0] as Trajectory).metric;
const summary = (readJsonFile(file) as { summary?: { reference?: Record<string, number> } })
  .summary;
const reference = Number(opt('reference') ?? summary?.reference?.[metric] ?? Number.NaN);
if (!Number.isFinite(reference)) {
  console.error(`no reference optimum for '${metric}' in ${file}: pass --reference`);
  process.exit(1);
}
const l1 = (a: readonly number[], b: readonly number[]): number =>
  a.reduce((s, x, i) => s + Math.abs(x - (b[i] as number)), 0);
const fmt = (w: readonly number[]): string => w.map((x) => x.toFixed(2)).join(' ');

for (const t of all.filter((x) => x.metric === metric)) {
  if (seedArg !== undefined && t.seed !== Number(seedArg)) continue;
  const regret = (v: number) => regretOf(t.direction, v, reference);
  const r = stepFunction(t.points.map((p) => ({ x: p.x, value: regret(p.value) })));
  const spent = new Map<string, number>();
  const runs = new Map<string, number>();
  for (const p of t.points) {
    spent.set(p.proposal.scale, (spent.get(p.proposal.scale) ?? 0) + p.cost);
    runs.set(p.proposal.scale, (runs.get(p.proposal.scale) ?? 0) + 1);
  }
  const last = t.points[t.points.length - 1];
  const by = [...spent].map(([s, c]) => `${s} ${runs.get(s)} runs / ${c.toFixed(0)}`).join(', ');
  console.log(
    `seed ${t.seed}: ${t.points.length} runs, final regret ${last === undefined ? '-' : regret(last.value).toFixed(4)}, worst regression ${worstRegression(r, 2 * t.targetCost).toFixed(4)}; spent per size: ${by}`,
  );
  if (seedArg === undefined) continue;
  const seen: number[][] = [];
  let prev: readonly number[] | undefined;
  for (const p of t.points) {
    seen.push([...p.proposal.mixture]);
    const rec = p.recommended;
    if (prev === undefined || l1(rec, prev) > 0) {
      const near = Math.min(...seen.map((w) => l1(rec, w)));
      console.log(
        `  x ${p.x.toFixed(1).padStart(8)} regret ${regret(p.value).toFixed(4)} rec ${fmt(rec)} | L1 to nearest proposed ${near.toFixed(2)} | proposed ${p.proposal.scale}@${p.proposal.steps}`,
      );
    }
    prev = rec;
  }
}
