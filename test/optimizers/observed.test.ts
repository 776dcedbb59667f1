// Reading a history (src/optimizers/observed.ts): last and exact-step values,
// the target-run test, and the three recommendation rules on hand-built runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CurvePoint, RunRecord, TrialState } from '../../src/core/index.ts';
import {
  bestTargetRun,
  isTargetRun,
  lastValue,
  recommendBestObserved,
  recommendBestRaw,
  valueAt,
} from '../../src/optimizers/observed.ts';
import { toySpace } from './toy-space.ts';

function run(
  id: string,
  scale: string,
  steps: number,
  curve: CurvePoint[],
  extra: { state?: TrialState; parent?: string; mixture?: number[] } = {},
): RunRecord {
  return {
    id,
    mixture: extra.mixture ?? [1 / 3, 1 / 3, 1 / 3],
    scale,
    steps,
    curve,
    state: extra.state ?? 'completed',
    cost: 1,
    ...(extra.parent !== undefined ? { parent: extra.parent } : {}),
  };
}

const space = toySpace(); // target L at 1000 steps, minimise
const maxSpace = toySpace({ metric: { name: 'acc', direction: 'maximize' } });

describe('lastValue and valueAt', () => {
  it('reads the last point, and undefined for an empty or non-finite tail', () => {
    assert.equal(
      lastValue(
        run('a', 'S', 300, [
          { step: 100, value: 5 },
          { step: 300, value: 4 },
        ]),
      ),
      4,
    );
    assert.equal(lastValue(run('a', 'S', 300, [])), undefined);
    assert.equal(
      lastValue(
        run('a', 'S', 300, [
          { step: 100, value: 5 },
          { step: 200, value: Number.NaN },
        ]),
      ),
      undefined,
    );
  });

  it('reads the value at exactly the asked step, skipping non-finite points', () => {
    const r = run('a', 'S', 300, [
      { step: 100, value: 5 },
      { step: 200, value: Number.POSITIVE_INFINITY },
      { step: 300, value: 3 },
    ]);
    assert.equal(valueAt(r, 100), 5);
    assert.equal(valueAt(r, 300), 3);
    assert.equal(valueAt(r, 200), undefined);
    assert.equal(valueAt(r, 250), undefined);
  });
});

describe('isTargetRun', () => {
  it('needs a completed run at the target scale and steps with a value at the target step', () => {
    assert.equal(isTargetRun(run('a', 'L', 1000, [{ step: 1000, value: 2 }]), space), true);
    assert.equal(isTargetRun(run('a', 'S', 1000, [{ step: 1000, value: 2 }]), space), false);
    assert.equal(isTargetRun(run('a', 'L', 900, [{ step: 900, value: 2 }]), space), false);
    assert.equal(isTargetRun(run('a', 'L', 1000, [{ step: 900, value: 2 }]), space), false);
    assert.equal(
      isTargetRun(run('a', 'L', 1000, [{ step: 1000, value: 2 }], { state: 'running' }), space),
      false,
    );
    assert.equal(
      isTargetRun(run('a', 'L', 1000, [{ step: 1000, value: Number.NaN }]), space),
      false,
    );
  });
});

describe('bestTargetRun', () => {
  const runs = [
    run('s', 'S', 1000, [{ step: 1000, value: 0.5 }]),
    run('t1', 'L', 1000, [{ step: 1000, value: 3 }]),
    run('t2', 'L', 1000, [{ step: 1000, value: 2 }]),
    run('t3', 'L', 1000, [{ step: 1000, value: 2 }]),
    run('t4', 'L', 1000, [{ step: 1000, value: 4 }]),
  ];

  it('picks the lowest target value when minimising (ties to the earlier run)', () => {
    assert.equal(bestTargetRun({ runs, spent: 0 }, space)?.id, 't2');
  });

  it('picks the highest target value when maximising', () => {
    assert.equal(bestTargetRun({ runs, spent: 0 }, maxSpace)?.id, 't4');
  });

  it('is undefined without a target run, and skips superseded runs', () => {
    assert.equal(bestTargetRun({ runs: [runs[0]!], spent: 0 }, space), undefined);
    const parent = run('p', 'L', 1000, [{ step: 1000, value: 1 }]);
    const child = run('c', 'L', 1000, [{ step: 1000, value: 5 }], { parent: 'p' });
    assert.equal(bestTargetRun({ runs: [parent, child, runs[4]!], spent: 0 }, space)?.id, 't4');
  });
});

