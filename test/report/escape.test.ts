import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml, safeId } from '../../src/report/index.ts';

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters', () => {
    assert.equal(
      escapeHtml(`<a href="x">'&'</a>`),
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });

  it('escapes an ampersand once (an entity in the input is text, not markup) and leaves the rest', () => {
    assert.equal(escapeHtml('&lt; ü 1 < 2'), '&amp;lt; ü 1 &lt; 2');
    assert.equal(escapeHtml(''), '');
  });
});

describe('safeId', () => {
  it('keeps letters, digits, dot, underscore and dash, and folds every other run into one _', () => {
    assert.equal(safeId('c4_cross-entropy.v2'), 'c4_cross-entropy.v2');
    assert.equal(safeId('a b/c:d'), 'a_b_c_d');
    assert.equal(safeId('<script>alert(1)</script>'), '_script_alert_1_script_');
    assert.equal(safeId('ünï  code'), '_n_code');
  });
});
