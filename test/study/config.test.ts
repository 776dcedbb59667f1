import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ConfigError,
  DataError,
  loadStudyConfig,
  parseStudyConfig,
  studyJsonSchema,
} from '../internals.ts';
import { smallConfig, tempDir } from './helpers.ts';

/** The issues of a config that must fail. */
function issuesOf(raw: unknown): { path: string; message: string; value?: unknown }[] {
  try {
    parseStudyConfig(raw);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return [...err.issues];
  }
  assert.fail('config was accepted');
}

describe('study config', () => {
  it('accepts a valid config and applies defaults', () => {
    const c = parseStudyConfig(smallConfig({ optimizer: undefined, trials: undefined }));
    assert.equal(c.optimizer.method, 'mfms-bo');
    assert.deepEqual(c.trials, { leaseSeconds: 600, maxAttempts: 3, maxConsecutiveFailures: 5 });
    assert.deepEqual(c.cost, { kind: 'flops' });
    assert.deepEqual(c.domains[0], { name: 'a', min: 0, max: 1 });
  });

  it('normalises domain bounds and fixed weights', () => {
    const c = parseStudyConfig(
      smallConfig({ domains: ['a', { name: 'b', max: 0.5 }, { name: 'c', fixed: 0.2 }] }),
    );
    assert.deepEqual(c.domains, [
      { name: 'a', min: 0, max: 1 },
      { name: 'b', min: 0, max: 0.5 },
      { name: 'c', min: 0.2, max: 0.2 },
    ]);
  });

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['missing name', { name: undefined }, 'name', /study name must be a string.*got nothing/],
    ['bad domain type', { domains: ['a', 3] }, 'domains.1', /a domain is a name.*got 3/],
    ['too few domains', { domains: ['a'] }, 'domains', /at least 2 domains/],
    [
      'weight out of range',
      { domains: ['a', { name: 'b', max: 1.5 }] },
      'domains.1.max',
      /in \[0, 1\].*got 1.5/,
    ],
    ['duplicate domain', { domains: ['a', 'a'] }, 'domains.1', /listed twice/],
    [
      'min > max',
      { domains: ['a', { name: 'b', min: 0.6, max: 0.4 }] },
      'domains.1',
      /min 0.6 > max 0.4/,
    ],
    [
      'fixed with min',
      { domains: ['a', { name: 'b', fixed: 0.3, min: 0.1 }] },
      'domains.1',
      /either fixed or min\/max/,
    ],
    [
      'infeasible minimums',
      {
        domains: [
          { name: 'a', min: 0.7 },
          { name: 'b', min: 0.6 },
        ],
      },
      'domains',
      /minimums sum to 1.3/,
    ],
    [
      'infeasible maximums',
      {
        domains: [
          { name: 'a', max: 0.3 },
          { name: 'b', max: 0.3 },
        ],
      },
      'domains',
      /maximums sum to 0.6/,
    ],
    [
      'negative params',
      { scales: [{ name: '1B', params: -1 }] },
      'scales.0.params',
      /positive number of model parameters.*got -1/,
    ],
    [
      'duplicate scale',
      {
        scales: [
          { name: '1B', params: 1e9 },
          { name: '1B', params: 2e9 },
        ],
      },
      'scales.1.name',
      /listed twice/,
    ],
    [
      'unknown target scale',
      { target: { scale: '7B', steps: 1000 } },
      'target.scale',
      /one of the scales \(20M, 1B\).*got "7B"/,
    ],
    [
      'target steps out of range',
      { target: { scale: '1B', steps: 5000 } },
      'target.steps',
      /within steps.min..steps.max \(100..1000\).*got 5000/,
    ],
    [
      'steps min > max',
      { steps: { min: 2000, max: 1000, logEvery: 100 } },
      'steps.min',
      /<= steps.max/,
    ],
    [
      'fractional steps',
      { steps: { min: 100.5, max: 1000, logEvery: 100 } },
      'steps.min',
      /positive integer.*got 100.5/,
    ],
    [
      'candidate out of range',
      { steps: { min: 100, max: 1000, logEvery: 100, candidates: [500, 9000] } },
      'steps.candidates.1',
      /within 100..1000.*got 9000/,
    ],
    [
      'bad direction',
      { metric: { name: 'loss', direction: 'down' } },
      'metric.direction',
      /'minimize' \(a loss\) or 'maximize'.*got "down"/,
    ],
    [
      'duplicate combine part',
      {
        metric: {
          name: 'avg',
          direction: 'minimize',
          combine: [
            { metric: 'x', weight: 1 },
            { metric: 'x', weight: 2 },
          ],
        },
      },
      'metric.combine.1.metric',
      /appears twice/,
    ],
    ['bad cost kind', { cost: { kind: 'dollars' } }, 'cost.kind', /'flops'.*or 'table'/],
    [
      'cost table missing a scale',
      { cost: { kind: 'table', perStep: { '1B': 1 } } },
      'cost.perStep',
      /no entry for scale '20M'/,
    ],
    [
      'cost table unknown scale',
      { cost: { kind: 'table', perStep: { '1B': 1, '20M': 0.1, '3B': 2 } } },
      'cost.perStep.3B',
      /'3B' is not a scale/,
    ],
    ['negative budget', { budget: -5 }, 'budget', /positive number of cost units.*got -5/],
    ['negative seed', { seed: -1 }, 'seed', /non-negative integer.*got -1/],
    ['bad lease', { trials: { leaseSeconds: 0 } }, 'trials.leaseSeconds', /between 1 and 31536000/],
    [
      'bad executor kind',
      { executor: { kind: 'ssh' } },
      'executor.kind',
      /executor.kind must be 'simulator', 'local'/,
    ],
    ['local without command', { executor: { kind: 'local' } }, 'executor.command', /shell command/],
    ['unknown field', { colour: 'blue' }, '(root)', /unknown field\(s\) colour/],
  ];
  for (const [title, over, path, re] of cases) {
    it(`rejects ${title} at ${path}`, () => {
      const issues = issuesOf(smallConfig(over));
      const hit = issues.find((i) => i.path === path);
      assert.ok(hit, `no issue at ${path}; got ${JSON.stringify(issues)}`);
      assert.match(hit.message, re);
    });
  }

  it('reports every problem at once, with the bad value', () => {
    const issues = issuesOf(smallConfig({ seed: 'x', budget: 0 }));
    assert.deepEqual(
      issues.map((i) => i.path),
      ['budget', 'seed'],
    );
    assert.equal(issues.find((i) => i.path === 'seed')?.value, 'x');
  });

  it('loads YAML files and names the file in errors', () => {
    const dir = tempDir();
    const good = join(dir, 'good.yaml');
    writeFileSync(
      good,
      'name: y\ndomains: [a, b]\nscales: [{name: s, params: 1e6}]\nsteps: {min: 10, max: 100, logEvery: 10}\ntarget: {scale: s, steps: 100}\nmetric: {name: loss, direction: minimize}\n',
    );
    assert.equal(loadStudyConfig(good).name, 'y');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: [unclosed\n');
    assert.throws(() => loadStudyConfig(bad), DataError);
    assert.throws(() => loadStudyConfig(join(dir, 'none.yaml')), /cannot read study config/);
  });

  it('the committed schema/study.schema.json equals the generated one', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../schema/study.schema.json', import.meta.url), 'utf8'),
    );
    assert.deepEqual(committed, studyJsonSchema());
  });

  it('the simulator example is valid', () => {
    const c = loadStudyConfig(
      new URL('../../examples/study-simulator.yaml', import.meta.url).pathname,
    );
    assert.equal(c.executor?.kind, 'simulator');
  });

  it('the example study.yaml is valid', () => {
    const c = loadStudyConfig(new URL('../../examples/study.yaml', import.meta.url).pathname);
    assert.equal(c.target.scale, '1B');
    assert.equal(c.target.steps, 19700);
    assert.equal(c.metric.name, 'commoncrawl_cross_entropy');
  });
});
