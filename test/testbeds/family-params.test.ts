import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../src/core/index.ts';
import {
  checkFamilyParams,
  FAMILY_DEFAULTS,
  FAMILY_KEYS,
  type FamilySpec,
  parseFamilySpec,
  parseSize,
  sizeName,
} from '../../src/testbeds/index.ts';

const noPresets = (): FamilySpec | undefined => undefined;

describe('parseSize and sizeName', () => {
  it('read K, M and B suffixes (any case) and plain counts; NaN for anything else', () => {
    assert.equal(parseSize('20M'), 2e7);
    assert.equal(parseSize('1.3b'), 1.3e9);
    assert.equal(parseSize(' 350000 '), 350000);
    assert.equal(parseSize('5k'), 5000);
    for (const s of ['', 'big', '1.3T', '-20M', '1e9']) assert.ok(Number.isNaN(parseSize(s)), s);
  });

  it('name a size by its largest unit, to 4 significant digits', () => {
    assert.equal(sizeName(2e7), '20M');
    assert.equal(sizeName(1e9), '1B');
    assert.equal(sizeName(1.3e9), '1.3B');
    assert.equal(sizeName(123456789), '123.5M');
    assert.equal(sizeName(5000), '5K');
    assert.equal(sizeName(999), '999');
    for (const n of [2e7, 6e7, 1.5e8, 1e9, 1.3e9]) assert.equal(parseSize(sizeName(n)), n);
  });
});

describe('checkFamilyParams', () => {
  it('fills the defaults', () => {
    assert.deepEqual(checkFamilyParams({}), FAMILY_DEFAULTS);
    assert.deepEqual(checkFamilyParams({ domains: 7 }), { ...FAMILY_DEFAULTS, domains: 7 });
  });

  it('names the knob, its value and the accepted range', () => {
    const bad: [Partial<typeof FAMILY_DEFAULTS>, string][] = [
      [{ domains: 21 }, 'x: domains = 21 is not accepted; an integer 3..20'],
      [{ spread: 0 }, 'x: spread = 0 is not accepted; a number in (0, 1], e.g. 0.06'],
      [
        { sizes: [2e7, 1e7] },
        'x: sizes = [20000000,10000000] is not accepted; ascending parameter counts >= 1e5, e.g. 20M:60M:1B',
      ],
      [
        { steps: { min: 100, max: 100, logEvery: 10 } },
        'x: steps = {"min":100,"max":100,"logEvery":10} is not accepted; integers min < max and 1 <= logEvery <= max, e.g. 500:20000:100',
      ],
      [
        { costTable: [1, 2, 3, 4, 5, 4] },
        'x: costTable = [1,2,3,4,5,4] is not accepted; 6 positive non-decreasing numbers, one per size',
      ],
      [{ overheadSteps: -1 }, 'x: overhead = -1 is not accepted; a non-negative number of steps'],
    ];
    for (const [p, message] of bad) {
      assert.throws(
        () => checkFamilyParams(p, 'x'),
        (e: unknown) => e instanceof ValidationError && e.message === message,
        message,
      );
    }
  });
});

describe('parseFamilySpec', () => {
  it('reads every kind of value over the defaults, with or without the family: prefix', () => {
    const s = parseFamilySpec('family:domains=4,spread=5%,unique=inf,seed=2', noPresets);
    assert.equal(s.seed, 2);
    assert.equal(s.params.domains, 4);
    assert.equal(s.params.spread, 0.05);
    assert.equal(s.params.unique, undefined);
    assert.equal(s.params.optimum, FAMILY_DEFAULTS.optimum);
    assert.deepEqual(parseFamilySpec('domains=4,spread=5%,unique=inf,seed=2', noPresets), s);
    assert.deepEqual(parseFamilySpec('family:', noPresets), { params: FAMILY_DEFAULTS, seed: 0 });
  });

  it('starts from a preset the callback resolves, then applies the other keys', () => {
    const preset: FamilySpec = {
      params: { ...FAMILY_DEFAULTS, domains: 9, drift: 'reverse' },
      seed: 5,
    };
    const s = parseFamilySpec('family:preset=p,domains=3', (n) => (n === 'p' ? preset : undefined));
    assert.equal(s.seed, 5);
    assert.equal(s.params.domains, 3);
    assert.equal(s.params.drift, 'reverse');
  });

  it('rejects an unknown, malformed or repeated key, listing the valid keys', () => {
    const keys = Object.keys(FAMILY_KEYS).join(', ');
    assert.throws(
      () => parseFamilySpec('family:domain=3', noPresets),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.message === `testbed 'family:domain=3': unknown key 'domain'; valid keys: ${keys}`,
    );
    assert.throws(
      () => parseFamilySpec('family:domains', noPresets),
      /unknown key 'domains' \(expected key=value\)/,
    );
    assert.throws(
      () => parseFamilySpec('family:domains=3,domains=4', noPresets),
      /testbed 'family:domains=3,domains=4': key 'domains' is given twice/,
    );
    assert.throws(
      () => parseFamilySpec('family:preset=q', noPresets),
      /preset 'q' is not a family preset/,
    );
  });
});
