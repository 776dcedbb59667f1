// One way to name a testbed everywhere: a registered name, a recorded-runs
// mapping file or a module path (default export), in every command; failed
// proposals and failed jobs in `bench`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type BenchResult, serveArgument } from '../../src/bench/index.ts';
import { benchExitCode, testbedRefOf } from '../../src/cli/commands/bench.ts';
import { ValidationError } from '../../src/core/index.ts';
import { writeRuns } from '../testbeds/runs-fixture.ts';
import { cli } from './study-helpers.ts';

const DEV_BIN = new URL('../../scripts/mixopt-dev.mjs', import.meta.url).pathname;

const TOY = `
const tb = {
  name: 'toy-module', description: 'toy testbed', domains: ['x', 'y'],
  scales: [{ name: 'S', params: 1e6 }], steps: { min: 1, max: 10, logEvery: 1 },
  metrics: [{ name: 'loss', direction: 'minimize' }], target: { scale: 'S', steps: 10 }, costUnit: 'steps',
  evaluate: (w, s, z) => (w[0] - 0.3) ** 2 + 1 / z,
  curve(w, s, z) {
    if (globalThis.FAIL_ALL) throw new Error('no such run');
    return Array.from({ length: z }, (_, i) => ({ step: i + 1, value: this.evaluate(w, s, i + 1) }));
  },
  cost: (s, z) => z,
  referenceOptimum: (metric) => ({ metric, mixture: [0.3, 0.7], value: 0.1, method: 'closed form' }),
};
`;

const runs = writeRuns();
const modulePath = join(runs.dir, 'toy.mjs');
writeFileSync(modulePath, `${TOY}export default tb;\n`);
const failingPath = join(runs.dir, 'failing.mjs');
writeFileSync(failingPath, `${TOY}globalThis.FAIL_ALL = true;\nexport default tb;\n`);
const cacheDir = join(runs.dir, 'cache');
const BENCH = ['--methods', 'random', '--seeds', '1', '--workers', '1', '--json', '--quiet'];

