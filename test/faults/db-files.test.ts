/**
 * Faults in the database file: another program's SQLite file, a file that
 * is not SQLite, damaged pages, a full disk, a read-only filesystem.
 *
 * Invariants: nothing writes to a file that is not a mixopt study database
 * (or empty); a storage failure is a typed error (exit 3) that says what
 * happened, and the file is left as it was; reading commands work on a
 * read-only filesystem, writing ones refuse and say why.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { parseStudyConfig, SqliteStudyStore, Study } from '../../src/index.ts';
import { cli } from '../cli/study-helpers.ts';
import { smallConfig, tempDir } from '../study/helpers.ts';

const hash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A study database with two trials and a few points, closed (its journal merged). */
function studyDb(path: string): void {
  const store = SqliteStudyStore.open(path);
  const study = Study.create(store, parseStudyConfig(smallConfig()));
  const [a, b] = study.ask(2, { owner: 'w' });
  study.tell(
    a!.id,
    [
      { step: 100, value: 3 },
      { step: 200, value: 2.5 },
    ],
    'w',
    { final: true },
  );
  study.tell(b!.id, { step: 100, value: 3.2 }, 'w');
  store.close();
}

/** Every command, reading and writing, pointed at `db`. */
function commands(db: string, out: string): string[][] {
  return [
    ['status', '--db', db],
    ['export', '--db', db],
    ['recommend', '--db', db],
    ['report', '--db', db, '--out', out, '--quiet'],
    ['study', 'list', '--db', db],
    ['ask', '--db', db],
    ['tell', '--db', db, '--trial', '1', '--step', '100', '--value', '1'],
    ['heartbeat', '--db', db, '--trial', '1'],
    ['run', '--db', db, '--max-trials', '1'],
  ];
}

/** A tmpfs of `size` mounted on a new folder, or why it could not be (not root, no mount). */
function tmpfs(size: string): { dir?: string; why?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mixopt-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { why: `cannot mount a tmpfs here (${(r.stderr || String(r.error)).trim()})` };
  }
  mounts.push(dir);
  return { dir };
}
const mounts: string[] = [];
after(() => {
  for (const d of mounts) spawnSync('umount', ['-l', d]);
});

