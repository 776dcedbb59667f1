import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.ts';
import { smallConfig } from '../study/helpers.ts';

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

describe('exit codes (docs/cli.md)', () => {
  it('a study database that cannot be created exits 3 naming the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixopt-exit-'));
    const db = join(dir, 'no-such-folder', 'x.db');
    const config = join(dir, 'study.yaml');
    writeFileSync(config, stringify(smallConfig()));
    const err = process.stderr.write.bind(process.stderr);
    let stderr = '';
    process.stderr.write = ((s: string) => {
      stderr += s;
      return true;
    }) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(['node', 'mixopt', 'study', 'create', config, '--db', db]);
    } finally {
      process.stderr.write = err;
    }
    assert.equal(code, 3, stderr);
    assert.ok(stderr.includes(db), stderr);
  });
});
