// The scoreboard's Markdown and chart (src/bench/scoreboard-report.ts) on hand-made trajectories.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildScoreboard,
  scoreboardChartSpec,
  scoreboardMarkdown,
  scoreCase,
  type Trajectory,
} from '../../src/bench/index.ts';
import { handTrajectory } from './hand-trajectory.ts';

/** Target cost 1, budget 10: anytime regret is the mean regret over charged cost [2, 10]. */
const traj = (method: string, seed: number, value: number, error?: string): Trajectory => ({
  ...handTrajectory(method, seed, [[1, value]], { budget: 10, targetCost: 1, metric: 'loss' }),
  ...(error !== undefined ? { error } : {}),
});
// Reference 1, uniform mixture 2: regret = value − 1, and the uniform mixture's regret is 1.
const info = { testbed: 't', metric: 'loss', reference: 1, uniformValue: 2 };
// c1: a has regret 0.25, hyperband 0.5, random 0 (one of its seeds failed); c2: a alone, 0.5.
const c1 = scoreCase(
  [
    traj('a', 0, 1.25),
    traj('a', 1, 1.25),
    traj('hyperband', 0, 1.5),
    traj('hyperband', 1, 1.5),
    traj('random', 0, 1),
    traj('random', 1, 1, 'boom'),
  ],
  { ...info, id: 'c1' },
);
const c2 = scoreCase([traj('a', 0, 1.5), traj('a', 1, 1.5)], { ...info, id: 'c2' });
const sb = buildScoreboard([c1, c2], {
  suite: 'hand',
  seeds: 2,
  subject: 'a',
  skipped: [{ id: 'c9', reason: 'data missing' }],
});

interface ChartSpec {
  title: { text: string };
  layer: { data: { values: unknown[] } }[];
}

describe('scoreboardChartSpec', () => {
  it("plots each method's anytime regret / the baseline's per case; zero at 0.001; cases without the baseline left out", () => {
    const spec = scoreboardChartSpec(sb) as unknown as ChartSpec;
    assert.equal(spec.title.text, "suite hand: anytime regret / hyperband's");
    assert.deepEqual(spec.layer[0]?.data.values, [
      { case: 'c1', method: 'a', ratio: 0.5 },
      { case: 'c1', method: 'random', ratio: 1e-3 },
    ]);
    // Parity at 1 and the target at 0.5 as rules.
    assert.deepEqual(spec.layer[1]?.data.values, [{ x: 1 }]);
    assert.deepEqual(spec.layer[2]?.data.values, [{ x: 0.5 }]);
    // A baseline with zero regret gives no finite ratio: nothing is drawn.
    const vsRandom = scoreboardChartSpec(sb, 'random') as unknown as ChartSpec;
    assert.deepEqual(vsRandom.layer[0]?.data.values, []);
  });
});

describe('scoreboardMarkdown', () => {
  const md = scoreboardMarkdown(sb);
  it('tables per case: lowest mean regret in bold, "-" where a method did not run', () => {
    assert.match(
      md,
      /^# Scoreboard: suite `hand`\n\n2 case\(s\) x 2 seed\(s\); methods a, hyperband, random; targets checked for `a`\.\n/,
    );
    const anytime = md.split('## Anytime regret per case')[1] ?? '';
    assert.match(anytime, /\n\| c1 \| 0\.2500 \| 0\.5000 \| \*\*0\.0000\*\* \|\n/);
    assert.match(anytime, /\n\| c2 \| \*\*0\.5000\*\* \| - \| - \|\n/);
    assert.match(
      md,
      /\n\| c1 \| 0\.2500 \+- 0\.0000 \| 0\.5000 \+- 0\.0000 \| \*\*0\.0000 \+- 0\.0000\*\* \|\n/,
    );
    assert.match(md, /\n\| a \| 1 \| 1 \|\n\| hyperband \| 0 \| 0 \|\n\| random \| 1 \| 1 \|\n/);
    assert.match(md, /\n\| c1 \| t \| loss \| - \| 10\.0 \| 1\.00 \| 1\.0000 \| 1\.0000 \|\n/);
  });

  it('lists failed jobs and skipped cases', () => {
    assert.match(
      md,
      /## Failed jobs\n\n- c1 \/ random: 1 seed\(s\) failed \(see the case's summary\.md\)\n/,
    );
    assert.match(md, /## Skipped cases\n\n- c9: data missing\n$/);
    const clean = buildScoreboard([c2], { suite: 'hand', seeds: 2, subject: 'a' });
    assert.doesNotMatch(scoreboardMarkdown(clean), /Failed jobs|Skipped cases/);
  });

  it('shows the command and the wall time (seconds under 2 minutes, else minutes)', () => {
    const a = scoreboardMarkdown(sb, { command: 'mixopt bench --suite dev', wallSeconds: 45 });
    assert.match(a, /; wall time of this invocation 45 s on 1 worker\(s\) /);
    assert.match(a, /\n```sh\nmixopt bench --suite dev\n```\n/);
    const b = scoreboardMarkdown(sb, { wallSeconds: 180, workers: 4 });
    assert.match(b, /; wall time of this invocation 3\.0 min on 4 worker\(s\) /);
    assert.doesNotMatch(md, /wall time|```sh/);
  });
});
