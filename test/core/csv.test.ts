import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvCell } from '../../src/core/index.ts';

describe('csvCell', () => {
  it('writes plain values as they are and missing ones as empty cells', () => {
    assert.equal(csvCell('web'), 'web');
    assert.equal(csvCell(0.25), '0.25');
    assert.equal(csvCell(-3), '-3');
    assert.equal(csvCell(undefined), '');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(''), '');
  });

  it('quotes a cell holding a quote, comma or line break, doubling inner quotes (RFC 4180)', () => {
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('line\nbreak'), '"line\nbreak"');
    assert.equal(csvCell('cr\rhere'), '"cr\rhere"');
    assert.equal(csvCell('"'), '""""');
  });
});
