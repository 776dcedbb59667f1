/**
 * Fault injection: `mixopt run` killed with SIGKILL at the launch, tell and
 * commit points (MIXOPT_FAULT_KILL_AT, src/core/crash-points.ts), then run
 * again with the same command.
 *
 * Invariants: no told point lost or changed; no trial run twice (each
 * trial's job folder holds the lines of one process); no trial left running;
 * no process of any job left; the database passes SQLite's integrity check.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { groupMembers } from '../../src/executors/process.ts';
import { SqliteStudyStore, Study } from '../../src/index.ts';
import { smallConfig, tempDir } from '../study/helpers.ts';
import { CURVE_JOB, mixopt } from './helpers.ts';

function setup(): { dir: string; db: string } {
  const dir = tempDir();
  const db = join(dir, 'mixopt.db');
  const config = smallConfig({
    name: 'crash',
    steps: { min: 100, max: 400, logEvery: 100 },
    target: { scale: '1B', steps: 400 },
    executor: { kind: 'local', command: CURVE_JOB },
  });
  writeFileSync(join(dir, 'study.yaml'), stringify(config));
  return { dir, db };
}

for (const point of ['launch', 'launch:2', 'tell:2', 'commit:4', 'commit:7']) {
  describe(`faults: mixopt run killed at ${point}`, () => {
    it('resumes with nothing lost, nothing run twice, nothing left running', async () => {
      const { dir, db } = setup();
      assert.equal(
        (await mixopt(['study', 'create', join(dir, 'study.yaml'), '--db', db])).code,
        0,
      );
      const run = ['run', '--db', db, '--max-trials', '3', '--poll-ms', '20'];
      const killed = await mixopt(run, { MIXOPT_FAULT_KILL_AT: point });
      assert.equal(killed.signal, 'SIGKILL', `not killed at ${point}: ${killed.stderr}`);
      const store = SqliteStudyStore.open(db);
      const study = new Study(store, undefined);
      const told = study.points();

      const again = await mixopt(run);
      assert.equal(again.code, 0, again.stderr);
      const trials = study.trials();
      assert.ok(trials.length >= 3);
      for (const t of trials) assert.deepEqual([t.id, t.state, t.attempts], [t.id, 'completed', 1]);
      // No told point lost or changed.
      const now = new Map(study.points().map((p) => [`${p.trial}@${p.step}`, p.value]));
      for (const p of told) assert.equal(now.get(`${p.trial}@${p.step}`), p.value);
      // Whole curves, each from one process; no job process left.
      const jobs = join(dir, 'crash.jobs');
      assert.deepEqual(readdirSync(jobs).sort(), trials.map((t) => `crash-t${t.id}-a1`).sort());
      for (const t of trials) {
        const steps = study.points(t.id).map((p) => p.step);
        assert.deepEqual(
          steps,
          Array.from({ length: Math.floor(t.steps / 100) }, (_, i) => (i + 1) * 100),
        );
        const out = readFileSync(join(jobs, `crash-t${t.id}-a1`, 'stdout'), 'utf8');
        const pids = new Set(
          out
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l).pid),
        );
        assert.equal(pids.size, 1, `trial ${t.id} ran in ${pids.size} processes`);
        assert.deepEqual(groupMembers(Number(t.job?.jobId)), []);
      }
      store.close();
      const raw = new Database(db, { readonly: true });
      assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
      raw.close();
    });
  });
}
