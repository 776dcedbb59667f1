// `mixopt testbed import`: job folders or a finished study become a recorded-runs testbed.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SqliteStudyStore, Study } from '../../../src/index.ts';
import { getTestbed, loadRecordedTestbed } from '../../../src/testbeds/index.ts';
import { lawConfig, tempDir } from '../../study/helpers.ts';
import { cli } from '../study-helpers.ts';

/** Writes one job folder as the executors do (docs/executors.md). */
function job(
  dir: string,
  name: string,
  trial: Record<string, unknown>,
  lines: string[],
  exit: number | undefined,
): void {
  const f = join(dir, name);
  mkdirSync(f, { recursive: true });
  writeFileSync(
    join(f, 'trial.json'),
    JSON.stringify({ domains: ['a', 'b'], metrics: ['loss'], ...trial }),
  );
  writeFileSync(join(f, 'metrics.jsonl'), `${lines.join('\n')}\n`);
  if (exit !== undefined) writeFileSync(join(f, 'exit-code'), `${exit}\n`);
}

describe('mixopt testbed import', () => {
  it('job folders: completed jobs become runs, repeats are averaged, the mapping opens', async () => {
    const dir = tempDir();
    const work = join(dir, 'jobs');
    const small = { scale: 'S', params: 1e8 };
    const big = { scale: 'L', params: 1e9 };
    job(
      work,
      'st-t1-a1',
      { ...small, mixture: [0.3, 0.7] },
      ['progress 10%', '{"step": 100, "value": 3}', '{"step": 200, "value": 2.5}'],
      0,
    );
    job(
      work,
      'st-t2-a1',
      { ...big, mixture: [0.3, 0.7] },
      ['{"step": 200, "metric": "loss", "value": 2}'],
      0,
    );
    job(work, 'st-t3-a1', { ...big, mixture: [0.6, 0.4] }, ['{"step": 200, "value": 2.2}'], 0);
    // a repeat of trial 2's mixture and size: averaged with it
    job(work, 'st-t4-a1', { ...big, mixture: [0.3, 0.7] }, ['{"step": 200, "value": 2.1}'], 0);
    // failed and unfinished jobs are skipped
    job(work, 'st-t5-a1', { ...big, mixture: [0.9, 0.1] }, ['{"step": 100, "value": 9}'], 1);
    job(
      work,
      'st-t6-a1',
      { ...big, mixture: [0.8, 0.2] },
      ['{"step": 100, "value": 9}'],
      undefined,
    );
    const out = join(dir, 'out', 'runs');
    const r = await cli('testbed', 'import', '--jobs', work, '--out', out, '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.runs, 4);
    assert.equal(s.rows, 4);
    assert.deepEqual(s.sizes, ['S', 'L']);
    assert.deepEqual(s.target, { scale: 'L', steps: 200 });
    assert.equal(s.candidates, 2);
    assert.match(s.notes.join('\n'), /2 job folders without exit code 0/);
    assert.match(s.notes.join('\n'), /1 checkpoints were reported by more than one run/);
    assert.equal(
      readFileSync(`${out}.csv`, 'utf8'),
      [
        'run,scale,step,w_a,w_b,loss',
        'st-t1-a1,S,100,0.3,0.7,3',
        'st-t1-a1,S,200,0.3,0.7,2.5',
        'st-t2-a1 st-t4-a1,L,200,0.3,0.7,2.05',
        'st-t3-a1,L,200,0.6,0.4,2.2',
        '',
      ].join('\n'),
    );
    const tb = loadRecordedTestbed(`${out}.mapping.json`);
    assert.equal(tb.evaluate([0.3, 0.7], 'L', 200, 'loss'), 2.05);
    assert.equal(tb.metrics[0]?.direction, 'minimize');
    const text = await cli('testbed', 'import', '--jobs', work, '--out', out, '--maximize', 'loss');
    assert.match(text.stdout, /metrics: loss \(maximize\)/);
    assert.match(text.stdout, /next: mixopt testbed info .*runs\.mapping\.json \[--fit\]/);
  });

  it('a study database: its completed trials, curves and target', async () => {
    const dir = tempDir();
    const db = join(dir, 'mixopt.db');
    const law = getTestbed('law');
    const config = lawConfig({
      name: 'finished',
      scales: law.scales
        .filter((x) => ['20M', '1B'].includes(x.name))
        .map((x) => ({ name: x.name, params: x.params })),
      steps: { min: 100, max: 1000, logEvery: 100 },
      target: { scale: '1B', steps: 1000 },
      cost: { kind: 'flops' },
      optimizer: { method: 'random' },
      seed: 3,
      executor: { kind: 'simulator', testbed: 'law' },
    });
    const cfg = join(dir, 'study.json');
    writeFileSync(cfg, JSON.stringify(config));
    assert.equal((await cli('study', 'create', cfg, '--db', db)).code, 0);
    const run = await cli('run', '--db', db, '--max-trials', '4');
    assert.equal(run.code, 0, run.stderr);
    const out = join(dir, 'finished');
    const r = await cli('testbed', 'import', '--db', db, '--out', out, '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.testbed, 'finished');
    assert.equal(s.runs, 4);
    assert.deepEqual(s.target, { scale: '1B', steps: 1000 });
    const tb = loadRecordedTestbed(`${out}.mapping.json`);
    const study = new Study(SqliteStudyStore.open(db), undefined);
    for (const t of study.trials()) {
      const last = study.points(t.id).at(-1);
      assert.ok(last !== undefined);
      assert.equal(tb.evaluate(t.mixture, t.scale, last.step, last.metric), last.value);
    }
    const bad = await cli('testbed', 'import', '--out', out);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /either job folders \(--jobs WORKDIR\) or a study database/);
  });
});
