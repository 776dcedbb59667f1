// The trajectory format (src/bench/trajectory.ts) as the harness writes it:
// every documented invariant of a point (run, cost, spent, x, confirm,
// value) checked on real jobs of the toy testbed, and the JSON round trip of
// a `{ "trajectories": [...] }` file.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readTrajectories, simulateJob, type Trajectory } from '../../src/bench/index.ts';
import { toyTestbed } from './toy-testbed.ts';

const job = (method: string, metric = 'loss'): Trajectory =>
  simulateJob(toyTestbed, { method, metric, seed: 0, optimizerSeed: 7, budget: 25 });

/** Is there a completed target run of this mixture among the points so far? */
function targetRunOf(t: Trajectory, upTo: number, w: readonly number[]): boolean {
  return t.points
    .slice(0, upTo + 1)
    .some(
      (p) =>
        p.proposal.scale === toyTestbed.target.scale &&
        p.proposal.steps === toyTestbed.target.steps &&
        p.proposal.mixture.every((x, i) => x === w[i]),
    );
}

describe('trajectory points', () => {
  for (const [method, metric] of [
    ['hyperband', 'loss'],
    ['random', 'acc'],
  ] as const) {
    it(`${method} (${metric}): run, cost, spent, x, confirm and value follow the format`, () => {
      const t = job(method, metric);
      assert.equal(t.error, undefined);
      assert.equal(t.testbed, 'toy');
      assert.equal(t.direction, metric === 'loss' ? 'minimize' : 'maximize');
      assert.equal(t.targetCost, 10, 'one L run of 1000 steps costs 10');
      assert.ok(t.points.length > 0);
      let spent = 0;
      let continued = 0;
      t.points.forEach((p, i) => {
        assert.equal(p.run, i, 'sequential runs in order');
        const { mixture, scale, steps } = p.proposal;
        // a continuation (of run `r<index>`) is charged only its extra steps
        const from = p.proposal.continues;
        const parentSteps =
          from === undefined ? 0 : t.points.find((q) => `r${q.run}` === from)!.proposal.steps;
        assert.ok(
          Math.abs(p.cost - (toyTestbed.cost(scale, steps) - toyTestbed.cost(scale, parentSteps))) <
            1e-12,
          `cost of run ${i}`,
        );
        continued += from === undefined ? 0 : 1;
        spent += p.cost;
        assert.ok(Math.abs(p.spent - spent) < 1e-9, `spent after run ${i}`);
        assert.equal(p.confirm, !targetRunOf(t, i, p.recommended), `confirm at run ${i}`);
        assert.equal(p.x, p.spent + (p.confirm ? t.targetCost : 0));
        // the TRUE target value of the recommended mixture
        assert.equal(p.value, toyTestbed.evaluate(p.recommended, 'L', 1000, metric));
        assert.equal(mixture.length, 3);
      });
      assert.ok(spent <= t.budget + 1e-9);
      if (method === 'hyperband') assert.ok(continued > 0, 'hyperband continues runs');
      assert.deepEqual(JSON.parse(JSON.stringify(t)), t, 'plain JSON');
    });
  }

  it('hyperband charges confirmation runs while its recommendation is a small run', () => {
    const t = job('hyperband');
    assert.ok(t.points.some((p) => p.confirm));
    assert.ok(
      job('random').points.every((p) => !p.confirm),
      'random only runs the target',
    );
  });
});

describe('trajectory files', () => {
  it('{ "trajectories": [...] } written by another tool reads back unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixopt-traj-'));
    const ts = [job('random'), job('hyperband')];
    const path = join(dir, 'peer.json');
    writeFileSync(path, JSON.stringify({ trajectories: ts }));
    assert.deepEqual(readTrajectories(path), ts);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ runs: [] }));
    assert.throws(() => readTrajectories(bad), /has no "trajectories" array/);
  });
});
