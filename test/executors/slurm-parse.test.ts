// The Slurm output parsers on recorded Slurm 22.05 output (src/executors/slurm-parse.ts).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  describeEnd,
  expandJobKey,
  parseJobcomp,
  parseSacct,
  parseScontrol,
  parseSqueue,
} from '../internals.ts';

const _tmp = () => mkdtempSync(join(tmpdir(), 'mixopt-slurm-unit-'));

describe('Slurm output parsers', () => {
  it('expands array ids with ranges, lists, steps and throttles', () => {
    assert.deepEqual(expandJobKey('7_[0-2,5]'), ['7_0', '7_1', '7_2', '7_5']);
    assert.deepEqual(expandJobKey('7_[0-9:3%2]'), ['7_0', '7_3', '7_6', '7_9']);
    assert.deepEqual(expandJobKey('7_4'), ['7_4']);
    assert.deepEqual(expandJobKey('12'), ['12']);
  });

  it('squeue: task keys, raw ids only for started tasks, reasons without None', () => {
    const text = [
      '3|3|PENDING|Resources',
      '2_0|4|RUNNING|None',
      '6_[0-1,3]|6|PENDING|JobHeldUser',
      '6_2|6|PENDING|JobHeldUser',
      '9|9|CANCELLED by 0|None',
      '',
    ].join('\n');
    assert.deepEqual(parseSqueue(text), [
      { key: '3', state: 'PENDING', reason: 'Resources' },
      { key: '2_0', state: 'RUNNING', rawId: '4' },
      { key: '6_0', state: 'PENDING', reason: 'JobHeldUser' },
      { key: '6_1', state: 'PENDING', reason: 'JobHeldUser' },
      { key: '6_3', state: 'PENDING', reason: 'JobHeldUser' },
      { key: '6_2', state: 'PENDING', reason: 'JobHeldUser' },
      { key: '9', state: 'CANCELLED', rawId: '9' },
    ]);
  });

  it('sacct --parsable2: states with suffixes, exit codes, steps skipped', () => {
    const text = [
      '1|1|COMPLETED|0:0|None',
      '3|3|FAILED|0:9|None',
      '2_1|5|FAILED|1:0|NonZeroExitCode',
      '2_1.batch|5.batch|FAILED|1:0|',
      '6|6|CANCELLED by 0|0:0|None',
      '8_[0-1]|8|PENDING|0:0|None',
    ].join('\n');
    assert.deepEqual(parseSacct(text), [
      { key: '1', state: 'COMPLETED', rawId: '1', exitCode: '0:0' },
      { key: '3', state: 'FAILED', rawId: '3', exitCode: '0:9' },
      { key: '2_1', state: 'FAILED', rawId: '5', exitCode: '1:0', reason: 'NonZeroExitCode' },
      { key: '6', state: 'CANCELLED', rawId: '6', exitCode: '0:0' },
      { key: '8_0', state: 'PENDING', exitCode: '0:0' },
      { key: '8_1', state: 'PENDING', exitCode: '0:0' },
    ]);
  });

  it('sacct -c (job completion log): raw ids, header and noise ignored', () => {
    const text = 'JobID|State|ExitCode\n4|COMPLETED|0:0\n2|FAILED|2:0\nnot a line\n';
    assert.deepEqual(parseJobcomp(text), [
      { key: '4', rawId: '4', state: 'COMPLETED', exitCode: '0:0' },
      { key: '2', rawId: '2', state: 'FAILED', exitCode: '2:0' },
    ]);
  });

  it('scontrol -o: picks the line of the task asked for; a pending meta record speaks for its tasks', () => {
    const lines = [
      'JobId=2 ArrayJobId=2 ArrayTaskId=2 JobName=arr JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=2:0 RunTime=00:00:01',
      'JobId=5 ArrayJobId=2 ArrayTaskId=1 JobName=arr JobState=TIMEOUT Reason=TimeLimit Dependency=(null) ExitCode=0:15 RunTime=00:01:20',
    ].join('\n');
    assert.deepEqual(parseScontrol(lines, '2_1'), {
      key: '2_1',
      state: 'TIMEOUT',
      rawId: '5',
      exitCode: '0:15',
      reason: 'TimeLimit',
    });
    assert.equal(parseScontrol(lines, '2_0'), undefined);
    const pending =
      'JobId=6 ArrayJobId=6 ArrayTaskId=0-3 JobName=wrap JobState=PENDING Reason=JobHeldUser ExitCode=0:0';
    assert.deepEqual(parseScontrol(pending, '6_2'), {
      key: '6_2',
      state: 'PENDING',
      exitCode: '0:0',
      reason: 'JobHeldUser',
    });
    assert.equal(parseScontrol(pending, '6_7'), undefined);
    const plain =
      'JobId=12 JobName=x JobState=OUT_OF_MEMORY Reason=OutOfMemory ExitCode=0:125 WorkDir=/a b';
    assert.equal(parseScontrol(plain, '12')?.state, 'OUT_OF_MEMORY');
  });

  it('end states become failure texts with the cause, the exit and the source', () => {
    assert.equal(
      describeEnd(
        { key: '3', state: 'FAILED', exitCode: '3:0', reason: 'NonZeroExitCode' },
        'sacct',
      ),
      'Slurm job 3 failed: exit code 3 (state FAILED, ExitCode 3:0, reason NonZeroExitCode; from sacct)',
    );
    // 22.05 calls a signal death JobLaunchFailure; the text leaves that out.
    assert.equal(
      describeEnd(
        { key: '4', state: 'FAILED', exitCode: '0:9', reason: 'JobLaunchFailure' },
        'scontrol',
      ),
      'Slurm job 4 failed: killed by signal 9 (SIGKILL) (state FAILED, ExitCode 0:9; from scontrol)',
    );
    assert.match(
      describeEnd({ key: '5_1', state: 'TIMEOUT', exitCode: '0:15' }, 'sacct'),
      /^Slurm job 5_1 hit its time limit \(raise executor.time.*killed by signal 15 \(SIGTERM\)/,
    );
    assert.match(describeEnd({ key: '6', state: 'OUT_OF_MEMORY' }, 'x'), /raise executor.mem/);
    assert.match(describeEnd({ key: '7', state: 'NODE_FAIL' }, 'x'), /lost its node/);
    assert.match(describeEnd({ key: '8', state: 'CANCELLED', exitCode: '0:15' }, 'x'), /cancelled/);
  });
});
