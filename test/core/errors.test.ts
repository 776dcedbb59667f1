import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigError,
  DataError,
  EXIT_CODES,
  ExecutorError,
  exitCodeFor,
  InternalError,
  MixoptError,
  NotFoundError,
  NumericsError,
  StateError,
  storageErrorCode,
  UnsupportedError,
  ValidationError,
} from '../../src/core/index.ts';

describe('exit codes (docs/cli.md)', () => {
  it('map each error kind: 2 input, 3 data and storage, 1 state and the rest', () => {
    const sys = (code: string) => Object.assign(new Error(code), { code });
    const cases: [unknown, number][] = [
      [new ValidationError('x'), 2],
      [new ConfigError('x', []), 2],
      [new NotFoundError('x'), 2],
      [new UnsupportedError('x'), 2],
      [new DataError('x'), 3],
      [sys('SQLITE_BUSY'), 3],
      [sys('SQLITE_CORRUPT'), 3],
      [sys('ENOSPC'), 3],
      [sys('EACCES'), 3],
      [new StateError('x'), 1],
      [new NumericsError('x'), 1],
      [new ExecutorError('x'), 1],
      [new Error('a bug'), 1],
      [sys('ERR_SOMETHING_ELSE'), 1],
    ];
    for (const [err, code] of cases) assert.equal(exitCodeFor(err), code, String(err));
    // The documented set (docs/cli.md): 0 ok, 1 state, 2 input, 3 data/storage, 4 trials failed, 130 Ctrl-C.
    assert.deepEqual(Object.values(EXIT_CODES), [0, 1, 2, 3, 4, 130]);
  });
});

describe('storageErrorCode', () => {
  const sys = (code: unknown) => Object.assign(new Error('x'), { code });

  it('names SQLite and file-system errors from below mixopt, and nothing else', () => {
    assert.equal(storageErrorCode(sys('SQLITE_FULL')), 'SQLITE_FULL');
    for (const c of [
      'ENOENT',
      'EACCES',
      'EPERM',
      'ENOSPC',
      'EROFS',
      'EISDIR',
      'ENOTDIR',
      'EEXIST',
      'EIO',
    ])
      assert.equal(storageErrorCode(sys(c)), c);
    for (const e of [sys('ECONNRESET'), sys(5), new Error('x'), 'ENOENT', { code: 'ENOENT' }, null])
      assert.equal(storageErrorCode(e), undefined, String(e));
    // A mixopt error is never a storage error, whatever its details.
    assert.equal(storageErrorCode(new DataError('x', { code: 'ENOENT' })), undefined);
  });
});

describe('error classes', () => {
  it('carry a stable code, their class name, the message and the details', () => {
    const cases: [MixoptError, string, string][] = [
      [new ValidationError('m', { value: 1 }), 'E_INVALID_INPUT', 'ValidationError'],
      [new DataError('m'), 'E_DATA', 'DataError'],
      [new NumericsError('m'), 'E_NUMERICS', 'NumericsError'],
      [new NotFoundError('m'), 'E_NOT_FOUND', 'NotFoundError'],
      [new StateError('m'), 'E_STATE', 'StateError'],
      [new ExecutorError('m'), 'E_EXECUTOR', 'ExecutorError'],
      [new UnsupportedError('m'), 'E_UNSUPPORTED', 'UnsupportedError'],
      [new InternalError('m'), 'E_INTERNAL', 'InternalError'],
    ];
    for (const [e, code, name] of cases) {
      assert.ok(e instanceof MixoptError && e instanceof Error);
      assert.equal(e.code, code);
      assert.equal(e.name, name);
      assert.equal(e.message, 'm');
    }
    const v = new ValidationError('m', { value: 1 });
    assert.deepEqual(v.details, { value: 1 });
    assert.deepEqual(v.toJSON(), { code: 'E_INVALID_INPUT', message: 'm', details: { value: 1 } });
    assert.deepEqual(new StateError('s').toJSON(), { code: 'E_STATE', message: 's' });
    const issues = [{ path: 'scales.2.params', message: 'must be positive', value: -1 }];
    const c = new ConfigError('bad config', issues);
    assert.equal(c.code, 'E_INVALID_CONFIG');
    assert.deepEqual(c.issues, issues);
    assert.deepEqual(c.toJSON().details, { issues });
  });
});