describe('faults: database files', () => {
  it("another program's SQLite file: every command refuses it and it is left byte for byte as it was", async () => {
    const dir = tempDir();
    const db = join(dir, 'foreign.db');
    const f = new Database(db);
    f.exec(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada')",
    );
    f.close();
    const before = hash(db);
    for (const args of [
      ...commands(db, join(dir, 'r.html')),
      ['study', 'create', writeConfig(dir), '--db', db],
    ]) {
      const r = await cli(...args);
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /is a SQLite database but not a mixopt study database \(tables: users/,
      );
      assert.equal(hash(db), before, `${args[0]} changed the file`);
    }
    assert.equal(existsSync(`${db}-wal`), false);
    const g = new Database(db, { readonly: true });
    assert.equal(g.pragma('user_version', { simple: true }), 0);
    assert.equal(g.pragma('journal_mode', { simple: true }), 'delete');
    g.close();
  });

  it('an empty file holds no study (exit 2) and stays empty; a text file is not a database (exit 3)', async () => {
    const dir = tempDir();
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    for (const args of commands(empty, join(dir, 'r.html'))) {
      if (args[0] === 'study') continue; // listing an empty database prints nothing
      const r = await cli(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /holds no study/);
      assert.equal(statSync(empty).size, 0, `${args[0]} wrote to the empty file`);
    }
    const text = join(dir, 'notes.db');
    writeFileSync(
      text,
      'these are my notes, not a database; long enough for a header page\n'.repeat(20),
    );
    const before = hash(text);
    for (const args of commands(text, join(dir, 'r.html'))) {
      const r = await cli(...args);
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /not a usable study database: it is damaged or not SQLite/);
      assert.equal(hash(text), before);
    }
  });

  it('Study.open of a missing path or an empty file creates and initialises nothing', () => {
    const dir = tempDir();
    const missing = join(dir, 'missing.db');
    assert.throws(() => Study.open(missing), /no study database at/);
    assert.equal(existsSync(missing), false);
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    assert.throws(() => Study.open(empty), /holds no study/);
    assert.equal(statSync(empty).size, 0);
  });

  it('reading commands leave a study database byte for byte as it was', async () => {
    const dir = tempDir();
    const db = join(dir, 'study.db');
    studyDb(db);
    const before = hash(db);
    for (const args of commands(db, join(dir, 'r.html')).slice(0, 5)) {
      const r = await cli(...args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.equal(hash(db), before);
  });

  it('damaged pages: a storage error (exit 3) saying so, no stack trace, the file left as it was', async () => {
    const dir = tempDir();
    const db = join(dir, 'study.db');
    studyDb(db);
    // Overwrite every page after the first (the schema) with garbage.
    const size = statSync(db).size;
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(size - 4096, 0xa5), 0, size - 4096, 4096);
    closeSync(fd);
    const before = hash(db);
    for (const args of commands(db, join(dir, 'r.html'))) {
      const r = await cli(...args);
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /is not a usable study database: it is damaged.*SQLITE_(CORRUPT|NOTADB).*left the file as it was/,
      );
      assert.doesNotMatch(r.stderr, /internal error| {4}at /);
      assert.equal(hash(db), before);
    }
  });

  const full = tmpfs('2m');
  it('full disk: a tell fails with a storage error (exit 3), nothing told is lost, the next tell after freeing space works', {
    skip: full.why,
  }, async () => {
    const dir = full.dir as string;
    const db = join(dir, 'study.db');
    studyDb(db);
    const points = () => new Study(SqliteStudyStore.open(db, { mode: 'read' }), undefined).points();
    const told = points();
    // Fill the filesystem.
    const filler = join(dir, 'filler');
    const fd = openSync(filler, 'w');
    const block = Buffer.alloc(64 * 1024);
    try {
      for (;;) writeSync(fd, block);
    } catch {
      // ENOSPC: full
    }
    try {
      for (;;) writeSync(fd, block.subarray(0, 512));
    } catch {
      // full to the last block
    }
    closeSync(fd);
    const r = await cli('tell', '--db', db, '--trial', '2', '--step', '200', '--value', '2.9');
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /(disk holding study database .* is full|I\/O error on study database).*left as it was/,
    );
    assert.doesNotMatch(r.stderr, /internal error| {4}at /);
    rmSync(filler);
    assert.deepEqual(points(), told, 'nothing told was lost or changed');
    const again = await cli('tell', '--db', db, '--trial', '2', '--step', '200', '--value', '2.9');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(points().length, told.length + 1);
  });

  const ro = tmpfs('4m');
  it('read-only filesystem: status, export, recommend and report work; writing commands refuse, saying why (exit 3)', {
    skip: ro.why,
  }, async () => {
    const dir = ro.dir as string;
    const db = join(dir, 'study.db');
    studyDb(db);
    const before = hash(db);
    assert.equal(spawnSync('mount', ['-o', 'remount,ro', dir]).status, 0);
    const out = join(tempDir(), 'r.html');
    const reads = commands(db, out).slice(0, 5);
    for (const args of reads) {
      const r = await cli(...args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    const status = await cli('status', '--db', db, '--json');
    const s = JSON.parse(status.stdout) as { counts: { completed: number }; trials: unknown[] };
    assert.equal(s.counts.completed, 1);
    assert.equal(s.trials.length, 2);
    assert.match((await cli('export', '--db', db)).stdout, /^trial,/);
    for (const args of commands(db, out).slice(5)) {
      const r = await cli(...args);
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /cannot write to study database .*read-only; nothing was written. The reading commands/,
      );
    }
    assert.equal(hash(db), before);
  });
});

function writeConfig(dir: string): string {
  const p = join(dir, 'study.json');
  writeFileSync(p, JSON.stringify(smallConfig({ name: 'other' })));
  return p;
}
