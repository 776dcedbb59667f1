import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAPER_R2_E1_E5, PAPER_R2_E6_E8, paperR2 } from '../../src/transfer/paper.ts';

describe("paperR2 (the paper's held-out R²)", () => {
  it('E1..E5: the metric row at column E<n> − 1', () => {
    assert.equal(paperR2('E1', 'c4_cross_entropy'), 0.86);
    assert.equal(paperR2('E3', 'c4_cross_entropy'), 0.98);
    assert.equal(paperR2('E5', 'arxiv_cross_entropy'), 0.82);
    assert.equal(paperR2('E4', 'hellaswag_accuracy'), 0.94);
  });

  it('E6..E8: one value whatever the metric; custom splits and unknown metrics have none', () => {
    assert.equal(paperR2('E6', 'anything'), 0.69);
    assert.equal(paperR2('E7', 'c4_cross_entropy'), 0.77);
    assert.equal(paperR2('E8', 'piqa_accuracy'), 0.82);
    assert.equal(paperR2('custom', 'c4_cross_entropy'), undefined);
    assert.equal(paperR2('E2', 'train_cross_entropy'), undefined);
    assert.equal(paperR2('E2', 'loss'), undefined);
  });

  it('the tables: 10 metrics of 5 values and 3 truncation values, all R² in (0, 1)', () => {
    assert.equal(Object.keys(PAPER_R2_E1_E5).length, 10);
    for (const row of Object.values(PAPER_R2_E1_E5)) {
      assert.equal(row.length, 5);
      for (const r of row) assert.ok(r > 0 && r < 1);
    }
    assert.deepEqual(Object.keys(PAPER_R2_E6_E8), ['E6', 'E7', 'E8']);
  });
});
