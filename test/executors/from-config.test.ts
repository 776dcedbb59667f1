import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createExecutor, type TrialSpec, ValidationError } from '../../src/index.ts';
import { pollToEnd } from './contract.ts';

const trial: TrialSpec = {
  study: 's',
  trial: '1',
  attempt: 1,
  domains: ['wikipedia', 'stackexchange', 'github', 'arxiv', 'book'],
  mixture: [0.2, 0.2, 0.2, 0.2, 0.2],
  scale: '20M',
  params: 20e6,
  steps: 300,
  logEvery: 100,
  metrics: ['val_loss'],
  seed: 1,
};

describe('createExecutor (an executor from a study config)', () => {
  it('builds the local executor, with its job directory beside the database by default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixopt-from-config-'));
    const ex = createExecutor(
      { kind: 'local', command: 'echo \'{"step": 300, "value": 2.5}\'' },
      { study: 'law', db: join(dir, 'studies.db') },
    );
    assert.equal(ex.name, 'local');
    const h = await ex.run(trial);
    const r = await pollToEnd(ex, h);
    assert.equal(r.phase, 'completed', r.error);
    assert.deepEqual(
      r.points.map((p) => [p.metric, p.step, p.value]),
      [['val_loss', 300, 2.5]],
    );
    assert.ok(existsSync(join(dir, 'law.jobs')), 'jobs under <db dir>/<study>.jobs');
  });

  it('builds the simulator executor on a named testbed', async () => {
    const ex = createExecutor(
      { kind: 'simulator', testbed: 'law', secondsPer1000Steps: 0 },
      { study: 'law', db: 'unused.db' },
    );
    assert.equal(ex.name, 'simulator');
  });

  it('switches to Slurm when Slurm flags are given, and checks its settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixopt-from-config-'));
    const ex = createExecutor(
      { kind: 'local', command: 'true' },
      {
        study: 'law',
        db: join(dir, 'x.db'),
        slurm: ['template=#!/bin/bash\nrun\n', 'partition=gpu'],
      },
    );
    assert.equal(ex.name, 'slurm');
    assert.throws(
      () =>
        createExecutor(
          { kind: 'local', command: 'true' },
          { study: 'law', db: join(dir, 'x.db'), slurm: ['partition=gpu'] },
        ),
      /the Slurm executor needs a batch script template/,
    );
  });

  it('without an executor config names the fix', () => {
    assert.throws(
      () => createExecutor(undefined, { study: 'law', db: 'x.db' }),
      (err: unknown) =>
        err instanceof ValidationError &&
        /study 'law' has no executor in its config; add executor: \{ kind: local/.test(err.message),
    );
  });
});
