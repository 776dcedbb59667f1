import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type BenchResult, summarize } from '../../../src/bench/index.ts';
import {
  jsonSummary,
  readBenchSummary,
  writeBenchReport,
} from '../../../src/cli/shared/bench-output.ts';
import { DataError, NotFoundError } from '../../../src/core/index.ts';
import { handTrajectory } from '../../bench/hand-trajectory.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mixopt-bench-output-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const o = { budget: 10, targetCost: 2, metric: 'loss' };
const summary = summarize(
  [handTrajectory('a', 0, [[2, 3]], o), handTrajectory('b', 0, [[4, 2]], o)],
  { reference: { loss: 1 }, gridPoints: 7 },
);

describe('jsonSummary', () => {
  it('the summary without its per-grid curves, with meta and the files written', () => {
    const meta = { seed: 0, workers: 1, wallSeconds: 2, jobSeconds: { a: 1 } };
    const result: BenchResult = { trajectories: [], summary, meta };
    const j = jsonSummary(result, ['x/loss.svg']) as Record<string, unknown>;
    assert.equal('curves' in j, false);
    assert.equal('grid' in j, false);
    assert.deepEqual(j['methods'], ['a', 'b']);
    assert.deepEqual(j['finalRegret'], summary.finalRegret);
    assert.deepEqual(j['meta'], meta);
    assert.deepEqual(j['files'], ['x/loss.svg']);
  });
});

describe('readBenchSummary', () => {
  it('looks for summary.json, summary.json.gz, bench.json, bench.json.gz in that order', () => {
    const dir = join(tmp, 'order');
    mkdirSync(dir);
    const doc = (testbed: string) =>
      JSON.stringify({ summary: { ...summary, testbed }, meta: { seed: 3 } });
    writeFileSync(join(dir, 'bench.json.gz'), gzipSync(doc('from-bench-gz')));
    assert.equal(readBenchSummary(dir).summary.testbed, 'from-bench-gz');
    writeFileSync(join(dir, 'bench.json'), doc('from-bench'));
    assert.equal(readBenchSummary(dir).summary.testbed, 'from-bench');
    writeFileSync(join(dir, 'summary.json.gz'), gzipSync(doc('from-summary-gz')));
    assert.equal(readBenchSummary(dir).summary.testbed, 'from-summary-gz');
    writeFileSync(join(dir, 'summary.json'), doc('from-summary'));
    const r = readBenchSummary(dir);
    assert.equal(r.summary.testbed, 'from-summary');
    assert.deepEqual(r.meta, { seed: 3 });
    // A file is read as it is.
    assert.equal(readBenchSummary(join(dir, 'bench.json')).summary.testbed, 'from-bench');
  });

  it('no results, an empty folder, a broken file and a file without a summary are named errors', () => {
    assert.throws(
      () => readBenchSummary(join(tmp, 'none')),
      (e: unknown) =>
        e instanceof NotFoundError && /no benchmark results at '.*none'/.test(e.message),
    );
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    assert.throws(
      () => readBenchSummary(empty),
      (e: unknown) =>
        e instanceof NotFoundError &&
        /holds no summary\.json, summary\.json\.gz, bench\.json, bench\.json\.gz; point --bench/.test(
          e.message,
        ),
    );
    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, '{');
    assert.throws(
      () => readBenchSummary(broken),
      (e: unknown) => e instanceof DataError && /cannot read .*broken\.json/.test(e.message),
    );
    const other = join(tmp, 'other.json');
    writeFileSync(other, JSON.stringify({ summary: { testbed: 't', methods: [] } }));
    assert.throws(
      () => readBenchSummary(other),
      (e: unknown) => e instanceof DataError && /has no benchmark "summary"/.test(e.message),
    );
  });
});

describe('writeBenchReport', () => {
  it('report.html and one PNG per chart, as asked', async () => {
    const dir = join(tmp, 'report');
    const files = await writeBenchReport({ summary }, dir, { html: true, png: true });
    assert.deepEqual(
      files.map((f) => f.slice(dir.length + 1)),
      ['report.html', 'metric-loss.png', 'regret.png'],
    );
    const none = await writeBenchReport({ summary }, join(tmp, 'none-asked'), {
      html: false,
      png: false,
    });
    assert.deepEqual(none, []);
  });
});
