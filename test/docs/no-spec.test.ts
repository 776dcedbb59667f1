// The repository stands alone: no file cites the project's internal SPEC
// document (it is not part of the repository). Checked over every tracked
// text file, CLI help text included (it lives in src/).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

describe('docs stand alone', () => {
  it('no tracked file cites SPEC', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' })
      .split('\0')
      .filter(
        (f) => /\.(ts|mjs|js|md|py|sh|yaml|json)$/.test(f) && !f.endsWith('package-lock.json'),
      );
    assert.ok(files.length > 100, `${files.length} files`);
    const hits: string[] = [];
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(f, 'utf8');
      } catch {
        continue; // listed but not in this checkout (e.g. deleted, not yet committed)
      }
      text.split('\n').forEach((line, i) => {
        // A citation: SPEC.md, SPEC §2.5, SPEC 2.6 (not `--noise SPEC`, a metavariable).
        if (/\bSPEC(\.md|\s*§|\s+\d)/.test(line) && !f.endsWith('no-spec.test.ts'))
          hits.push(`${f}:${i + 1}`);
      });
    }
    assert.deepEqual(hits, []);
  });
});
