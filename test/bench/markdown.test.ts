import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultBaselines,
  finalTable,
  medianMatrix,
  speedupTable,
  summarize,
  summaryMarkdown,
} from '../../src/bench/index.ts';
import { handTrajectory } from './hand-trajectory.ts';

// B stays at its final value 4 from 40; A reaches 4 at 10 and ends at 3 (speedup 40/10 = 4);
// B never gets to A's final 3 (not reached); A and B reach random's final 5 at 10, it stays there from 40.
const summary = summarize(
  [
    handTrajectory('A', 0, [
      [10, 4],
      [20, 3],
    ]),
    handTrajectory('random', 0, [
      [10, 6],
      [40, 5],
    ]),
    handTrajectory('B', 0, [
      [10, 5],
      [40, 4],
    ]),
  ],
  { reference: { m: 2 } },
);

describe('benchmark Markdown tables', () => {
  it('median matrix: method rows over baseline columns, "not reached" where a method never gets there', () => {
    assert.deepEqual(summary.methods, ['A', 'random', 'B']);
    const rows = medianMatrix(summary).split('\n');
    assert.equal(rows[0], '| method \\ baseline | A | random | B |');
    assert.equal(rows[1], '|---|---:|---:|---:|');
    assert.equal(rows[2], '| A | - | 4.00x | 4.00x |');
    assert.equal(rows[4], '| B | not reached | 4.00x | - |');
  });

  it('per-metric speedups over the chosen baselines, with the median row in bold', () => {
    assert.deepEqual(defaultBaselines(summary), ['random']);
    assert.equal(
      speedupTable(summary, ['A'], ['B']),
      ['| metric | A vs B |', '|---|---:|', '| m | 4.00x |', '| **median** | **4.00x** |'].join(
        '\n',
      ),
    );
    assert.equal(speedupTable(summary, ['A'], ['A']), '');
  });

  it('final values with regret against the reference (mean +- s.e.)', () => {
    const rows = finalTable(summary).split('\n');
    assert.equal(rows[0], '| metric | A | random | B |');
    assert.equal(
      rows[2],
      '| m | 3.0000 (regret 1.0000 +- 0.0000) | 5.0000 (regret 3.0000 +- 0.0000) | 4.0000 (regret 2.0000 +- 0.0000) |',
    );
  });

  it('the whole report names the testbed, budget, horizon and seed, and lists the runs', () => {
    const md = summaryMarkdown(summary, { wallSeconds: 1.25, workers: 2, seed: 3 });
    assert.ok(md.startsWith('# Benchmark: t\n'));
    assert.match(
      md,
      /Methods A, random, B; 1 metric\(s\); 1 seed\(s\); budget 40 cost units \(horizon 50 = budget \+ one confirmation run of 10\); root seed 3; wall time 1\.3 s on 2 worker\(s\)\./,
    );
    assert.match(md, /\| A \| 2\.0 \| 20\.0 \|/);
    assert.ok(!md.includes('## Failed jobs'));
  });
});
