import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli, studySetup as setup } from '../study-helpers.ts';

describe('mixopt recommend', () => {
  it('without observations: a state error (exit 1) that says to run trials first', async () => {
    const { config, db } = setup();
    await cli('study', 'create', config, '--db', db);
    const r = await cli('recommend', '--db', db);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /study 'small' has no observation yet; run trials first/);
  });

  it('random: the best completed target trial, in text and JSON (weights by domain name)', async () => {
    const { config, db } = setup();
    await cli('study', 'create', config, '--db', db);
    const ts = JSON.parse((await cli('ask', '--db', db, '--n', '3', '--json')).stdout) as {
      trial: number;
      scale: string;
      steps: number;
      weights: number[];
    }[];
    // random proposes at the target (1B, 1000 steps); values 3, 2, 1 make trial 3 the best.
    assert.deepEqual(
      ts.map((t) => [t.scale, t.steps]),
      [
        ['1B', 1000],
        ['1B', 1000],
        ['1B', 1000],
      ],
    );
    for (const [i, t] of ts.entries()) {
      const args = [
        '--trial',
        String(t.trial),
        '--step',
        String(t.steps),
        '--value',
        String(3 - i),
      ];
      assert.equal((await cli('tell', '--db', db, ...args, '--final')).code, 0);
    }
    const r = await cli('recommend', '--db', db, '--json');
    assert.equal(r.code, 0, r.stderr);
    const rec = JSON.parse(r.stdout);
    const best = ts[2] as (typeof ts)[number];
    assert.equal(rec.trial, 3);
    assert.deepEqual(rec.mixture, best.weights);
    assert.deepEqual(rec.weights, { a: best.weights[0], b: best.weights[1], c: best.weights[2] });
    const text = await cli('recommend', '--db', db);
    assert.match(
      text.stdout,
      /^recommended mixture for 1B at 1000 steps \(loss, minimize\):\n {2}a {16}\d\.\d{4}\n/,
    );
    assert.match(
      text.stdout,
      /\nrests on \(nearest observed runs; distance = L1 between mixtures\):\n/,
    );
  });
});
