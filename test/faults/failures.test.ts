/**
 * Faults where every attempt fails: a command that does not exist, a cluster
 * that refuses every submission.
 *
 * Invariant: `mixopt run` stops after `trials.maxConsecutiveFailures` failed
 * attempts in a row (exit 4) and prints the cause on every failure line; it
 * never reports such a run as a success.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import {
  type Executor,
  ExecutorError,
  parseStudyConfig,
  runStudy,
  SqliteStudyStore,
  Study,
} from '../../src/index.ts';
import { smallConfig, tempDir } from '../study/helpers.ts';
import { mixopt } from './helpers.ts';

function create(dir: string, over: Record<string, unknown>): string {
  const file = join(dir, 'study.yaml');
  writeFileSync(file, stringify(smallConfig({ name: 'fails', ...over })));
  return file;
}

describe('faults: every attempt fails', () => {
  it('a command that is not there: stops after 5 failures in a row, exit 4, the cause on every line', async () => {
    const dir = tempDir();
    const db = join(dir, 'mixopt.db');
    const file = create(dir, { executor: { kind: 'local', command: './no-such-train.sh' } });
    assert.equal((await mixopt(['study', 'create', file, '--db', db])).code, 0);
    const r = await mixopt(['run', '--db', db, '--max-trials', '100', '--poll-ms', '10']);
    assert.equal(r.code, 4, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => /^trial \d+: failed/.test(l));
    assert.equal(lines.length, 5, r.stderr);
    for (const l of lines)
      assert.match(l, /job exited with status 127; stderr tail: .*no-such-train\.sh: not found/);
    assert.match(
      r.stderr,
      /stopped after 5 failed attempts in a row \(trials\.maxConsecutiveFailures\); the last one: job exited with status 127; stderr tail: .*not found/,
    );
    const study = new Study(SqliteStudyStore.open(db, { mode: 'read' }), undefined);
    const attempts = study.trials().reduce((n, t) => n + t.attempts, 0);
    assert.equal(attempts, 5, 'five attempts were made, not hundreds');
  });

  it('--max-trials where every trial failed exits 4, not 0', async () => {
    const dir = tempDir();
    const db = join(dir, 'mixopt.db');
    const file = create(dir, {
      executor: { kind: 'local', command: 'echo "CUDA out of memory" >&2; exit 1' },
      trials: { leaseSeconds: 60, maxAttempts: 1, maxConsecutiveFailures: 10 },
    });
    assert.equal((await mixopt(['study', 'create', file, '--db', db])).code, 0);
    const r = await mixopt(['run', '--db', db, '--max-trials', '2', '--poll-ms', '10']);
    assert.equal(r.code, 4, r.stderr);
    assert.match(
      r.stderr,
      /trial 1: failed: job exited with status 1; stderr tail: CUDA out of memory/,
    );
    assert.match(r.stderr, /every trial of this run failed \(2\)/);
  });

  for (const parallel of [1, 3]) {
    it(`a cluster refusing every submission (parallel ${parallel}): the round does not end as 'exhausted'; stopped on the failures with the sbatch error`, async () => {
      const config = parseStudyConfig(smallConfig({ budget: 100 }));
      const study = Study.create(SqliteStudyStore.open(join(tempDir(), 'x.db')), config);
      const refuse = async (): Promise<never> => {
        throw new ExecutorError(
          'sbatch rejected job.sh (exit 1): sbatch: error: invalid partition specified: nosuch',
        );
      };
      const executor: Executor = {
        name: 'slurm',
        run: refuse,
        runBatch: refuse,
        poll: async () => ({ phase: 'running', points: [] }),
        cancel: async () => {},
      };
      const s = await runStudy(study, { executor, parallel, pollIntervalMs: 0 });
      assert.equal(s.stoppedBy, 'failures');
      // A batch fails as a whole: the streak may pass the limit by less than one batch.
      assert.ok(s.consecutiveFailures >= 5 && s.consecutiveFailures < 5 + parallel);
      assert.match(s.lastError ?? '', /invalid partition specified: nosuch/);
      assert.equal(s.spent, 0);
      assert.equal(s.completed, 0);
    });
  }
});
