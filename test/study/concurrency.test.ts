import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { parseStudyConfig, SqliteStudyStore, Study } from '../../src/index.ts';
import { smallConfig, tempDb } from './helpers.ts';

const WORKER = new URL('./concurrent-worker.ts', import.meta.url).pathname;

function worker(db: string, name: string, rounds: number, n: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER, db, name, String(rounds), String(n)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += String(d)));
    p.stderr.on('data', (d) => (err += String(d)));
    p.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`worker ${name} exited ${code}: ${err}`)),
    );
  });
}

describe('concurrent ask/tell from several processes', () => {
  it('4 processes on one database: no trial handed out twice, no tell lost', async () => {
    const db = tempDb();
    const store = SqliteStudyStore.open(db);
    Study.create(store, parseStudyConfig(smallConfig()));
    const WORKERS = 4;
    const ROUNDS = 4;
    const N = 2;
    const outs = await Promise.all(
      Array.from({ length: WORKERS }, (_, i) => worker(db, `w${i}`, ROUNDS, N)),
    );
    const asked = outs.flatMap((o) =>
      o
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { worker: string; trial: number }),
    );
    const total = WORKERS * ROUNDS * N;
    assert.equal(asked.length, total);
    const ids = asked.map((a) => a.trial).sort((a, b) => a - b);
    assert.deepEqual(
      ids,
      Array.from({ length: total }, (_, i) => i + 1),
      'every trial id handed out exactly once',
    );
    const study = new Study(store, undefined);
    const trials = study.trials();
    assert.equal(trials.length, total);
    for (const t of trials) {
      assert.equal(t.state, 'completed');
      assert.equal(t.attempts, 1);
      assert.equal(t.owner, asked.find((a) => a.trial === t.id)?.worker);
    }
    const points = study.points();
    assert.equal(points.length, total * 3, 'every told point is stored');
    for (const p of points) assert.equal(p.value, 3 - p.step / 1000 + p.trial / 1e6);
    // The optimiser saw every earlier trial: random search's i-th proposal is a pure
    // function of i, so the mixtures equal those of a single-process study.
    const serial = Study.create(SqliteStudyStore.open(tempDb()), parseStudyConfig(smallConfig()));
    const one = serial.ask(total);
    assert.deepEqual(
      trials.map((t) => t.mixture),
      one.map((t) => t.mixture),
    );
  });
});
