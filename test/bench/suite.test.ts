// The suite runner end to end on tiny cases of the toy testbed (test/bench/toy-testbed.ts):
// scoring, skipped cases, determinism per seed and across worker counts, resuming from --out.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  caseRef,
  defaultSuiteMethods,
  getSuite,
  optunaStatus,
  runSuite,
  SUITE_METHODS,
  SUITES,
  type Suite,
} from '../../src/bench/index.ts';
import { listFamilyPresets } from '../../src/testbeds/index.ts';
import { toyTestbed } from './toy-testbed.ts';

const TOY = new URL('./toy-testbed.ts', import.meta.url).href;
const TINY: Suite = {
  name: 'tiny',
  description: 'toy cases',
  seeds: 2,
  cases: [
    { id: 'toy/loss', testbed: 'toy', module: TOY, metric: 'loss', budgetTargetRuns: 3 },
    { id: 'toy/acc', testbed: 'toy', module: TOY, metric: 'acc', budgetTargetRuns: 3 },
    { id: 'nowhere/loss', testbed: 'nowhere', metric: 'loss', budgetTargetRuns: 3 },
  ],
};
const METHODS = ['hyperband', 'random', 'regmix'];
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('runSuite on tiny cases', async () => {
  const one = await runSuite({ suite: TINY, methods: METHODS, workers: 1 });
  it('scores every runnable case and lists the missing one with its reason', () => {
    const sb = one.scoreboard;
    assert.deepEqual(
      sb.cases.map((c) => c.id),
      ['toy/loss', 'toy/acc'],
    );
    assert.equal(sb.skipped.length, 1);
    assert.match(sb.skipped[0]?.reason ?? '', /unknown testbed 'nowhere'/);
    const c = sb.cases[0];
    assert.ok(c !== undefined);
    // budget = 3 target runs of cost 10; reference and uniform regret from the closed form
    assert.equal(c.budget, 30);
    assert.equal(c.targetCost, 10);
    assert.equal(c.reference, toyTestbed.referenceOptimum?.('loss')?.value as number);
    const u = toyTestbed.evaluate([1 / 3, 1 / 3, 1 / 3], 'L', 1000, 'loss');
    assert.ok(Math.abs(c.uniformRegret - (u - c.reference)) < 1e-12);
    assert.deepEqual(Object.keys(c.methods).sort(), [...METHODS].sort());
    for (const m of METHODS) {
      assert.equal(c.methods[m]?.seeds, 2);
      assert.equal(c.methods[m]?.failed, 0);
    }
    // random trains target runs only: its recommendation is a target run from x = 10 on,
    // so its final regret is the true regret of its best of three runs
    const rnd = one.cases[0]?.result.trajectories.filter((t) => t.method === 'random') ?? [];
    const finals = rnd.map((t) => (t.points[t.points.length - 1]?.value as number) - c.reference);
    assert.ok(
      Math.abs((c.methods['random']?.finalRegret.mean as number) - (finals[0]! + finals[1]!) / 2) <
        1e-12,
    );
    assert.equal(sb.targets.length, 4);
  });
  it('is deterministic per seed, for any number of workers', async () => {
    const again = await runSuite({ suite: TINY, methods: METHODS, workers: 2 });
    assert.deepEqual(again.scoreboard, one.scoreboard);
  });
  it('writes per-case results and the scoreboard, and resumes from them', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mixopt-suite-'));
    dirs.push(out);
    const first = await runSuite({ suite: TINY, methods: ['random'], workers: 1, out });
    for (const f of [
      'scoreboard.json',
      'scoreboard.md',
      'scoreboard.svg',
      'cases/toy_loss/bench.json.gz',
    ])
      assert.ok(existsSync(join(out, f)), f);
    assert.ok(first.files.includes(join(out, 'scoreboard.md')));
    const events: string[] = [];
    const second = await runSuite({
      suite: TINY,
      methods: METHODS,
      workers: 1,
      out,
      onCase: (e) => events.push(`${e.caseId}:${e.status}:${e.detail ?? ''}`),
    });
    assert.ok(events.includes('toy/loss:run:kept random'), events.join('; '));
    assert.deepEqual(second.scoreboard, one.scoreboard);
    const evs: string[] = [];
    await runSuite({
      suite: TINY,
      methods: METHODS,
      workers: 1,
      out,
      onCase: (e) => evs.push(`${e.caseId}:${e.status}`),
    });
    assert.deepEqual(evs, ['toy/loss:resumed', 'toy/acc:resumed', 'nowhere/loss:skipped']);
    const json = JSON.parse(readFileSync(join(out, 'scoreboard.json'), 'utf8'));
    assert.equal(json.scoreboard.cases.length, 2);
  });
  it('runs optuna-tpe by default only where the interpreter can import optuna', () => {
    const ms = defaultSuiteMethods('/nonexistent/python3');
    assert.deepEqual(ms, [...SUITE_METHODS]);
    assert.ok(!ms.includes('optuna-tpe') && ms.includes('regmix'));
  });
  it('names the suites and rejects unknown ones and unknown case ids', async () => {
    assert.deepEqual(Object.keys(SUITES), ['dev', 'full']);
    assert.throws(() => getSuite('huge'), /unknown suite 'huge'; known suites: dev, full/);
    await assert.rejects(
      runSuite({ suite: TINY, methods: METHODS, only: ['toy/nope'] }),
      /suite 'tiny' has no case 'toy\/nope'/,
    );
    const full = getSuite('full').cases;
    const ids = new Set(full.map((c) => c.id));
    assert.equal(ids.size, full.length, 'case ids are unique');
    for (const p of listFamilyPresets()) assert.ok(ids.has(`${p.name}/val_loss`), p.name);
    for (const k of [...full, ...getSuite('dev').cases]) assert.equal(k.budgetTargetRuns, 8, k.id);
    assert.ok(full.some((k) => k.noise !== undefined && k.testbed === 'slimpajama-mlp'));
  });
  it('on simulated workers runs optuna-tpe on the clock and leaves optuna-hyperband out, saying so', {
    skip: optunaStatus().available ? false : 'optuna unavailable',
    timeout: 120_000,
  }, async () => {
    const details: string[] = [];
    const r = await runSuite({
      suite: { ...TINY, cases: [TINY.cases[0] as Suite['cases'][number]] },
      methods: ['optuna-tpe', 'optuna-hyperband', 'random'],
      seeds: 1,
      workers: 1,
      clock: { workers: 3 },
      onCase: (e) => details.push(e.detail ?? ''),
    });
    const ts = r.cases[0]?.result.trajectories ?? [];
    assert.deepEqual(ts.map((t) => t.method).sort(), ['optuna-tpe', 'random']);
    const tpe = ts.find((t) => t.method === 'optuna-tpe');
    assert.deepEqual(tpe?.clock, { workers: 3 });
    // The first three runs start together, on workers 0, 1 and 2.
    const first = [...(tpe?.points ?? [])].sort((a, b) => a.run - b.run).slice(0, 3);
    assert.deepEqual(first.map((p) => [p.start, p.worker]).sort(), [
      [0, 0],
      [0, 1],
      [0, 2],
    ]);
    assert.ok(
      details.some((d) => d.startsWith('optuna-hyperband skipped')),
      details.join(' | '),
    );
    const jittered = await runSuite({
      suite: { ...TINY, cases: [TINY.cases[0] as Suite['cases'][number]] },
      methods: ['optuna-tpe', 'random'],
      seeds: 1,
      workers: 1,
      clock: { workers: 3, jitter: 0.2 },
    });
    assert.deepEqual(
      jittered.cases[0]?.result.trajectories.map((t) => t.method),
      ['random'],
    );
  });

  it('a noisy case hands its parsed noise to the harness; scored values stay the truth', async () => {
    const k = {
      id: 'toy/loss+noise',
      testbed: 'toy',
      module: TOY,
      metric: 'loss',
      budgetTargetRuns: 3,
    };
    assert.deepEqual(caseRef({ ...k, noise: 'sd=1%,corr=0.5,small=2,seed=4' }), {
      module: TOY,
      noise: { sd: 0.01, corr: 0.5, small: 2, seed: 4 },
    });
    assert.deepEqual(caseRef({ ...k, noise: 'off' }), { module: TOY, noise: null });
    assert.throws(
      () => caseRef({ ...k, noise: 'sd=1%,bad=2' }),
      /case toy\/loss\+noise: unknown key 'bad'/,
    );
    // The harness observes the noise (test/bench/noise.test.ts); a trajectory's values are
    // the true target values of the recommended mixtures.
    const r = await runSuite({
      suite: { ...TINY, cases: [{ ...k, noise: 'sd=5%' }] },
      methods: ['random'],
      workers: 1,
    });
    const t = r.cases[0]?.result.trajectories[0];
    assert.ok(t !== undefined && t.points.length > 0);
    for (const p of t.points) {
      assert.equal(p.value, toyTestbed.evaluate(p.recommended, 'L', 1000, 'loss'));
    }
  });
});

