import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { mixtureText, namedMixture, openStudy } from '../../../src/cli/shared/study.ts';
import { NotFoundError } from '../../../src/core/index.ts';
import { smallConfig, tempDir } from '../../study/helpers.ts';
import { cli, studySetup as setup } from '../study-helpers.ts';

describe('cli/shared/study: opening a study', () => {
  it('a missing database or an ambiguous study is a clear error (exit 2)', async () => {
    const r = await cli('status', '--db', join(tempDir(), 'none.db'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no study database at .*mixopt study create/);
    const { config, db, dir } = setup();
    await cli('study', 'create', config, '--db', db);
    const other = join(dir, 'other.yaml');
    writeFileSync(other, stringify(smallConfig({ name: 'other' })));
    await cli('study', 'create', other, '--db', db);
    const amb = await cli('ask', '--db', db);
    assert.equal(amb.code, 2);
    assert.match(amb.stderr, /holds 2 studies \(small, other\); choose one with --study/);
  });

  it('openStudy: a missing file is a NotFoundError naming the path and the fix; read mode leaves the file as it was', async () => {
    const missing = join(tempDir(), 'none.db');
    assert.throws(
      () => openStudy({ db: missing }),
      (e: unknown) =>
        e instanceof NotFoundError &&
        e.message.includes(`no study database at '${missing}'`) &&
        e.message.includes(`mixopt study create study.yaml --db ${missing}`),
    );
    const { config, db } = setup();
    await cli('study', 'create', config, '--db', db);
    const before = readFileSync(db);
    const mtime = statSync(db).mtimeMs;
    const study = openStudy({ db }, 'read');
    assert.equal(study.name, 'small');
    assert.deepEqual(study.trials(), []);
    assert.deepEqual(readFileSync(db), before);
    assert.equal(statSync(db).mtimeMs, mtime);
  });

  it('--study picks one of several studies; an unknown name is named', async () => {
    const { config, db, dir } = setup();
    await cli('study', 'create', config, '--db', db);
    const other = join(dir, 'other.yaml');
    writeFileSync(other, stringify(smallConfig({ name: 'other' })));
    await cli('study', 'create', other, '--db', db);
    assert.equal(openStudy({ db, study: 'other' }, 'read').name, 'other');
    const r = await cli('status', '--db', db, '--study', 'nope');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /nope/);
  });
});

describe('cli/shared/study: printing a mixture', () => {
  it('namedMixture maps domains to weights; mixtureText rounds to 3 decimals', () => {
    assert.deepEqual(namedMixture(['web', 'code'], [0.25, 0.75]), { web: 0.25, code: 0.75 });
    assert.equal(
      mixtureText(['web', 'code', 'books'], [0.1234, 0.5, 0.3766]),
      'web=0.123 code=0.500 books=0.377',
    );
  });
});
