import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import {
  isPeerMethod,
  optunaStatus,
  type PeerLog,
  peerLogToTrajectory,
  runPeers,
} from '../../src/bench/index.ts';
import { DataError, ValidationError } from '../../src/core/index.ts';
import { getTestbed } from '../../src/testbeds/index.ts';

const tb = getTestbed('law');
const metric = 'c4_cross_entropy';
const A = [0.5, 0.2, 0.1, 0.1, 0.1];
const B = [0.1, 0.1, 0.1, 0.2, 0.5];

/** A driver log: B at 900 steps (cost 9), A at the target (197), then A again recommended. */
function log(): PeerLog {
  return {
    method: 'optuna-hyperband',
    testbed: 'law',
    metric,
    seed: 0,
    optimizerSeed: 7,
    budget: 300,
    runs: [
      {
        run: 0,
        proposal: { mixture: B, scale: '1B', steps: 900 },
        cost: 9,
        spent: 9,
        observed: 3,
        recommended: B,
        confirm: true,
      },
      {
        run: 1,
        proposal: { mixture: A, scale: '1B', steps: 19700 },
        cost: 197,
        spent: 206,
        observed: 2,
        recommended: A,
        confirm: false,
      },
    ],
  };
}

describe('peer methods', () => {
  it('names the Optuna peers only', () => {
    assert.equal(isPeerMethod('optuna-tpe'), true);
    assert.equal(isPeerMethod('optuna-hyperband'), true);
    assert.equal(isPeerMethod('mfms-bo'), false);
  });
});

describe('peerLogToTrajectory', () => {
  it('charges the confirmation run unless the recommendation is a completed target run, and scores the truth', () => {
    const t = peerLogToTrajectory(tb, log());
    assert.equal(t.targetCost, 197);
    assert.equal(t.direction, 'minimize');
    const [p0, p1] = t.points;
    assert.ok(p0 !== undefined && p1 !== undefined);
    assert.equal(p0.confirm, true);
    assert.equal(p0.x, 9 + 197);
    assert.equal(p0.value, tb.evaluate(B, '1B', 19700, metric));
    assert.equal(p1.confirm, false);
    assert.equal(p1.x, 206);
    assert.equal(p1.value, tb.evaluate(A, '1B', 19700, metric));
    assert.notEqual(p0.value, p1.value);
  });

  it('rejects a log whose spent is not the running sum, that exceeds the budget, or lies about confirm', () => {
    const bad1 = log();
    (bad1.runs[1] as { spent: number }).spent = 205;
    assert.throws(() => peerLogToTrajectory(tb, bad1), DataError);
    const bad2 = { ...log(), budget: 200 };
    assert.throws(() => peerLogToTrajectory(tb, bad2), /exceeds the budget 200/);
    const bad3 = log();
    (bad3.runs[0] as { confirm: boolean }).confirm = false;
    assert.throws(() => peerLogToTrajectory(tb, bad3), /is not a completed target run/);
    const bad4 = log();
    (bad4.runs[0] as { cost: number }).cost = 10; // c(1B, 900) = 9
    assert.throws(() => peerLogToTrajectory(tb, bad4), /cost 10 is not within/);
  });

  it('rejects an invalid mixture as a DataError', () => {
    const bad = log();
    (bad.runs[0] as { recommended: number[] }).recommended = [0.5, 0.5, 0.5, 0, 0];
    assert.throws(() => peerLogToTrajectory(tb, bad), DataError);
  });
});

describe('runPeers', () => {
  it('is skipped with a message naming the install when the interpreter lacks optuna', async () => {
    const r = await runPeers({
      testbed: { name: 'law' },
      methods: ['optuna-tpe'],
      metrics: [metric],
      seeds: 1,
      python: '/nonexistent/python3',
    });
    assert.equal(r.trajectories.length, 0);
    assert.match(r.skipped ?? '', /optuna-tpe.*does not exist/);
  });

  it('refuses a non-peer method', async () => {
    await assert.rejects(
      runPeers({ testbed: { name: 'law' }, methods: ['random'], metrics: [metric], seeds: 1 }),
      ValidationError,
    );
  });

  const status = optunaStatus();
  it('runs the Optuna driver on the law testbed on a tiny budget (TPE at the target, Hyperband on steps)', {
    skip: status.available ? false : `optuna unavailable: ${status.reason}`,
    timeout: 120_000,
  }, async () => {
    const budget = 450;
    const r = await runPeers({
      testbed: { name: 'law' },
      methods: ['optuna-tpe', 'optuna-hyperband'],
      metrics: [metric],
      seeds: 1,
      budget,
    });
    assert.equal(r.skipped, undefined);
    assert.equal(r.trajectories.length, 2);
    const [tpe, hb] = r.trajectories;
    assert.ok(tpe !== undefined && hb !== undefined);
    assert.equal(tpe.error, undefined);
    assert.equal(hb.error, undefined);
    // TPE: only full target runs, floor(450 / 197) = 2 of them, each confirmed by itself.
    assert.deepEqual(
      tpe.points.map((p) => [p.proposal.steps, p.cost, p.confirm]),
      [
        [19700, 197, false],
        [19700, 197, false],
      ],
    );
    // Hyperband: a run stopped part-way is charged c(1B, steps) = steps / 100 (law's cost at 1B).
    const spent = hb.points.at(-1)?.spent ?? 0;
    assert.ok(spent <= budget && spent > 197, `spent ${spent}`);
    assert.ok(hb.points.some((p) => p.proposal.steps < 19700));
    for (const p of hb.points) {
      assert.ok(Math.abs(p.cost - tb.cost('1B', p.proposal.steps)) < 1e-9);
      assert.equal(p.value, tb.evaluate(p.recommended, '1B', 19700, metric));
    }
    // Reproducible for a seed (the sampler's seed, and a fixed study name for Hyperband's brackets).
    // At a budget of 1,000 a generated study name changed the result in 3 of 3 runs.
    const twice = async () =>
      (
        await runPeers({
          testbed: { name: 'law' },
          methods: ['optuna-hyperband'],
          metrics: [metric],
          seeds: 1,
          budget: 1000,
        })
      ).trajectories[0];
    assert.deepEqual(await twice(), await twice());
    // The recommendation at the end is the best completed target run by the metric.
    const best = Math.min(
      ...hb.points
        .filter((p) => p.proposal.steps === 19700)
        .map((p) => tb.evaluate(p.proposal.mixture, '1B', 19700, metric)),
    );
    assert.equal(hb.points.at(-1)?.value, best);
  });
});

describe('mixopt bench with peer methods', () => {
  const status = optunaStatus();
  it('includes optuna-tpe in the summary next to a mixopt method', {
    skip: status.available ? false : `optuna unavailable: ${status.reason}`,
    timeout: 120_000,
  }, () => {
    const r = spawnSync(
      process.execPath,
      [
        'scripts/mixopt-dev.mjs',
        'bench',
        '--testbed',
        'law',
        '--methods',
        'random,optuna-tpe',
        '--metrics',
        metric,
        '--seeds',
        '1',
        '--budget',
        '400',
        '--workers',
        '1',
        '--json',
        '--quiet',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      methods: string[];
      runs: Record<string, { meanRuns: number; meanSpent: number }>;
    };
    assert.deepEqual([...s.methods].sort(), ['optuna-tpe', 'random']);
    // Two full target runs fit in 400 (197 each) for both methods.
    assert.equal(s.runs['optuna-tpe']?.meanRuns, 2);
    assert.equal(s.runs['optuna-tpe']?.meanSpent, 394);
  });
});
