import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { reportFit } from '../../../src/cli/shared/testbed.ts';
import {
  createFittedTestbed,
  formatFitQuality,
  getTestbed,
  loadRecordedRuns,
} from '../../../src/testbeds/index.ts';
import { IRREGULAR_MAPPING, writeRuns } from '../../testbeds/runs-fixture.ts';

/** What `f` writes on stderr. */
function stderrOf(f: () => void): string {
  let text = '';
  const err = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string | Uint8Array, ...rest: never[]) => {
    if (typeof s !== 'string') return err(s, ...rest);
    text += s;
    return true;
  }) as typeof process.stderr.write;
  try {
    f();
  } finally {
    process.stderr.write = err;
  }
  return text;
}

describe('cli/shared/testbed', () => {
  it('reportFit: nothing for a testbed that is not fitted', () => {
    assert.equal(
      stderrOf(() => reportFit(getTestbed('law'))),
      '',
    );
  });

  it('reportFit: a fitted testbed’s held-out fit quality, one line per metric, on stderr', () => {
    const runs = writeRuns();
    const tb = createFittedTestbed(loadRecordedRuns(runs.csv, IRREGULAR_MAPPING), {
      cacheDir: join(runs.dir, 'cache'),
    });
    const quality = tb.fitQuality();
    const line = stderrOf(() => reportFit(tb));
    assert.equal(line, `${formatFitQuality(tb.name, tb.target.scale, quality)}\n`);
    assert.match(
      line,
      /^irregular-fit: fitted loss \(log\) on \d+ checkpoints; held out \d+ checkpoints of \d+ runs: R² /,
    );
  });
});
