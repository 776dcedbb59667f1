import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli, studySetup as setup } from '../study-helpers.ts';

describe('mixopt status', () => {
  it("status shows a continuation's parent trial", async () => {
    const { config, db } = setup({ optimizer: { method: 'hyperband' } });
    await cli('study', 'create', config, '--db', db);
    const first = JSON.parse((await cli('ask', '--db', db, '--n', '9', '--json')).stdout) as {
      trial: number;
    }[];
    for (const t of first) {
      const args = ['--trial', String(t.trial), '--step', '200', '--value', String(t.trial)];
      assert.equal((await cli('tell', '--db', db, ...args, '--final')).code, 0);
    }
    // Hyperband continues its best first-rung run (trial 1: the lowest loss) to 400 steps.
    const [next] = JSON.parse((await cli('ask', '--db', db, '--json')).stdout) as {
      trial: number;
      continues?: number;
    }[];
    assert.deepEqual([next?.trial, next?.continues], [10, 1]);
    const text = (await cli('status', '--db', db)).stdout;
    assert.match(text, /^trial\tstate\ttry\tscale\tsteps\tparent\tlast\tvalue\tmixture$/m);
    assert.match(text, /^10\trunning\t1\t1B\t400\t1\t-\t-\t/m);
    assert.match(text, /^2\tcompleted\t1\t1B\t200\t-\t200\t2\.0000\t/m);
  });

  it('a fresh study: no trials, nothing spent, no best yet; the budget share when there is a budget', async () => {
    const { config, db } = setup({ budget: 40 });
    await cli('study', 'create', config, '--db', db);
    const text = await cli('status', '--db', db);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /^study small: loss \(minimize\), target 1B at 1000 steps, optimiser random\ntrials: 0 total/,
    );
    assert.match(text.stdout, /\nspent: 0\.00 units of budget 40 \(0\.0%\); 0\.00 more committed/);
    assert.match(text.stdout, /\nbest at target: none yet \(no trial has reached the target\)\n$/);
    // One trial handed out: 10 units (1000 steps at 1B) committed, nothing spent.
    await cli('ask', '--db', db, '--json');
    const j = JSON.parse((await cli('status', '--db', db, '--json')).stdout);
    assert.equal(j.spent, 0);
    assert.equal(j.trials.length, 1);
    assert.match(
      (await cli('status', '--db', db)).stdout,
      /0\.00 units of budget 40 \(0\.0%\); 10\.00 more committed/,
    );
  });
});
