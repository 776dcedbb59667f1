// The study config schema (src/core/study-config.ts) on its own: defaults,
// normal forms, the $schema key dropped, and the per-field messages that say
// what is accepted. Cross-field checks and file loading are in
// test/study/config.test.ts (parseStudyConfig).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LEASE_SECONDS_MAX, LEASE_SECONDS_MIN, StudyConfigSchema } from '../../src/core/index.ts';

const base = {
  name: 'mix-1',
  domains: ['web', 'code'],
  scales: [
    { name: '1B', params: 1e9 },
    { name: '20M', params: 2e7 },
  ],
  steps: { min: 100, max: 1000, logEvery: 100 },
  target: { scale: '1B', steps: 1000 },
  metric: { name: 'loss', direction: 'minimize' },
};

/** The issues of an input that must fail, as `path: message`. */
function issues(over: Record<string, unknown>): string[] {
  const r = StudyConfigSchema.safeParse({ ...base, ...over });
  assert.equal(r.success, false, `accepted ${JSON.stringify(over)}`);
  return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('StudyConfigSchema', () => {
  it('applies the defaults, sorts the scales by size and drops $schema', () => {
    const c = StudyConfigSchema.parse({ ...base, $schema: './schema/study.schema.json' });
    assert.equal('$schema' in c, false);
    assert.deepEqual(
      c.scales.map((s) => s.name),
      ['20M', '1B'],
    );
    assert.deepEqual(c.cost, { kind: 'flops' });
    assert.deepEqual(c.optimizer, { method: 'mfms-bo', settings: {} });
    assert.equal(c.seed, 0);
    assert.deepEqual(c.trials, { leaseSeconds: 600, maxAttempts: 3, maxConsecutiveFailures: 5 });
    assert.equal(c.executor, undefined);
    assert.equal(c.budget, undefined);
  });

  it('puts every domain in normal form { name, min, max }', () => {
    const c = StudyConfigSchema.parse({
      ...base,
      domains: [
        'web',
        { name: 'code', min: 0.1 },
        { name: 'math', fixed: 0.05 },
        { name: 'wiki', max: 0.3 },
      ],
    });
    assert.deepEqual(c.domains, [
      { name: 'web', min: 0, max: 1 },
      { name: 'code', min: 0.1, max: 1 },
      { name: 'math', min: 0.05, max: 0.05 },
      { name: 'wiki', min: 0, max: 0.3 },
    ]);
  });

  it('fills a simulator executor and method settings', () => {
    const c = StudyConfigSchema.parse({
      ...base,
      optimizer: { method: 'random' },
      executor: { kind: 'simulator', testbed: 'law' },
    });
    assert.deepEqual(c.executor, { kind: 'simulator', testbed: 'law', secondsPer1000Steps: 0 });
    assert.deepEqual(c.optimizer, { method: 'random', settings: {} });
  });

  it('names the field and what it accepts', () => {
    assert.deepEqual(issues({ name: 'has space' }), [
      "name: study name must start with a letter or digit and contain only letters, digits, '_', '.', ':' or '-'",
    ]);
    assert.deepEqual(issues({ domains: ['web'] }), [
      'domains: domains must list at least 2 domains',
    ]);
    assert.deepEqual(issues({ domains: ['web', { name: 'code', max: 2 }] }), [
      'domains.1.max: domain max must be in [0, 1]',
    ]);
    assert.deepEqual(issues({ scales: [{ name: '1B', params: -1 }] }), [
      'scales.0.params: params must be a positive number of model parameters, e.g. 20e6',
    ]);
    assert.deepEqual(issues({ steps: { min: 100, max: 1000, logEvery: 2.5 } }), [
      'steps.logEvery: steps.logEvery must be a positive integer',
    ]);
    assert.deepEqual(issues({ metric: { name: 'loss', direction: 'down' } }), [
      "metric.direction: direction must be 'minimize' (a loss) or 'maximize' (an accuracy)",
    ]);
    assert.deepEqual(issues({ metric: { name: 'avg', direction: 'minimize', combine: [] } }), [
      'metric.combine: combine must list at least one { metric, weight }',
    ]);
    assert.deepEqual(issues({ cost: { kind: 'gpu-hours' } }), [
      "cost.kind: cost.kind must be 'flops' (6 x params x tokens) or 'table' (with perStep)",
    ]);
    assert.deepEqual(issues({ cost: { kind: 'table', perStep: { '1B': 0 } } }), [
      'cost.perStep.1B: a per-step cost must be a positive number',
    ]);
    assert.deepEqual(issues({ budget: 0 }), [
      'budget: budget must be a positive number of cost units (100 target steps)',
    ]);
    assert.deepEqual(issues({ seed: -1 }), ['seed: seed must be a non-negative integer']);
    assert.deepEqual(issues({ executor: { kind: 'k8s' } }), [
      "executor.kind: executor.kind must be 'simulator', 'local' or 'slurm'",
    ]);
    assert.deepEqual(issues({ executor: { kind: 'local', command: '  ' } }), [
      'executor.command: command must be a non-empty shell command, e.g. "node train.mjs"',
    ]);
  });

  it('bounds the lease between the lease limits', () => {
    const msg = `trials.leaseSeconds: leaseSeconds must be a number of seconds between ${LEASE_SECONDS_MIN} and ${LEASE_SECONDS_MAX} (365 days)`;
    assert.deepEqual(issues({ trials: { leaseSeconds: LEASE_SECONDS_MAX + 1 } }), [msg]);
    assert.deepEqual(issues({ trials: { leaseSeconds: 0 } }), [msg]);
    const ok = StudyConfigSchema.parse({ ...base, trials: { leaseSeconds: LEASE_SECONDS_MIN } });
    assert.equal(ok.trials.leaseSeconds, LEASE_SECONDS_MIN);
  });

  it('refuses unknown keys (strict objects)', () => {
    assert.match(issues({ budgett: 5 })[0]!, /budgett/);
    assert.match(
      issues({ steps: { min: 1, max: 2, logEvery: 1, every: 1 } })[0]!,
      /^steps: .*every/,
    );
  });
});
