// A study config seen as a search space (src/study/space.ts): the cost model
// c(m, z) in units of 100 target steps (flops and table), its errors, and the
// fields an optimiser sees.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigError,
  NotFoundError,
  parseStudyConfig,
  type StudyConfigInput,
  searchSpace,
  spaceFromStudy,
  studyCost,
  ValidationError,
} from '../internals.ts';
import { smallConfig } from './helpers.ts';

describe('studyCost', () => {
  it('flops cost: 100 target steps cost 1 unit; smaller scales by parameter ratio', () => {
    const c = parseStudyConfig(smallConfig());
    const cost = studyCost(c);
    assert.equal(cost('1B', 100), 1);
    assert.ok(Math.abs(cost('20M', 1000) - 0.2) < 1e-12);
    const t = parseStudyConfig(
      smallConfig({ cost: { kind: 'table', perStep: { '20M': 0.01296, '1B': 1 } } }),
    );
    assert.ok(Math.abs(studyCost(t)('20M', 19700) - 2.55312) < 1e-9);
  });

  it('with tokensPerStep: c(m, z) = (N_m T_m) / (N_* T_*) · z / 100', () => {
    const c = parseStudyConfig(
      smallConfig({
        scales: [
          { name: '20M', params: 20e6, tokensPerStep: 1000 },
          { name: '1B', params: 1e9, tokensPerStep: 4000 },
        ],
      }),
    );
    const cost = studyCost(c);
    // (20e6 · 1000) / (1e9 · 4000) = 0.005 per step; 500 steps -> 0.005 · 5 = 0.025
    assert.ok(Math.abs(cost('20M', 500) - 0.025) < 1e-15);
    assert.equal(cost('1B', 250), 2.5);
    assert.equal(cost('1B', 0), 0);
  });

  it('names an unknown scale with the known ones, and rejects negative or NaN steps', () => {
    const cost = studyCost(parseStudyConfig(smallConfig()));
    assert.throws(
      () => cost('7B', 100),
      (e: unknown) =>
        e instanceof NotFoundError &&
        e.message === "unknown scale '7B'; the study's scales are 20M, 1B",
    );
    assert.throws(
      () => cost('1B', -1),
      (e: unknown) => e instanceof ValidationError && e.message === 'steps must be >= 0, got -1',
    );
    assert.throws(() => cost('1B', Number.NaN), /steps must be >= 0, got NaN/);
  });
});

describe('spaceFromStudy and searchSpace', () => {
  it('copies domains, scales, steps, target and metric; no bounds when every domain spans [0, 1]', () => {
    const s = spaceFromStudy(parseStudyConfig(smallConfig()));
    assert.deepEqual(s.domains, ['a', 'b', 'c']);
    assert.equal(s.bounds, undefined);
    assert.equal(s.stepCandidates, undefined);
    assert.deepEqual(s.steps, { min: 100, max: 1000, logEvery: 100 });
    assert.deepEqual(s.target, { scale: '1B', steps: 1000 });
    assert.deepEqual(s.metric, { name: 'loss', direction: 'minimize' });
    assert.deepEqual(
      s.scales.map((x) => x.name),
      ['20M', '1B'],
    );
    assert.ok(Math.abs(s.cost('20M', 1000) - 0.2) < 1e-12);
  });

  it('passes bounds when a domain is bounded or fixed, and the step candidates', () => {
    const s = searchSpace(
      smallConfig({
        domains: ['a', { name: 'b', max: 0.5 }, { name: 'c', fixed: 0.2 }],
        steps: { min: 100, max: 1000, logEvery: 100, candidates: [500, 1000] },
      }) as StudyConfigInput,
    );
    assert.deepEqual(s.bounds, [
      { min: 0, max: 1 },
      { min: 0, max: 0.5 },
      { min: 0.2, max: 0.2 },
    ]);
    assert.deepEqual(s.stepCandidates, [500, 1000]);
  });

  it('searchSpace validates a raw config and lists its problems', () => {
    assert.throws(
      () => searchSpace(smallConfig({ domains: ['a'] }) as StudyConfigInput),
      (e: unknown) => e instanceof ConfigError && /at least 2 domains/.test(e.message),
    );
  });
});
