import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SlurmStatusBoard } from '../../src/executors/slurm-status.ts';
import { FakeSlurm } from './fake-slurm.ts';

function job(fake: FakeSlurm, key: string, patch: Partial<{ state: string; exit: string }>) {
  fake.jobs.set(key, {
    state: 'RUNNING',
    exit: '0:0',
    raw: key.split('_')[0] as string,
    controller: true,
    sacct: true,
    jobcomp: true,
    ...patch,
  });
}

describe('SlurmStatusBoard (the status state machine)', () => {
  it('a live job is live; an ended one resolves once, from sacct, and is not asked again', async () => {
    const fake = new FakeSlurm();
    job(fake, '5', {});
    const board = new SlurmStatusBoard(fake.exec, 'auto', 0.001);
    assert.deepEqual(await board.status('5'), { kind: 'live', state: 'RUNNING' });
    fake.set('5', { state: 'FAILED', exit: '3:0' });
    await new Promise((r) => setTimeout(r, 3));
    const end = await board.status('5');
    assert.equal(end.kind, 'end');
    assert.equal(end.kind === 'end' && end.source, 'sacct');
    assert.equal(end.kind === 'end' && end.state.exitCode, '3:0');
    const asked = fake.calls.length;
    assert.deepEqual(await board.status('5'), end);
    assert.equal(board.hasEnded('5'), true);
    assert.equal(fake.calls.length, asked, 'an ended job is not asked about again');
  });

  it('asks squeue at most once per interval', async () => {
    const fake = new FakeSlurm();
    job(fake, '6', {});
    const board = new SlurmStatusBoard(fake.exec, 'auto', 60_000);
    await board.status('6');
    await board.status('6');
    assert.equal(fake.count('squeue'), 1);
    board.invalidate();
    await board.status('6');
    assert.equal(fake.count('squeue'), 2, 'invalidate() makes the next status ask again');
  });

  it('without accounting: scontrol while the controller holds the job, then the completion log', async () => {
    const fake = new FakeSlurm();
    fake.accounting = false;
    job(fake, '7', { state: 'TIMEOUT', exit: '0:15' });
    const board = new SlurmStatusBoard(fake.exec, 'auto', 0.001);
    const a = await board.status('7');
    assert.equal(a.kind === 'end' && a.source, 'scontrol');
    job(fake, '8', { state: 'COMPLETED' });
    fake.set('8', { controller: false });
    const b = await board.status('8', '8');
    assert.equal(b.kind === 'end' && b.source, 'the job completion log (sacct -c)');
    assert.equal(fake.count('sacct -n'), 1, 'sacct is not asked again once it says it is disabled');
  });

  it('a job no source knows is unknown (its own files then tell)', async () => {
    const fake = new FakeSlurm();
    const board = new SlurmStatusBoard(fake.exec, 'none', 0.001);
    assert.deepEqual(await board.status('99'), { kind: 'unknown' });
  });
});
