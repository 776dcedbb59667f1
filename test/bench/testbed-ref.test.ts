// Naming a testbed across threads (src/bench/testbed-ref.ts): the argument
// the peers pass to `mixopt testbed serve`, and rebuilding a testbed from a
// name or a module export, with its noise.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { resolveTestbed, serveArgument } from '../../src/bench/index.ts';
import { NotFoundError, ValidationError } from '../../src/core/index.ts';
import { getTestbed } from '../../src/testbeds/index.ts';
import { toyTestbed } from './toy-testbed.ts';

const TOY_URL = new URL('./toy-testbed.ts', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'mixopt-ref-'));
const FACTORY = join(dir, 'factory.mjs');
writeFileSync(
  FACTORY,
  `import { toyTestbed } from ${JSON.stringify(TOY_URL)};
export default () => ({ ...toyTestbed, name: 'from-factory' });
export const notATestbed = { evaluate: () => 1 };
`,
);
const FACTORY_URL = pathToFileURL(FACTORY).href;

describe('serveArgument', () => {
  it('passes a name or path as is, and a module file by its path', () => {
    assert.equal(serveArgument({ name: 'law', noise: null }), 'law');
    assert.equal(serveArgument({ module: FACTORY_URL }), FACTORY);
    assert.equal(serveArgument({ module: FACTORY_URL, exportName: 'default' }), FACTORY);
    assert.equal(serveArgument({ module: FACTORY_URL, exportName: 'testbed' }), FACTORY);
  });

  it('refuses a bare specifier or a custom export, naming the module and export', () => {
    for (const ref of [
      { module: 'some-package' },
      { module: FACTORY_URL, exportName: 'notATestbed' },
    ]) {
      assert.throws(
        () => serveArgument(ref),
        (e: unknown) =>
          e instanceof ValidationError &&
          e.message.includes(`module ${ref.module} (export '${ref.exportName ?? 'default'}')`) &&
          e.message.includes('--testbed ./my-testbed.mjs'),
      );
    }
  });
});

describe('resolveTestbed', () => {
  it('opens a registered name', async () => {
    const tb = await resolveTestbed({ name: 'law' });
    assert.equal(tb.name, 'law');
    const w = tb.domains.map(() => 1 / tb.domains.length);
    const law = getTestbed('law');
    assert.equal(
      tb.evaluate(w, law.target.scale, law.target.steps, law.metrics[0]!.name),
      law.evaluate(w, law.target.scale, law.target.steps, law.metrics[0]!.name),
    );
  });

  it("takes the 'testbed' export, a named export, or calls a default factory", async () => {
    assert.equal(await resolveTestbed({ module: TOY_URL }), toyTestbed);
    assert.equal(await resolveTestbed({ module: TOY_URL, exportName: 'toyTestbed' }), toyTestbed);
    const made = await resolveTestbed({ module: FACTORY_URL });
    assert.equal(made.name, 'from-factory');
    assert.equal(made.evaluate([0.2, 0.2, 0.6], 'L', 1000, 'loss'), 1 + 2 / Math.sqrt(10));
  });

  it('names a missing export and an export that is not a testbed', async () => {
    await assert.rejects(
      resolveTestbed({ module: TOY_URL, exportName: 'nope' }),
      (e: unknown) =>
        e instanceof NotFoundError && e.message.includes(`module ${TOY_URL} has no export 'nope'`),
    );
    await assert.rejects(
      resolveTestbed({ module: FACTORY_URL, exportName: 'notATestbed' }),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.message ===
          `export 'notATestbed' of ${FACTORY_URL} is not a Testbed (needs evaluate, curve and cost)`,
    );
  });

  it('wraps with noise when given, and null removes it', async () => {
    const noisy = await resolveTestbed({
      module: TOY_URL,
      noise: { sd: 0.01, corr: 0.9, small: 2, seed: 3 },
    });
    assert.notEqual(noisy, toyTestbed);
    assert.equal(typeof noisy.observe, 'function');
    const w = [0.3, 0.3, 0.4];
    const a = noisy.observe!(w, 'L', 1000, 'loss', 0);
    const truth = toyTestbed.curve(w, 'L', 1000, 'loss');
    assert.deepEqual(
      a.map((p) => p.step),
      truth.map((p) => p.step),
    );
    assert.ok(
      a.some((p, i) => p.value !== truth[i]!.value),
      'observations are noisy',
    );
    assert.deepEqual(noisy.observe!(w, 'L', 1000, 'loss', 0), a, 'same replicate, same noise');
    assert.equal(await resolveTestbed({ module: TOY_URL, noise: null }), toyTestbed);
    await assert.rejects(
      resolveTestbed({ module: TOY_URL, noise: { sd: -1, corr: 0.9, small: 2, seed: 0 } }),
      ValidationError,
    );
  });
});
