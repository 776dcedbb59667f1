import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.ts';

describe('cli main', () => {
  it("returns the command's own exit code, not the caller's, and restores the caller's", async () => {
    const out = process.stdout.write.bind(process.stdout);
    process.stdout.write = (() => true) as typeof process.stdout.write;
    process.exitCode = 7; // e.g. a test runner that has seen a failure
    let code: number;
    try {
      code = await main(['node', 'mixopt', '--version']);
    } finally {
      process.stdout.write = out;
    }
    const after = process.exitCode;
    process.exitCode = undefined;
    assert.equal(code, 0);
    assert.equal(after, 7);
  });

  it('usage errors exit 2', async () => {
    const err = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(['node', 'mixopt', '--no-such-option']);
    } finally {
      process.stderr.write = err;
    }
    assert.equal(code, 2);
  });
});
