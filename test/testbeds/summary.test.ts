import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getTestbed, testbedSummary } from '../../src/testbeds/index.ts';

describe('testbedSummary', () => {
  it('states what the law testbed declares, with the cost of one target run', () => {
    const law = getTestbed('law');
    const s = testbedSummary(law);
    assert.equal(s.name, 'law');
    assert.deepEqual(s.domains, law.domains);
    assert.deepEqual(s.target, law.target);
    assert.equal(s.targetCost, 197, '1B for 19,700 steps is 197 units of 100 target steps');
    assert.deepEqual(JSON.parse(JSON.stringify(s)), s, 'plain JSON');
  });
});
