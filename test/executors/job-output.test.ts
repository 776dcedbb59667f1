import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lastLines, MetricLog, tailFile } from '../../src/executors/job-output.ts';

const line = (step: number, value: number) => `{"step": ${step}, "value": ${value}}\n`;

describe('job output', () => {
  it('MetricLog reads each byte once: a poll costs the new bytes only', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'mixopt-log-')), 'stdout');
    writeFileSync(f, `noise\n${line(100, 3)}`);
    const log = new MetricLog({ chunkBytes: 7 });
    assert.deepEqual(
      log.read([f], 'm', false).points.map((p) => p.step),
      [100],
    );
    const first = log.bytesRead;
    assert.equal(first, 6 + line(100, 3).length);
    appendFileSync(f, line(200, 2));
    const pts = log.read([f], 'm', false).points;
    assert.deepEqual(
      pts.map((p) => [p.step, p.value]),
      [
        [100, 3],
        [200, 2],
      ],
    );
    assert.equal(log.bytesRead - first, line(200, 2).length);
    assert.equal(log.read([f], 'm', false).points.length, 2);
    assert.equal(log.bytesRead - first, line(200, 2).length, 'nothing new, nothing read');
  });

  it('an unfinished last line counts only once the job has ended; an over-long line is skipped', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'mixopt-log-')), 'stdout');
    writeFileSync(f, `${'x'.repeat(300)}\n${line(100, 1)}{"step": 200, "value": 5}`);
    const log = new MetricLog({ chunkBytes: 16, maxLineBytes: 64 });
    assert.deepEqual(
      log.read([f], 'm', false).points.map((p) => p.step),
      [100],
    );
    assert.deepEqual(
      log.read([f], 'm', true).points.map((p) => p.step),
      [100, 200],
    );
    // A metric-looking line longer than maxLineBytes is not a metric line.
    appendFileSync(f, `\n{"step": 300, "value": 1, "pad": "${'y'.repeat(100)}"}\n${line(400, 4)}`);
    assert.deepEqual(
      log.read([f], 'm', true).points.map((p) => p.step),
      [100, 200, 400],
    );
  });

  it('a bad value stops reading; a replaced file is read from its start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixopt-log-'));
    const f = join(dir, 'stdout');
    writeFileSync(f, `${line(100, 1)}{"step": 200, "value": "NaN"}\n${line(300, 1)}`);
    const log = new MetricLog();
    const r = log.read([f], 'm', false);
    assert.deepEqual(
      r.points.map((p) => p.step),
      [100],
    );
    assert.match(r.bad ?? '', /non-finite m at step 200/);
    rmSync(f);
    writeFileSync(f, line(500, 5));
    assert.deepEqual(
      log.read([f], 'm', false).points.map((p) => p.step),
      [500],
    );
  });

  it('tailFile keeps whole lines of the last bytes; lastLines drops blanks', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'mixopt-log-')), 'stderr');
    writeFileSync(f, 'first line\nsecond line\nthird\n\n');
    assert.equal(tailFile(f, 12), 'third');
    assert.equal(tailFile(join(f, 'missing'), 12), '');
    assert.deepEqual(lastLines('a\n\nb\nc\n', 2), ['b', 'c']);
  });
});
