import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { instantiateKernel, moduleBytes, OUT, uleb } from '../../src/linalg/wasm-assembler.ts';

describe('wasm assembler', () => {
  it('encodes unsigned LEB128 (WebAssembly core spec, 5.2.2)', () => {
    assert.deepEqual(uleb(0), [0x00]);
    assert.deepEqual(uleb(127), [0x7f]);
    assert.deepEqual(uleb(128), [0x80, 0x01]);
    assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]);
  });

  it('assembles a valid module with the magic number and version 1, the same bytes every time', () => {
    const bytes = moduleBytes();
    assert.deepEqual([...bytes.subarray(0, 8)], [0x00, 0x61, 0x73, 0x6d, 0x01, 0, 0, 0]);
    const wasm = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } })
      .WebAssembly;
    assert.equal(wasm.validate(bytes), true);
    assert.deepEqual(moduleBytes(), bytes);
  });

  it('the tile kernel computes Σ_k X_a[k]·Y_b[k] into the 16 numbers at OUT', () => {
    const k = instantiateKernel();
    assert.ok(k !== null, 'Node 20 has WebAssembly SIMD');
    const mem = new Float64Array(k.memory.buffer);
    // Rows X_a = (a+1, a+2) at byte 128 + 16a, rows Y_b = (b, 1) at byte 256 + 16b.
    for (let a = 0; a < 4; a++) mem.set([a + 1, a + 2], (128 + 16 * a) / 8);
    for (let b = 0; b < 4; b++) mem.set([b, 1], (256 + 16 * b) / 8);
    k.tile(128, 144, 160, 176, 256, 272, 288, 304, 2, OUT);
    const got = Array.from(mem.subarray(OUT / 8, OUT / 8 + 16));
    const want: number[] = [];
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) want.push((a + 1) * b + (a + 2));
    assert.deepEqual(got, want);
  });
});
