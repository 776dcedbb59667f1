import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getTestbed, isSimulatorTestbed } from '../../src/testbeds/index.ts';
import { toyTestbed } from '../bench/toy-testbed.ts';

describe('isSimulatorTestbed', () => {
  it('true for the law testbed (objective + fingerprint), false for a plain testbed', () => {
    const law = getTestbed('law');
    assert.equal(isSimulatorTestbed(law), true);
    assert.equal(isSimulatorTestbed(toyTestbed), false);
    // Both parts are needed.
    assert.equal(isSimulatorTestbed({ ...toyTestbed, fingerprint: 'x' } as never), false);
    assert.equal(isSimulatorTestbed({ ...toyTestbed, objective: () => undefined } as never), false);
  });

  it("the law testbed's fast objective agrees with evaluate, and evaluateMany with both", () => {
    const law = getTestbed('law');
    assert.ok(isSimulatorTestbed(law));
    const k = law.domains.length;
    const metric = law.metrics[0]?.name as string;
    const { scale, steps } = law.target;
    const ws = [
      Array.from({ length: k }, () => 1 / k),
      Array.from({ length: k }, (_, i) => (i === 0 ? 1 : 0)),
    ];
    const f = law.objective(metric, scale, steps);
    const many = law.evaluateMany(Float64Array.from(ws.flat()), scale, steps, metric);
    ws.forEach((w, i) => {
      const v = law.evaluate(w, scale, steps, metric);
      assert.ok(Math.abs(f.value(w) - v) <= 1e-12 * Math.abs(v), `objective at ${i}`);
      assert.ok(Math.abs((many[i] as number) - v) <= 1e-12 * Math.abs(v), `evaluateMany at ${i}`);
      assert.equal(law.evaluateAll(w, scale, steps)[0], v);
    });
  });
});
