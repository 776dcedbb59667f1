// Recorded runs from finished work (src/testbeds/import.ts): the runs CSV and
// mapping built from runs (averaged repeats, column names, the default
// target, errors), reading job folders, and --maximize; the built files load
// back as a replay testbed that answers the imported values.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataError, ValidationError } from '../../src/core/index.ts';
import {
  buildRecordedRuns,
  createRecordedTestbed,
  directionsFrom,
  type ImportedRun,
  loadRecordedRuns,
  readJobFolders,
} from '../../src/testbeds/index.ts';

const run = (
  id: string,
  mixture: number[],
  scale: string,
  params: number,
  points: [number, string, number][],
  domains = ['web', 'code'],
): ImportedRun => ({
  id,
  domains,
  mixture,
  scale,
  params,
  points: points.map(([step, metric, value]) => ({ step, metric, value })),
});

const RUNS = [
  run('t3', [0.5, 0.5], 'L', 1e9, [
    [100, 'loss', 3],
    [200, 'loss', 2.5],
  ]),
  run('t1', [0.5, 0.5], 'S', 1e8, [
    [100, 'loss', 4],
    [100, 'w_acc', 0.2],
  ]),
  // a repeat of t1's mixture and size: its value at step 100 is averaged with t1's
  run('t2', [0.5, 0.5], 'S', 1e8, [[100, 'loss', 5]]),
  run('t4', [0.25, 0.75], 'S', 1e8, [[300, 'loss', 3.5]]),
  run('t5', [1, 0], 'L', 1e9, []),
];

describe('buildRecordedRuns', () => {
  const r = buildRecordedRuns(RUNS, { name: 'imported', csvName: 'runs.csv' });

  it('writes one row per (mixture, size, step), by size, mixture and step, repeats averaged', () => {
    assert.equal(
      r.csv,
      [
        'run,scale,step,w_web,w_code,loss,metric_w_acc',
        't4,S,300,0.25,0.75,3.5,',
        't1 t2,S,100,0.5,0.5,4.5,0.2',
        't3,L,100,0.5,0.5,3,',
        't3,L,200,0.5,0.5,2.5,',
        '',
      ].join('\n'),
    );
    assert.equal(r.runs, 4, 'runs without points are left out');
    assert.equal(r.rows, 4);
    assert.equal(r.notes.length, 1);
    assert.match(
      r.notes[0]!,
      /^1 checkpoints were reported by more than one run .*runs t1, t2 at step 100.*averaged/,
    );
  });

  it('maps the columns, the ladder by size, and the default target (largest size, longest run)', () => {
    assert.equal(r.mapping.name, 'imported');
    assert.equal(r.mapping.csv, 'runs.csv');
    assert.deepEqual(r.mapping.scale, {
      column: 'scale',
      ladder: [
        { value: 'S', name: 'S', params: 1e8 },
        { value: 'L', name: 'L', params: 1e9 },
      ],
    });
    assert.deepEqual(
      r.mapping.metrics.map((m) => [m.name, m.column, m.direction]),
      [
        ['loss', 'loss', 'minimize'],
        ['w_acc', 'metric_w_acc', 'minimize'],
      ],
    );
    assert.deepEqual(r.mapping.target, { scale: 'L', steps: 200 });
    assert.equal(r.mapping.description, '4 imported runs over 2 domains (S, L)');
  });

  it('takes directions, a target and a description', () => {
    const o = buildRecordedRuns(RUNS, {
      name: 'x',
      csvName: 'x.csv',
      directions: { w_acc: 'maximize' },
      target: { scale: 'S' },
      description: 'mine',
    });
    assert.equal(o.mapping.metrics[1]?.direction, 'maximize');
    assert.deepEqual(o.mapping.target, { scale: 'S', steps: 300 });
    assert.equal(o.mapping.description, 'mine');
  });

  it('the files load back as a replay testbed answering the imported values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixopt-import-'));
    writeFileSync(join(dir, 'runs.csv'), r.csv);
    const tb = createRecordedTestbed(loadRecordedRuns(join(dir, 'runs.csv'), r.mapping));
    assert.deepEqual(tb.domains, ['web', 'code']);
    assert.equal(tb.evaluate([0.5, 0.5], 'S', 100, 'loss'), 4.5);
    assert.equal(tb.evaluate([0.5, 0.5], 'L', 200, 'loss'), 2.5);
    assert.equal(tb.evaluate([0.25, 0.75], 'S', 300, 'loss'), 3.5);
  });

  it('quotes a run id with a comma', () => {
    const o = buildRecordedRuns([run('job,1', [0.5, 0.5], 'S', 1e8, [[100, 'loss', 1]])], {
      name: 'q',
      csvName: 'q.csv',
    });
    assert.equal(o.csv.split('\n')[1], '"job,1",S,100,0.5,0.5,1');
  });

  it('refuses nothing to import, mixed domains and a size with two parameter counts', () => {
    const opts = { name: 'x', csvName: 'x.csv' };
    assert.throws(
      () => buildRecordedRuns([RUNS[4]!], opts),
      (e: unknown) =>
        e instanceof DataError && /^nothing to import: no completed run/.test(e.message),
    );
    assert.throws(
      () =>
        buildRecordedRuns(
          [RUNS[0]!, run('t9', [0.5, 0.5], 'L', 1e9, [[1, 'loss', 1]], ['web', 'math'])],
          opts,
        ),
      (e: unknown) =>
        e instanceof DataError &&
        e.message ===
          'run t9 has domains web, math, but run t3 has web, code; import runs of one study at a time',
    );
    assert.throws(
      () => buildRecordedRuns([RUNS[0]!, run('t9', [0.5, 0.5], 'L', 2e9, [[1, 'loss', 1]])], opts),
      /size L has 1000000000 parameters in one run and 2000000000 in run t9/,
    );
  });
});

