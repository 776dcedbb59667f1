import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataError, NotFoundError, ValidationError } from '../../src/core/index.ts';
import {
  getTestbed,
  listFamilyPresets,
  listTestbeds,
  loadTestbedModule,
  openTestbed,
} from '../../src/testbeds/index.ts';
import { HAVE_ADMIRE, tempDir } from './helpers.ts';

const MODULE = `
const tb = {
  name: 'toy', description: 'toy testbed', domains: ['x', 'y'],
  scales: [{ name: 'S', params: 1e6 }], steps: { min: 1, max: 10, logEvery: 1 },
  metrics: [{ name: 'loss', direction: 'minimize' }], target: { scale: 'S', steps: 10 }, costUnit: 'steps',
  evaluate: (w, s, z) => (w[0] - 0.3) ** 2 + 1 / z,
  curve(w, s, z) { return Array.from({ length: z }, (_, i) => ({ step: i + 1, value: this.evaluate(w, s, i + 1) })); },
  cost: (s, z) => z,
};
`;

describe('registry', () => {
  it('lists every testbed (the family presets too), marking those whose data is missing', () => {
    const all = listTestbeds();
    const family = listFamilyPresets().map((p) => p.name);
    assert.deepEqual(
      all.map((t) => t.name),
      ['slimpajama-mlp', 'law', ...family, 'admire-ift', 'admire-ift-fit'],
    );
    assert.equal(all.find((t) => t.name === 'law')?.needsData, false);
    assert.equal(all.find((t) => t.name === 'law')?.available, true);
    assert.equal(all.find((t) => t.name === 'admire-ift')?.available, HAVE_ADMIRE);
    const empty = join(tempDir('empty'), 'testbeds');
    const none = listTestbeds({ dataDir: empty });
    assert.deepEqual(
      none.map((t) => [t.name, t.available]),
      [
        ['slimpajama-mlp', false],
        ['law', true],
        ...family.map((n) => [n, true]),
        ['admire-ift', false],
        ['admire-ift-fit', false],
      ],
    );
    assert.equal(none[0]?.dataFile, join(empty, 'slimpajama-mlp.json'));
    assert.throws(
      () => getTestbed('admire-ift', { dataDir: empty }),
      (e: unknown) =>
        e instanceof DataError &&
        e.message.includes(join(empty, '..', 'runs', 'admire-ift-runs.csv')) &&
        e.message.includes('--data-dir'),
    );
  });

  it('unknown names: NotFoundError listing the known ones', () => {
    assert.throws(
      () => getTestbed('nope'),
      (e: unknown) => e instanceof NotFoundError && /'nope'.*slimpajama-mlp, law/.test(e.message),
    );
  });

  it('loads user modules exporting a testbed or a factory; rejects non-testbeds', async () => {
    const dir = tempDir('mod');
    writeFileSync(join(dir, 'obj.mjs'), `${MODULE}\nexport default tb;\n`);
    writeFileSync(
      join(dir, 'factory.mjs'),
      `${MODULE}\nexport default async (opts) => ({ ...tb, name: 'toy2' });\n`,
    );
    writeFileSync(join(dir, 'bad.mjs'), 'export default { name: "half", evaluate() {} };\n');
    const a = await loadTestbedModule(join(dir, 'obj.mjs'));
    assert.equal(a.evaluate([0.3, 0.7], 'S', 10, 'loss'), 0.1);
    assert.equal((await openTestbed(join(dir, 'factory.mjs'))).name, 'toy2');
    await assert.rejects(
      loadTestbedModule(join(dir, 'bad.mjs')),
      (e: unknown) =>
        e instanceof ValidationError &&
        /missing domains, scales, steps, metrics, target, costUnit, curve, cost/.test(e.message),
    );
    await assert.rejects(loadTestbedModule(join(dir, 'none.mjs')), NotFoundError);
  });
});
