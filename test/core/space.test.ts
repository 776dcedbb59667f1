import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFoundError, spaceFromTestbed } from '../../src/core/index.ts';
import { getTestbed } from '../../src/testbeds/index.ts';

const law = getTestbed('law');

describe('spaceFromTestbed', () => {
  it("takes the testbed's domains, ladder, steps, target, the metric's spec and its cost", () => {
    const s = spaceFromTestbed(law, 'hellaswag_accuracy');
    assert.equal(s.domains, law.domains);
    assert.equal(s.scales, law.scales);
    assert.equal(s.steps, law.steps);
    assert.deepEqual(s.target, { scale: '1B', steps: 19700 });
    assert.deepEqual(
      s.metric,
      law.metrics.find((m) => m.name === 'hellaswag_accuracy'),
    );
    assert.equal(s.metric.direction, 'maximize');
    assert.equal(s.cost('1B', 19700), 197);
    assert.equal(s.cost('20M', 900), law.cost('20M', 900));
    assert.equal('stepCandidates' in s, false);
    assert.equal('candidates' in s, false);
  });

  it('keeps step candidates when given', () => {
    const s = spaceFromTestbed(law, 'c4_cross_entropy', { stepCandidates: [6000, 19700] });
    assert.deepEqual(s.stepCandidates, [6000, 19700]);
  });

  it('names the metric and the known ones when the testbed lacks it', () => {
    assert.throws(
      () => spaceFromTestbed(law, 'ppl'),
      (e: unknown) =>
        e instanceof NotFoundError &&
        e.message.startsWith(
          "testbed 'law' has no metric 'ppl'; known metrics: train_cross_entropy, ",
        ),
    );
  });
});
