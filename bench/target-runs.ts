/**
 * Search or selection? For each case of a stored `full` suite run (`mixopt bench --suite full
 * --out DIR`, which keeps each case's `bench.json.gz`), a method's mean final regret beside the
 * mean of the best true regret among the mixtures it trained to the target (size and steps),
 * and how many such runs it made. A final regret near that best means the recommendation picks
 * well among the target runs and the search is what limits it; a final regret well above it
 * means the pick does.
 *
 * Usage: node --import tsx bench/target-runs.ts DIR [--method mfms-bo]
 *   (data: MIXOPT_DATA or ../shared/testbeds, as for the suite)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  caseRef,
  FULL_SUITE,
  readJsonFile,
  readTrajectories,
  regretOf,
  resolveTestbed,
} from '../src/bench/index.ts';

const args = process.argv.slice(2);
const dir = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const mi = args.indexOf('--method');
const method = mi >= 0 ? (args[mi + 1] ?? 'mfms-bo') : 'mfms-bo';
if (dir === undefined) {
  console.error('usage: node --import tsx bench/target-runs.ts DIR [--method M]');
  process.exit(2);
}

console.log(`| case | final regret | best target run | target runs |\n|---|---:|---:|---:|`);
for (const kase of FULL_SUITE.cases) {
  const file = join(dir, 'cases', kase.id.replace(/[/+]/g, '_'), 'bench.json.gz');
  if (!existsSync(file)) continue;
  const bench = readJsonFile(file) as { summary: { reference: Record<string, number> } };
  const ref = bench.summary.reference[kase.metric];
  if (ref === undefined) continue;
  const testbed = await resolveTestbed(caseRef(kase));
  const { scale, steps } = testbed.target;
  const trajectories = readTrajectories(file).filter(
    (t) => t.method === method && t.metric === kase.metric,
  );
  if (trajectories.length === 0) continue;
  let final = 0;
  let best = 0;
  let count = 0;
  for (const t of trajectories) {
    const last = t.points.at(-1);
    if (last === undefined) continue;
    const r = regretOf(t.direction, last.value, ref);
    const runs = t.points.filter((p) => p.proposal.scale === scale && p.proposal.steps === steps);
    const regrets = runs.map((p) =>
      regretOf(t.direction, testbed.evaluate(p.proposal.mixture, scale, steps, kase.metric), ref),
    );
    final += r;
    best += regrets.length > 0 ? Math.min(...regrets) : r;
    count += runs.length;
  }
  const n = trajectories.length;
  console.log(
    `| ${kase.id} | ${(final / n).toFixed(4)} | ${(best / n).toFixed(4)} | ${(count / n).toFixed(1)} |`,
  );
}
