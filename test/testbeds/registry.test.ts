import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { NotFoundError, ValidationError } from '../../src/core/index.ts';
import {
  getTestbed,
  listTestbeds,
  loadTestbedModule,
  openTestbed,
  resolveCacheDir,
  resolveDataDir,
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
  it('lists slimpajama-mlp and law (and admire-ift when its CSV exists)', () => {
    const names = listTestbeds().map((t) => t.name);
    assert.deepEqual(names.slice(0, 2), ['slimpajama-mlp', 'law']);
    assert.equal(names.includes('admire-ift'), HAVE_ADMIRE);
    assert.equal(listTestbeds().find((t) => t.name === 'law')?.needsData, false);
    assert.deepEqual(
      listTestbeds({ dataDir: join(tempDir('empty'), 'testbeds') }).map((t) => t.name),
      ['slimpajama-mlp', 'law'],
    );
  });

  it('unknown names: NotFoundError listing the known ones', () => {
    assert.throws(
      () => getTestbed('nope'),
      (e: unknown) => e instanceof NotFoundError && /'nope'.*slimpajama-mlp, law/.test(e.message),
    );
  });

  it('directories: option > env > default', () => {
    const prev = { d: process.env.MIXOPT_DATA, c: process.env.MIXOPT_CACHE };
    try {
      delete process.env.MIXOPT_DATA;
      delete process.env.MIXOPT_CACHE;
      assert.match(resolveDataDir(), /shared[/\\]testbeds$/);
      assert.match(resolveCacheDir(), /\.cache$/);
      process.env.MIXOPT_DATA = '/tmp/a';
      process.env.MIXOPT_CACHE = '/tmp/c';
      assert.equal(resolveDataDir(), '/tmp/a');
      assert.equal(resolveCacheDir(), '/tmp/c');
      assert.equal(resolveDataDir({ dataDir: '/tmp/b' }), '/tmp/b');
      assert.equal(resolveCacheDir({ cacheDir: '/tmp/d' }), '/tmp/d');
    } finally {
      for (const [k, v] of [
        ['MIXOPT_DATA', prev.d],
        ['MIXOPT_CACHE', prev.c],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
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