describe('recommendBestObserved', () => {
  it('recommends the best target run when one exists', () => {
    const target = run('t', 'L', 1000, [{ step: 1000, value: 3 }], { mixture: [0.2, 0.3, 0.5] });
    const small = run('s', 'S', 1000, [{ step: 1000, value: 1 }]);
    const rec = recommendBestObserved({ runs: [small, target], spent: 0 }, space);
    assert.deepEqual(rec, {
      mixture: [0.2, 0.3, 0.5],
      runId: 't',
      basis: 'best observed at the target',
    });
  });

  it('falls back to the largest scale, then the longest curve, then the best last value', () => {
    const runs = [
      run('s-long', 'S', 1000, [{ step: 1000, value: 0.1 }]),
      run('l-short', 'L', 300, [{ step: 300, value: 1 }]),
      run('l-long-bad', 'L', 500, [{ step: 500, value: 9 }]),
      run('l-long-good', 'L', 500, [{ step: 500, value: 8 }]),
    ];
    const rec = recommendBestObserved({ runs, spent: 0 }, space);
    assert.equal(rec?.runId, 'l-long-good');
    assert.equal(rec?.basis, 'best observed at the largest fidelity reached (L, 500 steps)');
    // maximising turns the last tie-break around
    assert.equal(recommendBestObserved({ runs, spent: 0 }, maxSpace)?.runId, 'l-long-bad');
  });

  it('uses the last logged step, not the planned steps, and ignores runs with no value', () => {
    const runs = [
      run('planned-long', 'L', 1000, [{ step: 200, value: 1 }], { state: 'running' }),
      run('logged-long', 'L', 400, [{ step: 400, value: 7 }]),
      run('empty', 'L', 1000, []),
    ];
    const rec = recommendBestObserved({ runs, spent: 0 }, space);
    assert.equal(rec?.runId, 'logged-long');
    assert.equal(rec?.basis, 'best observed at the largest fidelity reached (L, 400 steps)');
  });

  it('is undefined before any observation', () => {
    assert.equal(recommendBestObserved({ runs: [], spent: 0 }, space), undefined);
    assert.equal(
      recommendBestObserved({ runs: [run('e', 'S', 100, [])], spent: 0 }, space),
      undefined,
    );
  });
});

describe('recommendBestRaw', () => {
  const runs = [
    run('a', 'S', 300, [
      { step: 100, value: 4 },
      { step: 200, value: 1.5 },
      { step: 300, value: 2 },
    ]),
    run('b', 'L', 1000, [
      { step: 500, value: Number.NaN },
      { step: 1000, value: 1.5 },
    ]),
    run('c', 'L', 200, [{ step: 200, value: 6 }]),
  ];

  it('takes the best logged point of any run at any fidelity (ties to the first seen)', () => {
    assert.deepEqual(recommendBestRaw({ runs, spent: 0 }, space), {
      mixture: [1 / 3, 1 / 3, 1 / 3],
      runId: 'a',
      basis: 'best observed value at any fidelity (S, 200 steps)',
    });
    assert.equal(recommendBestRaw({ runs, spent: 0 }, maxSpace)?.runId, 'c');
  });

  it('is undefined when no point is finite', () => {
    const r = run('n', 'S', 100, [{ step: 100, value: Number.NaN }]);
    assert.equal(recommendBestRaw({ runs: [r], spent: 0 }, space), undefined);
  });
});
