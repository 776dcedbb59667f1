// The scoreboard's measures against hand-computed step functions (src/bench/scoreboard.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  anytimeRegret,
  buildScoreboard,
  regretOf,
  regretRatio,
  scoreboardMarkdown,
  scoreCase,
  summarize,
  type Trajectory,
  worstRegression,
} from '../../src/bench/index.ts';
import { handTrajectory } from './hand-trajectory.ts';

const close = (a: number, b: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= 1e-12, `${what}: ${a} != ${b}`);

/** A trajectory whose recommendation has `value` from charged cost `x` on (target cost 1, budget 10). */
const traj = (method: string, seed: number, pts: [number, number][]): Trajectory =>
  handTrajectory(method, seed, pts, { budget: 10, targetCost: 1, metric: 'loss' });

describe('regret, anytime regret and regression of a step function', () => {
  // r(x) = 0.5 on [1, 3), 0.2 on [3, 6), 0.4 from 6; before 1 the uniform mixture's regret 1.
  const r = { xs: [1, 3, 6], values: [0.5, 0.2, 0.4] };
  it('regret is the directional gap to the reference, never negative', () => {
    assert.equal(regretOf('minimize', 1.5, 1), 0.5);
    assert.equal(regretOf('maximize', 0.7, 0.9), 0.9 - 0.7);
    assert.equal(regretOf('minimize', 0.9, 1), 0);
  });
  it('anytime regret is the step-function integral over [from, to] / (to - from)', () => {
    // (0.5·1 + 0.2·3 + 0.4·4) / 8
    close(anytimeRegret(r, 2, 10, 1), 2.7 / 8, 'from 2 to 10');
    // before the first point the fallback (1) holds: (1·1 + 0.5·1) / 2
    close(anytimeRegret(r, 0, 2, 1), 0.75, 'from 0 to 2');
    // an interval inside one step
    close(anytimeRegret(r, 3.5, 5, 1), 0.2, 'inside a step');
    // an empty interval: the value at its end
    assert.equal(anytimeRegret(r, 5, 5, 1), 0.2);
  });
  it('regression is the largest rise above the best so far, counted from `from`', () => {
    close(worstRegression(r, 0), 0.2, 'from 0');
    const up = { xs: [1, 3, 6], values: [0.5, 0.9, 0.1] };
    close(worstRegression(up, 0), 0.4, 'rise to 0.9 above 0.5');
    // from 4 the step [3, 6) at 0.9 is still in force
    close(worstRegression(up, 4), 0.4, 'step in force at 4');
    // from 6.5 only the final 0.1 counts, below the best so far
    assert.equal(worstRegression(up, 6.5), 0);
    assert.equal(worstRegression({ xs: [], values: [] }, 0), 0);
  });
  it('ratios: 0/0 is 1, x/0 is infinite', () => {
    assert.equal(regretRatio(0, 0), 1);
    assert.equal(regretRatio(1, 0), Number.POSITIVE_INFINITY);
    assert.equal(regretRatio(1, 4), 0.25);
  });
});

