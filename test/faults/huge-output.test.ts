/**
 * Fault injection: a job that prints far more than a string can hold. Own
 * file, so that the peak memory measured here is this test's.
 *
 * Invariant: no told point lost, and the driver's memory stays flat however
 * much the job prints.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLocalExecutor } from '../../src/index.ts';
import { faultTrial, toEnd } from './helpers.ts';

const trial = faultTrial('huge', 300);

describe('faults: huge output', () => {
  it('600 MiB of stdout (past the 512 MiB string limit): every metric line is read, in bounded memory', async () => {
    // The hole of a sparse file reads as 600 MiB of NUL bytes and costs no disk.
    const cmd = [
      `echo '{"step": 100, "value": 3}'`,
      `truncate -s +600M "$MIXOPT_JOB_DIR/stdout"`,
      `echo; echo '{"step": 200, "value": 2}'`,
      `echo '{"step": 300, "value": 1}' >> "$MIXOPT_METRICS_FILE"`,
    ].join('; ');
    const ex = createLocalExecutor({
      command: cmd,
      workDir: mkdtempSync(join(tmpdir(), 'mixopt-huge-')),
    });
    const peakBefore = process.resourceUsage().maxRSS; // KiB
    const h = await ex.run(trial);
    const r = await toEnd(ex, h);
    const grew = (process.resourceUsage().maxRSS - peakBefore) / 1024; // MiB
    assert.equal(r.phase, 'completed', r.error);
    assert.deepEqual(
      r.points.map((p) => [p.step, p.value]),
      [
        [100, 3],
        [200, 2],
        [300, 1],
      ],
    );
    assert.ok(grew < 100, `peak memory grew by ${grew.toFixed(0)} MiB reading 600 MiB of output`);
  });
});