describe('runSuite with optimiser modules and a subject', () => {
  it('imports the modules in every worker and checks the targets for the subject', async () => {
    const COPY = new URL('./copy-optimizer.ts', import.meta.url).href;
    const r = await runSuite({
      suite: { ...TINY, cases: TINY.cases.slice(0, 1) },
      methods: ['hyperband', 'random', 'random-copy'],
      modules: [COPY],
      subject: 'random-copy',
      workers: 2,
    });
    const ts = r.cases[0]?.result.trajectories ?? [];
    const of = (m: string) =>
      ts.filter((t) => t.method === m).map((t) => t.points.map((p) => [p.x, p.value]));
    assert.equal(of('random-copy').length, 2);
    // the same optimiser with the same seeds: the same trajectories, run in the workers
    assert.deepEqual(of('random-copy'), of('random'));
    assert.equal(r.scoreboard.subject, 'random-copy');
    assert.match(r.scoreboard.targets[0]?.description ?? '', /^random-copy's mean final regret/);
  });
});

describe('mixopt bench --suite (CLI)', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['scripts/mixopt-dev.mjs', 'bench', ...args], { encoding: 'utf8' });
  it('--list prints every case of the suite and whether it can run here', () => {
    const r = cli('--suite', 'full', '--list', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as {
      suite: string;
      seeds: number;
      cases: { id: string; ready: boolean; budget?: number; reason?: string }[];
    };
    assert.equal(j.suite, 'full');
    assert.equal(j.cases.length, getSuite('full').cases.length);
    // law needs no data file: ready, with a budget of 8 target runs of cost 197
    const law = j.cases.find((k) => k.id === 'law/c4_cross_entropy');
    assert.equal(law?.ready, true);
    assert.equal(law?.budget, 8 * 197);
    for (const k of j.cases) assert.ok(k.ready || (k.reason ?? '').length > 0, k.id);
    const some = cli(
      '--suite',
      'full',
      '--list',
      '--json',
      '--cases',
      'law/piqa_accuracy,family-3/val_loss',
    );
    assert.equal(some.status, 0, some.stderr);
    // in suite order, whatever the order given
    assert.deepEqual(
      (JSON.parse(some.stdout) as { cases: { id: string }[] }).cases.map((k) => k.id),
      ['family-3/val_loss', 'law/piqa_accuracy'],
    );
  });
  it('rejects options the suite fixes, an unknown suite, and --list alone (exit 2 or 3)', () => {
    const a = cli('--suite', 'dev', '--metrics', 'loss', '--list');
    assert.equal(a.status, 2);
    assert.match(
      a.stderr,
      /--suite fixes the testbeds, metrics and budgets itself; drop --metrics/,
    );
    const b = cli('--suite', 'huge', '--list');
    assert.notEqual(b.status, 0);
    assert.match(b.stderr, /unknown suite 'huge'; known suites: dev, full/);
    const d = cli('--suite', 'dev', '--list', '--cases', 'law/nope');
    assert.equal(d.status, 2);
    assert.match(d.stderr, /suite 'dev' has no case 'law\/nope'; its cases: law\/c4_cross_entropy/);
    const c = cli('--list');
    assert.equal(c.status, 2);
    assert.match(c.stderr, /--list needs --suite dev\|full/);
    const e = cli('--suite', 'dev', '--list', '--methods', 'random', '--subject', 'bo');
    assert.equal(e.status, 2);
    assert.match(
      e.stderr,
      /--subject 'bo' is not among the methods \(random\); add it to --methods/,
    );
    const f = cli('--subject', 'bo', '--methods', 'bo');
    assert.equal(f.status, 2);
    assert.match(f.stderr, /--subject needs --suite/);
    const g = cli('--suite', 'dev', '--list', '--optimizer-module', 'no/such.mjs');
    assert.equal(g.status, 2);
    assert.match(g.stderr, /--optimizer-module: no file 'no\/such.mjs'/);
  });
});
