import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataError, Rng, ValidationError } from '../../src/core/index.ts';
import {
  createLawTestbed,
  createSlimpajamaMlp,
  getTestbed,
  LAW_METRICS,
  loadLawParams,
  type SimulatorTestbed,
  searchOptimum,
} from '../../src/testbeds/index.ts';
import { needsData, tempDir } from './helpers.ts';

const law = getTestbed('law') as SimulatorTestbed;

describe('law testbed', () => {
  it('loads its committed parameters and reproduces the calibration script values to 1e-12', () => {
    const p = loadLawParams();
    assert.ok(p.checks !== undefined && p.checks.length >= 3);
    for (const c of p.checks) {
      const v = law.evaluateAll(c.mixture, c.scale, c.steps);
      LAW_METRICS.forEach((m, i) => {
        const want = c.values[m] as number;
        assert.ok(
          Math.abs((v[i] as number) - want) <= 1e-12 * Math.abs(want),
          `${m} at ${c.scale}/${c.steps}: ${v[i]} vs ${want}`,
        );
      });
    }
  });

  it('has the same domains, sizes, steps, target and metric names as slimpajama-mlp', () => {
    assert.deepEqual(law.domains, ['wikipedia', 'stackexchange', 'github', 'arxiv', 'book']);
    assert.deepEqual(
      law.scales.map((s) => s.name),
      ['20M', '60M', '150M', '300M', '500M', '700M', '1B'],
    );
    assert.deepEqual(law.steps, { min: 100, max: 19700, logEvery: 100 });
    assert.deepEqual(law.target, { scale: '1B', steps: 19700 });
    assert.deepEqual(
      law.metrics.map((m) => m.name),
      [...LAW_METRICS],
    );
    assert.ok(
      law.metrics.some((m) => m.name === 'commoncrawl_cross_entropy' && m.direction === 'minimize'),
    );
    assert.ok(
      law.metrics.some((m) => m.name === 'hellaswag_accuracy' && m.direction === 'maximize'),
    );
  });

  it('is deterministic: two instances give bit-identical answers', () => {
    const other = createLawTestbed();
    const rng = new Rng(11);
    for (let i = 0; i < 20; i++) {
      const w = rng.dirichlet(1, 5);
      assert.deepEqual(law.evaluateAll(w, '300M', 4200), other.evaluateAll(w, '300M', 4200));
    }
  });

  it('cost is 6 N tokens relative to 1B: 20M per step = 0.02, full 1B = 197', () => {
    assert.equal(law.cost('1B', 19700), 197);
    assert.ok(Math.abs(law.cost('20M', 100) - 0.02) < 1e-15);
    assert.ok(Math.abs(law.cost('700M', 19700) - 0.7 * 197) < 1e-9);
  });

  it('losses fall with size and steps (monotone curves: a scaling law)', () => {
    const w = [0.3, 0.1, 0.2, 0.2, 0.2];
    for (const m of law.metrics) {
      const c = law.curve(w, '150M', 5000, m.name);
      for (let j = 1; j < c.length; j++) {
        const d = (c[j] as { value: number }).value - (c[j - 1] as { value: number }).value;
        assert.ok(m.direction === 'minimize' ? d < 0 : d > 0, `${m.name} at step ${c[j]?.step}`);
      }
      const small = law.evaluate(w, '20M', 19700, m.name);
      const big = law.evaluate(w, '1B', 19700, m.name);
      assert.ok(m.direction === 'minimize' ? big < small : big > small, m.name);
    }
  });

  it('its optimum moves with scale for at least one metric', () => {
    let moved = 0;
    for (const m of law.metrics) {
      const opts = { nUniform: 1024, nSparse: 512, starts: 3 };
      const a = searchOptimum(law.objective(m.name, '20M', 19700), 5, m.direction, opts);
      const b = searchOptimum(law.objective(m.name, '1B', 19700), 5, m.direction, opts);
      const l1 = a.mixture.reduce((s, x, i) => s + Math.abs(x - (b.mixture[i] as number)), 0);
      if (l1 > 0.1) moved++;
    }
    assert.ok(moved >= 1, `no metric's optimum moved between 20M and 1B`);
  });

  it('validates queries like every testbed', () => {
    assert.throws(
      () => law.evaluate([0.5, 0.5, 0.5, 0, 0], '1B', 100, 'c4_cross_entropy'),
      ValidationError,
    );
    assert.throws(
      () => law.evaluate([0.2, 0.2, 0.2, 0.2, 0.2], '1B', 99, 'c4_cross_entropy'),
      /100\.\.19700/,
    );
  });

  it('malformed parameter file: DataError naming the file and how to regenerate it', () => {
    const dir = tempDir('lawparams');
    const bad = join(dir, 'law-params.json');
    writeFileSync(bad, JSON.stringify({ version: 1, domains: ['a'] }));
    assert.throws(
      () => loadLawParams(bad),
      (e: unknown) =>
        e instanceof DataError && e.message.includes(bad) && /calibrate-law\.py/.test(e.message),
    );
    writeFileSync(bad, '{');
    assert.throws(() => loadLawParams(bad), DataError);
  });
});

describe('law vs slimpajama-mlp (calibration)', { skip: needsData }, () => {
  it('values at the equal mixture lie within 20% of the simulator at 20M and 1B', () => {
    const mlp = createSlimpajamaMlp();
    const w = [0.2, 0.2, 0.2, 0.2, 0.2];
    for (const s of ['20M', '1B']) {
      const a = mlp.evaluateAll(w, s, 19700);
      const b = law.evaluateAll(w, s, 19700);
      LAW_METRICS.forEach((m, i) => {
        const rel = Math.abs((b[i] as number) - (a[i] as number)) / Math.abs(a[i] as number);
        assert.ok(rel < 0.2, `${m} at ${s}: law ${b[i]} vs mlp ${a[i]}`);
      });
    }
  });
});
