import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkProposal,
  type Proposal,
  type ProposalParent,
  type ProposalSpace,
  proposalCost,
  ValidationError,
} from '../../src/core/index.ts';

const space: ProposalSpace = {
  domains: ['a', 'b', 'c'],
  scales: [
    { name: '20M', params: 20e6 },
    { name: '1B', params: 1e9 },
  ],
  steps: { min: 100, max: 1000, logEvery: 100 },
};
const w = [0.5, 0.3, 0.2];
const who = "optimiser 'x' proposed";
const parent: ProposalParent = { mixture: w, scale: '20M', steps: 300, state: 'completed' };

/** The ValidationError message `checkProposal` throws for `p`, or undefined when it accepts it. */
function problem(p: Proposal, par?: ProposalParent): string | undefined {
  try {
    checkProposal(space, p, par, who);
    return undefined;
  } catch (e) {
    assert.ok(e instanceof ValidationError, `not a ValidationError: ${String(e)}`);
    return e.message;
  }
}

describe('checkProposal', () => {
  it('accepts a new run inside the space and a continuation that extends a completed run', () => {
    assert.equal(problem({ mixture: w, scale: '1B', steps: 1000 }), undefined);
    assert.equal(problem({ mixture: w, scale: '20M', steps: 100 }), undefined);
    const c: Proposal = {
      mixture: [0.5, 0.3, 0.2 + 5e-7],
      scale: '20M',
      steps: 400,
      continues: 'r0',
    };
    assert.equal(problem(c, parent), undefined);
  });

  it('names the bad mixture, scale or steps', () => {
    assert.match(
      problem({ mixture: [0.5, 0.5], scale: '1B', steps: 500 }) ?? '',
      /a mixture that must have 3 weights/,
    );
    assert.match(
      problem({ mixture: [0.5, 0.25, 0.5], scale: '1B', steps: 500 }) ?? '',
      /^optimiser 'x' proposed a mixture that weights sum to 1\.25, not 1 /,
    );
    assert.equal(
      problem({ mixture: w, scale: '7B', steps: 500 }),
      "optimiser 'x' proposed unknown scale '7B'; the scales are 20M, 1B",
    );
    assert.equal(
      problem({ mixture: w, scale: '1B', steps: 99 }),
      "optimiser 'x' proposed 99 steps, outside 100..1000",
    );
    assert.equal(
      problem({ mixture: w, scale: '1B', steps: 1001 }),
      "optimiser 'x' proposed 1001 steps, outside 100..1000",
    );
    assert.match(problem({ mixture: w, scale: '1B', steps: 250.5 }) ?? '', /250\.5 steps, outside/);
  });

  it('says why a continuation is invalid: missing, unfinished, other scale, not longer, other mixture', () => {
    const c: Proposal = { mixture: w, scale: '20M', steps: 400, continues: 'r0' };
    const why = (par: ProposalParent | undefined, p: Proposal = c): string =>
      (problem(p, par) ?? '').replace(`${who} an invalid continuation of run r0: `, '');
    assert.equal(why(undefined), 'no such run');
    assert.equal(why({ ...parent, state: 'running' }), 'it is running, not completed');
    assert.equal(why({ ...parent, scale: '1B' }), 'its scale is 1B, not 20M');
    assert.equal(why({ ...parent, steps: 400 }), 'it already has 400 steps (>= 400)');
    assert.equal(why({ ...parent, mixture: [0.5, 0.2, 0.3] }), 'its mixture differs');
  });
});

describe('proposalCost', () => {
  const cost = (scale: string, steps: number): number => (scale === '1B' ? 50 : 1) * steps * 0.01;

  it('charges c(m, z) for a new run and c(m, z) − c(m, z_p) for a continuation', () => {
    assert.equal(proposalCost(cost, { mixture: w, scale: '1B', steps: 600 }, undefined), 300);
    assert.equal(
      proposalCost(cost, { mixture: w, scale: '1B', steps: 600, continues: 'r0' }, 200),
      200,
    );
    assert.equal(
      proposalCost(cost, { mixture: w, scale: '20M', steps: 1000, continues: 'r0' }, 300),
      7,
    );
  });

  it('never charges a negative amount (a cost that falls with steps is clamped at 0)', () => {
    const falling = (_: string, steps: number): number => 1000 - steps;
    assert.equal(
      proposalCost(falling, { mixture: w, scale: '1B', steps: 600, continues: 'r0' }, 200),
      0,
    );
  });
});
