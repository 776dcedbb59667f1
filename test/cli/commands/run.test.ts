import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import {
  createSimulatorExecutor,
  getTestbed,
  parseStudyConfig,
  runStudy,
  SqliteStudyStore,
  Study,
} from '../../../src/index.ts';
import { tempDir } from '../../study/helpers.ts';
import { cli, finished, spawnCli } from '../study-helpers.ts';

const law = getTestbed('law');
const TRAIN_SIM = new URL('../../../examples/train-sim.mjs', import.meta.url).pathname;

function lawStudy(over: Record<string, unknown>): Record<string, unknown> {
  return {
    name: 'e2e',
    domains: [...law.domains],
    scales: law.scales.map((s) => ({ name: s.name, params: s.params })),
    steps: { min: 100, max: 19700, logEvery: 100 },
    target: { scale: '1B', steps: 19700 },
    metric: { name: 'commoncrawl_cross_entropy', direction: 'minimize' },
    optimizer: { method: 'random' },
    seed: 11,
    ...over,
  };
}

function write(dir: string, config: Record<string, unknown>): string {
  const p = join(dir, 'study.yaml');
  writeFileSync(p, stringify(config));
  return p;
}

describe('mixopt run', () => {
  it('kill -9 mid-study, then the same command resumes: nothing lost, nothing run twice, same proposals', async () => {
    const dir = tempDir();
    const db = join(dir, 'mixopt.db');
    const config = lawStudy({
      budget: 500, // three 1B runs of 197 units
      executor: { kind: 'simulator', testbed: 'law', secondsPer1000Steps: 0.03 },
    });
    assert.equal((await cli('study', 'create', write(dir, config), '--db', db)).code, 0);

    const first = spawnCli(['run', '--db', db, '--poll-ms', '20']);
    const done = finished(first);
    let killed = false;
    first.stderr?.on('data', (d) => {
      if (!killed && /trial 2: launched/.test(String(d))) {
        killed = true;
        first.kill('SIGKILL');
      }
    });
    const r1 = await done;
    assert.equal(r1.signal, 'SIGKILL', `first run was not killed mid-study: ${r1.stderr}`);
    const store = SqliteStudyStore.open(db);
    const mid = new Study(store, undefined);
    const told = mid.points();
    assert.equal(mid.trial(1).state, 'completed');
    assert.equal(mid.trial(2).state, 'running', 'trial 2 was running when killed');

    const second = await finished(spawnCli(['run', '--db', db, '--poll-ms', '20']));
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /trial 2: re-attached to job sim-e2e-2-1/);
    assert.doesNotMatch(second.stderr, /trial [12]: launched/);

    const trials = mid.trials();
    assert.deepEqual(
      trials.map((t) => [t.id, t.state, t.attempts]),
      [
        [1, 'completed', 1],
        [2, 'completed', 1],
        [3, 'completed', 1],
      ],
    );
    // Every point told before the kill is still there, unchanged.
    const after = new Map(mid.points().map((p) => [`${p.trial}:${p.step}`, p.value]));
    for (const p of told) assert.equal(after.get(`${p.trial}:${p.step}`), p.value);
    assert.equal(mid.points().length, 3 * 197);

    // The same proposals as an uninterrupted study with the same seed.
    const ref = Study.create(
      SqliteStudyStore.open(join(tempDir(), 'ref.db')),
      parseStudyConfig(config),
    );
    await runStudy(ref, { executor: createSimulatorExecutor({ testbed: law }), pollIntervalMs: 0 });
    assert.deepEqual(
      trials.map((t) => [t.mixture, t.scale, t.steps]),
      ref.trials().map((t) => [t.mixture, t.scale, t.steps]),
    );
  });

  it('end to end: examples/train-sim.mjs through the local executor, to a recommendation', async () => {
    const dir = tempDir();
    const db = join(dir, 'mixopt.db');
    const config = lawStudy({
      name: 'local-e2e',
      scales: law.scales
        .filter((s) => ['20M', '1B'].includes(s.name))
        .map((s) => ({ name: s.name, params: s.params })),
      target: { scale: '1B', steps: 2000 },
      steps: { min: 100, max: 2000, logEvery: 100 },
      executor: { kind: 'local', command: `node ${TRAIN_SIM} --testbed law`, timeoutSeconds: 120 },
    });
    assert.equal((await cli('study', 'create', write(dir, config), '--db', db)).code, 0);
    const run = await cli(
      'run',
      '--db',
      db,
      '--max-trials',
      '3',
      '--parallel',
      '3',
      '--poll-ms',
      '50',
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /run max-trials: 3 launched, 0 re-attached, 3 completed, 0 failed/);
    const rec = await cli('recommend', '--db', db, '--json');
    assert.equal(rec.code, 0, rec.stderr);
    const r = JSON.parse(rec.stdout);
    const study = new Study(SqliteStudyStore.open(db), undefined);
    const best = study.status().bestAtTarget;
    assert.ok(best);
    assert.deepEqual(r.mixture, best.mixture);
    assert.equal(
      best.value,
      law.evaluate(best.mixture, '1B', 2000, 'commoncrawl_cross_entropy'),
      'the value told by the job is the testbed value',
    );
    assert.equal(r.restsOn.length, 3);
  });
});