describe('naming a testbed in every command', () => {
  it('testbed info/optimum take a mapping file, a module path and --fit', async () => {
    const a = await cli('testbed', 'info', runs.mapping, '--json');
    assert.equal(a.code, 0, a.stderr);
    assert.equal(JSON.parse(a.stdout).name, 'irregular');
    const b = await cli('testbed', 'info', modulePath, '--json');
    assert.equal(b.code, 0, b.stderr);
    assert.equal(JSON.parse(b.stdout).name, 'toy-module');
    const c = await cli(
      'testbed',
      'info',
      runs.mapping,
      '--fit',
      '--json',
      '--cache-dir',
      cacheDir,
    );
    assert.equal(c.code, 0, c.stderr);
    assert.equal(JSON.parse(c.stdout).name, 'irregular-fit');
    assert.match(c.stderr, /irregular-fit: fitted loss \(log\) on \d+ checkpoints; held out/);
    const d = await cli('testbed', 'optimum', runs.mapping, '--json');
    assert.equal(d.code, 0, d.stderr);
    assert.equal(JSON.parse(d.stdout).optima[0].value, 2);
    const e = await cli('testbed', 'info', 'law', '--fit');
    assert.equal(e.code, 2);
    assert.match(e.stderr, /'law' is a simulator already: drop --fit/);
  });

  it('bench takes a mapping file, a module path with only a default export, --testbed-module and --fit', async () => {
    for (const args of [
      ['--testbed', runs.mapping],
      ['--testbed', modulePath],
      ['--testbed-module', modulePath],
      ['--testbed', runs.mapping, '--fit', '--cache-dir', cacheDir, '--budget', '30'],
    ]) {
      const r = await cli('bench', ...args, ...BENCH);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      const s = JSON.parse(r.stdout);
      assert.equal(s.errors.length, 0);
      assert.ok(['irregular', 'toy-module', 'irregular-fit'].includes(s.testbed));
    }
  });

  it('transfer takes a mapping file (the runs themselves) and --fit (runs drawn from the fitted testbed)', async () => {
    const a = await cli(
      'transfer',
      '--testbed',
      runs.mapping,
      '--experiments',
      'E3',
      '--seeds',
      '0',
      '--json',
    );
    assert.equal(a.code, 0, a.stderr);
    assert.match(JSON.parse(a.stdout).source, /runs\.csv$/);
    const b = await cli(
      'transfer',
      '--testbed',
      runs.mapping,
      '--fit',
      '--cache-dir',
      cacheDir,
      '--runs-per-scale',
      'S:6,L:6',
      '--experiments',
      'E1,E2',
      '--seeds',
      '0',
      '--json',
    );
    assert.equal(b.code, 0, b.stderr);
    assert.deepEqual(Object.keys(JSON.parse(b.stdout).experiments), ['E1', 'E2']);
  });

  it('testbed serve takes a mapping file with --fit (what the peers start)', async () => {
    const input = `${[
      '{"op":"info","id":1}',
      '{"op":"eval","id":2,"mixture":[0.4,0.6],"size":"L","steps":1000,"metric":"loss"}',
      '{"op":"optimum","id":3,"metric":"loss"}',
    ].join('\n')}\n`;
    const p = spawnSync(
      process.execPath,
      [DEV_BIN, 'testbed', 'serve', runs.mapping, '--fit', '--cache-dir', cacheDir],
      { input, encoding: 'utf8' },
    );
    const r = { code: p.status, stdout: p.stdout, stderr: p.stderr };
    assert.equal(r.code, 0, r.stderr);
    const [info, ev, opt] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(info.result.name, 'irregular-fit');
    assert.ok(ev.result.value > 0 && ev.result.value < 4, JSON.stringify(ev));
    assert.equal(opt.result.metric, 'loss');
  });

  it('the peers name the same testbed to their server', () => {
    assert.equal(serveArgument({ name: '/tmp/x.mapping.json', fit: true }), '/tmp/x.mapping.json');
    assert.equal(serveArgument({ module: pathToFileURL(modulePath).href }), modulePath);
    assert.throws(
      () => serveArgument({ module: 'some-package', exportName: 'other' }),
      (e: unknown) =>
        e instanceof ValidationError && /default export is the testbed/.test(e.message),
    );
    assert.deepEqual(testbedRefOf({ testbed: 'runs.mapping.json', fit: true }), {
      name: join(process.cwd(), 'runs.mapping.json'),
      fit: true,
    });
    assert.deepEqual(testbedRefOf({ testbed: 'law' }), { name: 'law' });
  });
});

describe('bench: failed proposals and failed jobs', () => {
  it('a replay proposal outside a run is a failed run in the summary; the job goes on', async () => {
    // mfms-bo asks for sizes and steps that some runs never recorded.
    const args = ['--testbed', runs.mapping, '--methods', 'mfms-bo', '--budget', '40'];
    const r = await cli('bench', ...args, '--seeds', '1', '--workers', '1', '--json', '--quiet');
    const s = JSON.parse(r.stdout);
    assert.equal(s.errors.length, 0, JSON.stringify(s.errors));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(s.failedProposals.length > 0);
    assert.match(s.failedProposals[0].first, /recorded at steps .*nearest recorded step/);
    const md = await cli('bench', ...args, '--seeds', '1', '--workers', '1', '--quiet');
    assert.match(
      md.stdout,
      /## Failed proposals\n\n- mfms-bo \/ loss \/ seed 0: \d+ failed \(charged nothing\)/,
    );
  });

  it('exits 4 when every job failed and 1 when some did, after writing the summary', async () => {
    const r = await cli('bench', '--testbed', failingPath, ...BENCH);
    assert.equal(r.code, 4, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.errors.length, 1);
    assert.match(
      s.errors[0].error,
      /20 proposals in a row failed on testbed 'toy-module'; the last: Error: no such run/,
    );
    assert.match(r.stderr, /1 of 1 jobs failed/);
    const some = {
      trajectories: [{}, {}],
      summary: { errors: [{ method: 'random', metric: 'loss', seed: 0, error: 'x' }] },
    } as unknown as BenchResult;
    assert.equal(benchExitCode(some), 1);
  });
});
