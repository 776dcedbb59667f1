// Importing mixopt does no work: no wasm compiled, no environment read, nothing registered.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

/** Runs `code` (an ES module body) in a fresh Node with the TypeScript loader; returns stdout. */
function fresh(code: string, env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe('importing the public entry', () => {
  it('compiles no wasm until the first use, then compiles it once', () => {
    const out = fresh(`
      await import('./src/index.ts');
      const a = await import('./src/linalg/wasm-arena.ts');
      const before = a.wasmBuffer();
      const lin = await import('./src/linalg/index.ts');
      lin.withWasmArrays([4], ([v]) => v.fill(1));
      console.log(JSON.stringify([before === null, a.wasmBuffer() !== null]));
    `);
    assert.equal(out, '[true,true]');
  });

  it('reads MIXOPT_WASM when the kernels are first needed, not at import', () => {
    const code = `
      const a = await import('./src/linalg/wasm-arena.ts');
      process.env.MIXOPT_WASM = '0';
      const off = a.initWasm();
      a.initWasm({ enabled: true });
      console.log(JSON.stringify([off, a.withWasmArrays([2], ([v]) => v.buffer === a.wasmBuffer())]));
    `;
    assert.equal(fresh(code), '[false,true]');
  });

  it('lists the built-in optimisers without any module registering itself', () => {
    const out = fresh(`
      const r = await import('./src/optimizers/registry.ts');
      console.log(r.listOptimizers().map((o) => o.name).join(','));
    `);
    assert.equal(out, 'asha,bo,hyperband,mf-bo,mfms-bo:paper,mfms-bo,random,regmix');
  });
});
