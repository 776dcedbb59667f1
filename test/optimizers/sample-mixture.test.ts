import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/core/index.ts';
import { projectToSpace, sampleMixture, withinBounds } from '../../src/optimizers/index.ts';
import { toySpace } from './toy-space.ts';

describe('sampleMixture, projectToSpace, withinBounds', () => {
  it('projects onto the bounded simplex (closed form check)', () => {
    // v = (0.7, 0.5, 0.1) minus tau = 0.1 gives (0.6, 0.4, 0) -> clipped w_3 >= 0.05:
    // solve 0.7 - t + 0.5 - t + 0.05 = 1 -> t = 0.125: (0.575, 0.375, 0.05).
    const w = projectToSpace(
      [0.7, 0.5, 0.1],
      [
        { min: 0, max: 1 },
        { min: 0, max: 1 },
        { min: 0.05, max: 1 },
      ],
    );
    assert.ok(Math.abs((w[0] as number) - 0.575) < 1e-12);
    assert.ok(Math.abs((w[1] as number) - 0.375) < 1e-12);
    assert.ok(Math.abs((w[2] as number) - 0.05) < 1e-12);
  });

  it('samples Dirichlet(1) mixtures inside the bounds, and only the candidates of a replay space', () => {
    const bounded = toySpace({
      bounds: [
        { min: 0.1, max: 0.2 },
        { min: 0, max: 1 },
        { min: 0.3, max: 0.3 },
      ],
    });
    for (let i = 0; i < 200; i++) {
      const w = sampleMixture(new Rng(i), bounded);
      assert.ok(withinBounds(w, bounded), JSON.stringify(w));
      assert.equal(w[2], 0.3);
      assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    }
    assert.deepEqual(sampleMixture(new Rng(7), bounded), sampleMixture(new Rng(7), bounded));
    const cands = [
      [0.5, 0.5, 0],
      [0, 0.5, 0.5],
    ];
    const replay = toySpace({ candidates: cands });
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add(String(sampleMixture(new Rng(i), replay)));
    assert.deepEqual([...seen].sort(), cands.map(String).sort());
  });

  it('withinBounds: every weight in its [min, max], and any mixture when the space has no bounds', () => {
    const b = toySpace({
      bounds: [
        { min: 0.1, max: 0.2 },
        { min: 0, max: 1 },
        { min: 0.3, max: 0.3 },
      ],
    });
    assert.equal(withinBounds([0.2, 0.5, 0.3], b), true);
    assert.equal(withinBounds([0.05, 0.65, 0.3], b), false);
    assert.equal(withinBounds([0.2, 0.4, 0.4], b), false);
    assert.equal(withinBounds([1, 0, 0], toySpace()), true);
  });
});
