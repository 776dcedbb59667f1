import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  createSimulatorExecutor,
  getTestbed,
  hasSurrogateView,
  normCdf,
  parseStudyConfig,
  recommendStudy,
  runStudy,
  SqliteStudyStore,
  Study,
} from '../internals.ts';
import { lawConfig, tempDir } from './helpers.ts';

/** A small mfms-bo study on the law testbed, run by the simulator executor. */
async function lawStudy(): Promise<Study> {
  const law = getTestbed('law');
  const config = parseStudyConfig(
    lawConfig({
      name: 'law-surrogate',
      budget: 20,
      optimizer: { method: 'mfms-bo', settings: { initial: 8 } },
      seed: 4,
    }),
  );
  const study = Study.create(SqliteStudyStore.open(join(tempDir(), 'law.db')), config);
  await runStudy(study, {
    executor: createSimulatorExecutor({ testbed: law, secondsPer1000Steps: 0 }),
    pollIntervalMs: 0,
  });
  return study;
}

describe('recommendStudy with the mfms-bo surrogate (law testbed)', () => {
  it('predicted ladder, one best mixture per scale; P(beats runner-up) from the joint posterior', async () => {
    const study = await lawStudy();
    const r = recommendStudy(study)!;
    const config = study.config;
    assert.deepEqual(r.notes, []);
    assert.equal(r.ladderPredicted, true);
    assert.deepEqual(
      r.ladder.map((l) => l.scale),
      config.scales.map((s) => s.name),
    );
    for (const l of r.ladder) {
      assert.equal(l.source, 'predicted');
      assert.equal(l.steps, 19700);
      assert.ok(Math.abs(l.mixture.reduce((a, b) => a + b, 0) - 1) < 1e-9);
      assert.ok(l.predicted !== undefined && l.predicted.lower < l.predicted.upper);
    }
    // The target rung is the recommendation itself.
    assert.deepEqual(r.ladder.at(-1)!.mixture, r.mixture);
    assert.ok(r.predicted !== undefined && r.runnerUp?.predicted !== undefined);

    // P = Phi(d / sqrt(s1^2 + s2^2 - 2 c12)), recomputed from the surrogate's joint posterior.
    const p = r.probBeatsRunnerUp!;
    assert.ok(p > 0 && p < 1, `P = ${p}`);
    assert.match(r.probBasis!, /posterior covariance/);
    const opt = study.optimizer();
    assert.ok(hasSurrogateView(opt) && opt.predictJoint !== undefined);
    const j = opt.predictJoint(study.history(), [r.mixture, r.runnerUp.mixture], config.target)!;
    const [a, b] = j.predictions;
    const c12 = j.covariance[1]!;
    const expected = normCdf((b!.mean - a!.mean) / Math.sqrt(a!.std ** 2 + b!.std ** 2 - 2 * c12));
    assert.ok(Math.abs(p - expected) < 1e-12, `${p} vs ${expected}`);
    // The correlation matters: the independent-normals value is different.
    const indep = normCdf((b!.mean - a!.mean) / Math.sqrt(a!.std ** 2 + b!.std ** 2));
    assert.ok(c12 !== 0 && Math.abs(p - indep) > 1e-6, `c12 ${c12}: ${p} vs ${indep}`);
  });
});
