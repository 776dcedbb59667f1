// The in-memory study store: what it promises beyond the StudyStore contract
// (test/contracts/study-store.contract.ts runs that over both stores): the
// SQLite store's record shapes, records that never change once handed out,
// the optimiser state kept as the very object saved, and a Study over it
// that keeps one optimiser across asks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MemoryStudyStore,
  metricCurves,
  type Optimizer,
  type OptimizerContext,
  type ProposeResult,
  parseStudyConfig,
  SqliteStudyStore,
  Study,
  type StudyStore,
} from '../internals.ts';
import { smallConfig, tempDb } from './helpers.ts';

const config = parseStudyConfig(smallConfig({ trials: { leaseSeconds: 60, maxAttempts: 2 } }));

/** Proposes `n` runs at 20M x (100 * call number) steps; its state is a fresh object per call. */
function proposer(snap: { asks: number }, n: number): ProposeResult {
  return {
    trials: Array.from({ length: n }, (_v, i) => ({
      proposal: { mixture: [0.2, 0.3, 0.5], scale: '20M', steps: 100 * (snap.asks + 1) + i },
      cost: 0.02 * (snap.asks + 1),
    })),
    optimizerState: { asks: snap.asks + 1 },
  };
}

/** The same calls on `s`: asks, tells, a stop, a failure, a release. */
function script(s: StudyStore): void {
  s.createStudy(config);
  const [a, b, c] = s.ask('small', 3, 'w1', proposer);
  s.tell('small', a!.id, [{ step: 100, value: 3 }], 'w1', { final: true });
  s.tell('small', b!.id, [{ step: 100, value: 3.1 }], 'w1');
  s.stop('small', b!.id, 'w1', { trained: 0.5 });
  s.fail('small', c!.id, 'oom', 'w1');
  const [d] = s.ask('small', 2, 'w2', proposer);
  s.release('small', d!.id, 'interrupted');
  s.setJob('small', s.ask('small', 1, 'w3', proposer)[0]!.id, {
    executor: 'local',
    jobId: '7',
    meta: { pid: 7 },
  });
}

describe('MemoryStudyStore', () => {
  it('holds the same records as the SQLite store after the same calls, key order included', () => {
    const clock = () => 5_000;
    const mem = new MemoryStudyStore({ clock });
    const sql = SqliteStudyStore.open(tempDb(), { clock });
    script(mem);
    script(sql);
    assert.equal(JSON.stringify(mem.trials('small')), JSON.stringify(sql.trials('small')));
    assert.equal(JSON.stringify(mem.points('small')), JSON.stringify(sql.points('small')));
    assert.deepEqual(mem.optimizerState('small'), sql.optimizerState('small'));
    assert.deepEqual(
      mem.trials('small').map((t) => [t.id, t.state, t.attempts, t.cost]),
      [
        [1, 'completed', 1, 0.02],
        [2, 'completed', 1, 0.01],
        [3, 'running', 2, 0.02], // failed once, retried, released, handed out again
        [4, 'running', 1, 0.04],
      ],
    );
    sql.close();
  });

  it('never changes a record it handed out, and keeps the optimiser state as the object saved', () => {
    const s = new MemoryStudyStore({ clock: () => 0 });
    s.createStudy(config);
    let saved: unknown;
    const [t] = s.ask('small', 1, 'w1', (snap, n) => {
      const r = proposer(snap, n);
      saved = r.optimizerState;
      return r;
    });
    const copy = JSON.stringify(t);
    s.tell('small', t!.id, [{ step: 100, value: 2 }], 'w1', { final: true });
    assert.equal(JSON.stringify(t), copy);
    assert.equal(s.trial('small', t!.id).state, 'completed');
    assert.equal(s.optimizerState('small'), saved, 'the same object, not a copy');
    assert.equal(s.path, ':memory:');
  });

  it('answers points by trial, metric and step, ascending, whatever the order of the tells', () => {
    const s = new MemoryStudyStore({ clock: () => 0 });
    s.createStudy(config);
    const [a, b] = s.ask('small', 2, 'w1', proposer);
    s.tell('small', b!.id, [{ step: 101, value: 2 }], 'w1');
    s.tell('small', a!.id, [{ step: 100, value: 4 }], 'w1');
    s.tell('small', a!.id, [{ step: 50, value: 5 }], 'w1');
    s.tell('small', a!.id, [{ step: 50, value: 4.5 }], 'w1'); // the last value wins
    assert.deepEqual(
      s.points('small').map((p) => [p.trial, p.step, p.value]),
      [
        [1, 50, 4.5],
        [1, 100, 4],
        [2, 101, 2],
      ],
    );
  });

  it("keeps each trial's metric curve until its next tell, equal to metricCurves of its points", () => {
    const s = new MemoryStudyStore({ clock: () => 0 });
    s.createStudy(config);
    const [a, b] = s.ask('small', 2, 'w1', proposer);
    s.tell('small', a!.id, [{ step: 100, value: 4 }], 'w1');
    s.tell('small', b!.id, [{ step: 101, value: 2 }], 'w1');
    const first = s.metricCurves('small');
    assert.deepEqual(first, metricCurves(config, s.points('small')));
    s.tell('small', a!.id, [{ step: 50, value: 5 }], 'w1');
    const second = s.metricCurves('small');
    assert.deepEqual(second.get(a!.id), [
      { step: 50, value: 5 },
      { step: 100, value: 4 },
    ]);
    assert.equal(second.get(b!.id), first.get(b!.id), "b's curve kept: b was not told anything");
    assert.deepEqual(second, metricCurves(config, s.points('small')));
  });
});

/** An optimiser builder that counts the optimisers it builds; each proposes its own call count. */
function counting(): { built: number; build: (m: string, ctx: OptimizerContext) => Optimizer } {
  const c = {
    built: 0,
    build: (_m: string, _ctx: OptimizerContext): Optimizer => {
      c.built++;
      let calls = 0;
      return {
        name: 'counting',
        propose: (_h, n) => {
          calls++;
          return Array.from({ length: n }, () => ({
            mixture: [0.2, 0.3, 0.5],
            scale: '20M',
            steps: 100 * calls,
          }));
        },
        recommend: () => undefined,
      };
    },
  };
  return c;
}

describe('Study over a MemoryStudyStore', () => {
  it('keeps one optimiser across asks, so an optimiser without saved state goes on where it was', () => {
    const c = counting();
    const study = Study.create(new MemoryStudyStore(), config, { optimizer: c.build });
    const steps = [study.ask(1), study.ask(2), study.ask(1)].flat().map((t) => t.steps);
    assert.deepEqual(steps, [100, 200, 200, 300]);
    assert.equal(c.built, 2, 'one at creation (checking the method), one kept for every ask');
    const opt = study.optimizerNow();
    study.ask(1);
    assert.equal(study.optimizerNow(), opt);
  });

  it('rebuilds the optimiser on every ask over a SQLite store (the saved state is a copy read back)', () => {
    const c = counting();
    const study = Study.create(SqliteStudyStore.open(tempDb()), config, { optimizer: c.build });
    const steps = [study.ask(1), study.ask(1)].flat().map((t) => t.steps);
    assert.deepEqual(steps, [100, 100]);
    assert.equal(c.built, 3);
  });
});
