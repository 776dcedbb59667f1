import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  DATA_DIR_SOURCE_LABEL,
  dataDirCandidates,
  dataDirHelp,
  packageRoot,
  resolveCacheDir,
  resolveDataDir,
  resolveRunsDir,
  userDataDir,
} from '../../src/testbeds/index.ts';
import { tempDir } from './helpers.ts';

describe('testbed data and cache directories', () => {
  it('directories: option > env > per-user folder > development checkout', () => {
    const keys = ['MIXOPT_DATA', 'MIXOPT_CACHE', 'XDG_DATA_HOME'] as const;
    const prev = keys.map((k) => process.env[k]);
    try {
      for (const k of keys) delete process.env[k];
      const xdg = tempDir('xdg');
      process.env.XDG_DATA_HOME = xdg;
      // No per-user folder yet: the checkout's ../shared/testbeds (this is a development checkout).
      assert.match(resolveDataDir(), /shared[/\\]testbeds$/);
      assert.deepEqual(
        dataDirCandidates().map((c) => [c.source, c.exists]),
        [
          ['user', false],
          ['checkout', existsSync(join(packageRoot(), '..', 'shared', 'testbeds'))],
        ],
      );
      assert.equal(userDataDir(), join(xdg, 'mixopt', 'testbeds'));
      assert.match(resolveCacheDir(), /\.cache$/);
      // The per-user folder, once it exists, comes before the checkout.
      mkdirSync(join(xdg, 'mixopt', 'testbeds'), { recursive: true });
      assert.equal(resolveDataDir(), join(xdg, 'mixopt', 'testbeds'));
      process.env.MIXOPT_DATA = '/tmp/a';
      process.env.MIXOPT_CACHE = '/tmp/c';
      assert.equal(resolveDataDir(), '/tmp/a');
      assert.equal(resolveCacheDir(), '/tmp/c');
      assert.equal(resolveDataDir({ dataDir: '/tmp/b' }), '/tmp/b');
      assert.equal(resolveCacheDir({ cacheDir: '/tmp/d' }), '/tmp/d');
      // An explicit folder is used even when absent, and the help names it and the per-user folder.
      const help = dataDirHelp({ dataDir: '/tmp/b-absent' });
      assert.ok(help.includes('/tmp/b-absent (--data-dir, absent)'), help);
      assert.ok(help.includes(join(xdg, 'mixopt', 'testbeds')), help);
    } finally {
      keys.forEach((k, i) => {
        const v = prev[i];
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      });
    }
  });

  it('recorded runs live beside the data folder; each source has a label for messages', () => {
    assert.equal(resolveRunsDir({ dataDir: '/x/testbeds' }), '/x/runs');
    assert.deepEqual(DATA_DIR_SOURCE_LABEL, {
      option: '--data-dir',
      env: '$MIXOPT_DATA',
      user: 'per-user data folder',
      checkout: 'development checkout',
    });
    // An explicit folder is the only candidate, present or not.
    assert.deepEqual(dataDirCandidates({ dataDir: '/nonexistent/td' }), [
      { source: 'option', path: '/nonexistent/td', exists: false },
    ]);
  });
});