describe('scoreCase and buildScoreboard on hand-made trajectories', () => {
  // reference 1.0, uniform value 2.0 (r_u = 1), target cost 1, budget 10, so anytime is over [2, 10].
  const a = [
    traj('a', 0, [
      [1, 1.5],
      [3, 1.2],
      [6, 1.4],
    ]),
    traj('a', 1, [[0.5, 1.1]]),
  ];
  const hb = [traj('hyperband', 0, [[1, 1.5]]), traj('hyperband', 1, [[1, 1.5]])];
  const rnd = [traj('random', 0, [[4, 1.3]]), traj('random', 1, [[4, 1.3]])];
  const ts = [...a, ...hb, ...rnd];
  const info = { id: 'hand/loss', testbed: 'hand', metric: 'loss', reference: 1, uniformValue: 2 };
  const one = scoreCase(ts, { ...info, summary: summarize(ts) });
  it('per method: final, anytime, regression and its share of the uniform regret', () => {
    const s = one.methods['a'];
    assert.ok(s !== undefined);
    assert.equal(one.uniformRegret, 1);
    assert.deepEqual(s.perSeed.seed, [0, 1]);
    close(s.perSeed.anytime[0] as number, 2.7 / 8, 'seed 0 anytime');
    close(s.perSeed.anytime[1] as number, 0.1, 'seed 1 anytime');
    close(s.anytimeRegret.mean, (2.7 / 8 + 0.1) / 2, 'mean anytime');
    close(s.finalRegret.mean, 0.25, 'mean final');
    close(s.worstRegression, 0.2, 'worst regression');
    close(s.worstRegressionRelative as number, 0.2, 'relative');
    // random: regret 1 (uniform) on [2, 4), then 0.3: (2 + 1.8) / 8
    close(one.methods['random']?.anytimeRegret.mean as number, 3.8 / 8, 'random anytime');
  });
  it('per-seed median sustained speedups come from the summary', () => {
    // seed 0: both stay at or below hyperband's 1.5 from x = 1 (1x); seed 1: a from 0.5 (2x).
    assert.equal(one.methods['a']?.speedup['hyperband'], 1.5);
  });
  it('aggregates: median ratios, wins (ties count for each), targets', () => {
    // second case: a ties hyperband exactly; random is worse.
    const tie = [
      traj('a', 0, [[1, 1.5]]),
      traj('a', 1, [[1, 1.5]]),
      traj('hyperband', 0, [[1, 1.5]]),
      traj('hyperband', 1, [[1, 1.5]]),
      traj('random', 0, [[1, 1.9]]),
      traj('random', 1, [[1, 1.9]]),
    ];
    const two = scoreCase(tie, { ...info, id: 'tie/loss', summary: summarize(tie) });
    const sb = buildScoreboard([one, two], { suite: 'hand', seeds: 2, subject: 'a' });
    const r = sb.ratios['a']?.['hyperband'];
    // anytime ratios 0.21875/0.5 and 1; median of two = their mean
    close(r?.anytime as number, (0.21875 / 0.5 + 1) / 2, 'median anytime ratio');
    close(r?.final as number, (0.5 + 1) / 2, 'median final ratio');
    assert.deepEqual(sb.wins['a'], { final: 2, anytime: 2 });
    assert.deepEqual(sb.wins['hyperband'], { final: 1, anytime: 1 });
    assert.deepEqual(sb.wins['random'], { final: 0, anytime: 0 });
    const t = Object.fromEntries(sb.targets.map((x) => [x.id, x]));
    assert.equal(t['final']?.pass, true);
    // anytime <= 0.5x hyperband: case one yes (0.4375), the tie no: 50% < 80%
    assert.equal(t['anytime']?.value, 0.5);
    assert.equal(t['anytime']?.pass, false);
    assert.match(t['anytime']?.detail ?? '', /not on tie\/loss/);
    // per-seed medians 1.5 and 1: median 1.25 < 2
    close(t['speedup']?.value as number, 1.25, 'speedup target');
    assert.equal(t['speedup']?.pass, false);
    close(t['regression']?.value as number, 0.2, 'regression target');
    assert.equal(t['regression']?.pass, true);
    const md = scoreboardMarkdown(sb);
    assert.match(
      md,
      /\| a's mean final regret <= hyperband's and <= random's on every case \| 100% of cases \| 100% \| PASS/,
    );
    assert.match(md, /\| tie\/loss \| \*\*0\.5000\*\* \| \*\*0\.5000\*\* \| 0\.9000 \|/);
  });
  it('targets are n/a without the baselines they need', () => {
    const sb = buildScoreboard([scoreCase(a, info)], { suite: 'hand', seeds: 2, subject: 'a' });
    const t = Object.fromEntries(sb.targets.map((x) => [x.id, x]));
    assert.equal(t['final']?.pass, null);
    assert.equal(t['anytime']?.pass, null);
    assert.equal(t['regression']?.pass, true);
  });
});
