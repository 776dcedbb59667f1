import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/core/index.ts';
import {
  getFamilyPreset,
  isFamilyName,
  listFamilyPresets,
  openFamilyTestbed,
  parseFamilyName,
} from '../../src/testbeds/family-presets.ts';
import {
  familyOf,
  getTestbed,
  isNoisyTestbed,
  isSimulatorTestbed,
  listTestbeds,
} from '../../src/testbeds/index.ts';

describe('family presets', () => {
  it('each preset has complete knobs, a distinct seed and the domain count its description states', () => {
    const ps = listFamilyPresets();
    assert.equal(new Set(ps.map((p) => p.seed)).size, ps.length);
    for (const p of ps) {
      assert.ok(p.description.startsWith(`${p.params.domains} domains`), p.name);
      assert.equal(getFamilyPreset(p.name), p);
    }
    assert.equal(getFamilyPreset('family-nope'), undefined);
  });

  it('isFamilyName: a preset name or any family:... spec', () => {
    assert.equal(isFamilyName('family-reverse'), true);
    assert.equal(isFamilyName('family:domains=4'), true);
    assert.equal(isFamilyName('family-nope'), false);
    assert.equal(isFamilyName('law'), false);
  });

  it('parseFamilyName: preset=NAME starts from the preset, later keys override it', () => {
    const base = getFamilyPreset('family-reverse');
    assert.ok(base !== undefined);
    const s = parseFamilyName('family:preset=family-reverse,domains=7,seed=9');
    assert.equal(s.seed, 9);
    assert.deepEqual(s.params, { ...base.params, domains: 7 });
    assert.deepEqual(parseFamilyName('family:preset=family-reverse'), {
      params: base.params,
      seed: base.seed,
    });
    assert.throws(
      () => parseFamilyName('family:preset=family-nope'),
      (e: unknown) =>
        e instanceof ValidationError &&
        /preset 'family-nope' is not a family preset/.test(e.message),
    );
  });

  it('openFamilyTestbed: a preset keeps its name and description; a spec is named by itself; anything else is refused', () => {
    const v = openFamilyTestbed('family-vertex');
    assert.equal(v.name, 'family-vertex');
    assert.equal(v.description, getFamilyPreset('family-vertex')?.description);
    assert.equal(v.domains.length, 5);
    const spec = openFamilyTestbed('family:domains=4,seed=2');
    assert.equal(spec.name, 'family:domains=4,seed=2');
    assert.equal(spec.domains.length, 4);
    assert.throws(
      () => openFamilyTestbed('law'),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.message === "'law' is not a family preset or a family:... spec",
    );
  });
});

describe('family presets and specs', () => {
  it('lists the presets in the registry, noise where asked', () => {
    const names = listFamilyPresets().map((p) => p.name);
    assert.deepEqual(names, [
      'family-vertex',
      'family-face-drift',
      'family-interior-noisy',
      'family-reverse',
      'family-many',
      'family-3',
    ]);
    const listed = listTestbeds().map((t) => t.name);
    for (const n of names) assert.ok(listed.includes(n));
    for (const p of listFamilyPresets()) {
      const tb = getTestbed(p.name);
      assert.equal(tb.name, p.name);
      assert.equal(isNoisyTestbed(tb), p.params.noise !== undefined);
      assert.ok(isSimulatorTestbed(tb));
      assert.deepEqual(familyOf(tb)?.params, p.params);
    }
    const noisy = listFamilyPresets().find((p) => p.name === 'family-interior-noisy')?.params;
    assert.equal(noisy?.domains, 6);
    assert.equal(noisy?.noise?.sd, 0.003);
    assert.ok(Math.abs((noisy?.noise?.sd ?? 0) * (noisy?.noise?.small ?? 0) - 0.01) < 1e-4);
  });

  it('parses ad-hoc specs (on top of a preset, noise keys) and rejects bad ones by key', () => {
    const s = parseFamilyName('family:domains=10,optimum=interior,drift=reverse,noise=0.5%,seed=3');
    assert.equal(s.seed, 3);
    assert.equal(s.params.domains, 10);
    assert.equal(s.params.drift, 'reverse');
    assert.deepEqual(s.params.noise, { sd: 0.005, corr: 0.9, small: 2, seed: 3 });
    const p = parseFamilyName('family:preset=family-interior-noisy,domains=7,noise.corr=0.5');
    assert.equal(p.params.domains, 7);
    assert.equal(p.params.unique, 0.3);
    assert.deepEqual(p.params.noise, { sd: 0.003, corr: 0.5, small: 3.33, seed: 3 });
    assert.equal(parseFamilyName('family:preset=family-3,noise=off').params.noise, undefined);
    const q = parseFamilyName(
      'family:sizes=10M:100M:1.3B,steps=100:5000:50,cost=table,costTable=0.1:0.2:1,unique=inf',
    );
    assert.deepEqual(q.params.sizes, [1e7, 1e8, 1.3e9]);
    assert.deepEqual(q.params.steps, { min: 100, max: 5000, logEvery: 50 });
    const tb = getTestbed('family:sizes=10M:100M:1.3B,steps=100:5000:50,domains=3');
    assert.deepEqual(tb.target, { scale: '1.3B', steps: 5000 });
    const bad: [string, RegExp][] = [
      ['family:domain=3', /unknown key 'domain'; valid keys: preset, seed, domains/],
      ['family:domains=x', /domains = 'x' is not a number/],
      ['family:optimum=edge', /optimum = 'edge' is not one of vertex, face, interior/],
      ['family:domains=30', /domains = 30 is not accepted; an integer 3\.\.20/],
      ['family:preset=law', /preset 'law' is not a family preset/],
      ['family:noise.corr=0.5', /without a noise level/],
      ['family:noise=2%,noise.corr=3', /corr = 3 is out of range/],
      ['family:sizes=20M:big', /sizes entry 'big'/],
      ['family:seed=-1', /seed = '-1' must be a non-negative integer/],
    ];
    for (const [spec, re] of bad)
      assert.throws(
        () => getTestbed(spec),
        (e: unknown) => e instanceof ValidationError && re.test(e.message),
        spec,
      );
  });
});