/** Writes a job folder; `exit` undefined leaves no exit-code file. */
function job(
  dir: string,
  name: string,
  trial: unknown,
  files: { metrics?: string; stdout?: string; exit?: string },
): void {
  const f = join(dir, name);
  mkdirSync(f);
  writeFileSync(join(f, 'trial.json'), typeof trial === 'string' ? trial : JSON.stringify(trial));
  if (files.metrics !== undefined) writeFileSync(join(f, 'metrics.jsonl'), files.metrics);
  if (files.stdout !== undefined) writeFileSync(join(f, 'stdout'), files.stdout);
  if (files.exit !== undefined) writeFileSync(join(f, 'exit-code'), files.exit);
}

const TRIAL = { domains: ['web', 'code'], mixture: [0.3, 0.7], scale: 'S', params: 1e8 };

describe('readJobFolders', () => {
  it('reads completed jobs: metric lines of metrics.jsonl and stdout, other lines skipped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixopt-jobs-'));
    job(
      dir,
      's-t1-a1',
      { ...TRIAL, metrics: ['loss'] },
      {
        metrics:
          '{"step": 100, "value": 4}\nnot json\n{"step": 0, "value": 1}\n{"step": 200, "value": "x"}\n',
        stdout: 'epoch 1\n{"step": 200, "metric": "acc", "value": 0.5}\n{bad\n',
        exit: '0\n',
      },
    );
    job(dir, 's-t2-a1', TRIAL, { metrics: '{"step": 100, "value": 4}\n', exit: '1' });
    job(dir, 's-t3-a1', TRIAL, { metrics: '{"step": 100, "metric": "loss", "value": 3}\n' });
    const r = readJobFolders(dir);
    assert.equal(r.runs.length, 1);
    assert.deepEqual(r.runs[0], {
      id: 's-t1-a1',
      domains: ['web', 'code'],
      mixture: [0.3, 0.7],
      scale: 'S',
      params: 1e8,
      points: [
        { step: 100, metric: 'loss', value: 4 },
        { step: 200, metric: 'acc', value: 0.5 },
      ],
    });
    assert.deepEqual(r.notes, [
      '2 job folders without exit code 0 (failed or unfinished) were skipped',
    ]);
    // a single job folder may be passed itself
    assert.equal(readJobFolders(join(dir, 's-t1-a1')).runs.length, 1);
  });

  it('without a single declared metric, lines must name theirs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixopt-jobs-'));
    job(
      dir,
      'a',
      { ...TRIAL, metrics: ['loss', 'acc'] },
      {
        metrics: '{"step": 100, "value": 4}\n{"step": 100, "metric": "acc", "value": 0.4}\n',
        exit: '0',
      },
    );
    assert.deepEqual(readJobFolders(dir).runs[0]?.points, [
      { step: 100, metric: 'acc', value: 0.4 },
    ]);
  });

  it('names a missing folder, a folder without jobs, and a bad trial.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixopt-jobs-'));
    assert.throws(
      () => readJobFolders(join(dir, 'nope')),
      (e: unknown) =>
        e instanceof DataError &&
        e.message.startsWith(`job folder ${join(dir, 'nope')} does not exist`),
    );
    assert.throws(
      () => readJobFolders(dir),
      new RegExp(`no job folders \\(with a trial.json\\) in ${dir}`),
    );
    job(dir, 'broken', '{not json', { exit: '0' });
    assert.throws(
      () => readJobFolders(dir),
      (e: unknown) =>
        e instanceof DataError &&
        e.message.startsWith(`cannot read ${join(dir, 'broken', 'trial.json')}`) &&
        e.message.endsWith('fix or remove the file'),
    );
    const dir2 = mkdtempSync(join(tmpdir(), 'mixopt-jobs-'));
    job(
      dir2,
      'partial',
      { domains: ['a', 'b'], mixture: [1], scale: 'S', params: 1 },
      { exit: '0' },
    );
    assert.throws(() => readJobFolders(dir2), /lacks domains, mixture, scale or params/);
  });
});

describe('directionsFrom', () => {
  it('maximises the named metrics (trimmed) and rejects an empty name', () => {
    assert.deepEqual(directionsFrom([' acc', 'f1 ']), { acc: 'maximize', f1: 'maximize' });
    assert.deepEqual(directionsFrom([]), {});
    assert.throws(
      () => directionsFrom(['acc', ' ']),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.message === '--maximize takes metric names, e.g. --maximize acc',
    );
  });
});
