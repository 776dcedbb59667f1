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

describe('family presets', () => {
  it('six named presets, each with complete knobs, a distinct seed and the domain count its description states', () => {
    const ps = listFamilyPresets();
    assert.deepEqual(
      ps.map((p) => p.name),
      [
        'family-vertex',
        'family-face-drift',
        'family-interior-noisy',
        'family-reverse',
        'family-many',
        'family-3',
      ],
    );
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
