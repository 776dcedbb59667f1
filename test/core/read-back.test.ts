import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { DataError, readBack, readBackMeta } from '../../src/core/index.ts';

const Schema = z.object({ n: z.number().int(), name: z.string() });

describe('readBack (state read back from disk)', () => {
  it('returns the very value it checked, not a copy', () => {
    const v = { n: 3, name: 'x', extra: true };
    assert.equal(readBack(Schema, v, 'the thing', 'fix it'), v);
  });

  it('throws DataError: the subject, every bad field, the fix', () => {
    assert.throws(
      () => readBack(Schema, { n: 1.5 }, 'the saved thing', 'write it again', { id: 1 }),
      (err: unknown) =>
        err instanceof DataError &&
        err.message ===
          'the saved thing is malformed (n: Invalid input: expected int, received number; name: Invalid input: expected string, received undefined); write it again' &&
        err.details?.id === 1,
    );
  });

  it('readBackMeta names the executor and the job', () => {
    assert.throws(
      () =>
        readBackMeta(Schema, { executor: 'x', jobId: '7', meta: {} }, 'local', 'kill it by hand'),
      (err: unknown) =>
        err instanceof DataError &&
        err.message.startsWith('the meta of the stored handle of local job 7 is malformed (n: ') &&
        err.message.endsWith(
          '; it was not written by this version of the local executor: kill it by hand',
        ),
    );
  });
});
