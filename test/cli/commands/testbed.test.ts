import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../../../src/cli/main.ts';
import { getTestbed, withNoise } from '../../../src/testbeds/index.ts';
import { tempDir } from '../../testbeds/helpers.ts';

const BIN = join(import.meta.dirname, '..', '..', '..', 'scripts', 'mixopt-dev.mjs');

/** Runs `node scripts/mixopt-dev.mjs ...args` (optionally feeding stdin); resolves with code, stdout, stderr. */
function mixopt(args: string[], input?: string, env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(input ?? '');
  });
}

/**
 * Runs the CLI in-process (`main(argv)`, the same code path as scripts/mixopt-dev.mjs
 * minus the process start-up), capturing stdout and stderr.
 */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const ow = process.stdout.write;
  const ew = process.stderr.write;
  process.stdout.write = ((c: string | Uint8Array) => {
    stdout += String(c);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => {
    stderr += String(c);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'mixopt', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
  }
}

const EVAL = ['testbed', 'eval', 'law', '--size', '1B', '--steps', '19700'];

describe('mixopt testbed (CLI)', () => {
  it('list, info and eval --json agree with the library', async () => {
    const list = await run(['testbed', 'list', '--json']);
    const info = await run(['testbed', 'info', 'law', '--json']);
    // One real process through scripts/mixopt-dev.mjs.
    const ev = await mixopt([
      ...EVAL,
      '--mixture',
      '0.2,0.2,0.2,0.2,0.2',
      '--json',
      '--curve',
      '--metric',
      'piqa_accuracy',
    ]);
    assert.equal(list.code, 0, list.stderr);
    assert.ok((JSON.parse(list.stdout) as { name: string }[]).some((t) => t.name === 'law'));
    assert.equal(info.code, 0, info.stderr);
    const i = JSON.parse(info.stdout) as { targetCost: number; metrics: unknown[] };
    assert.equal(i.targetCost, 197);
    assert.equal(i.metrics.length, 11);
    assert.equal(ev.code, 0, ev.stderr);
    const e = JSON.parse(ev.stdout) as {
      values: Record<string, number>;
      cost: number;
      curve: unknown[];
    };
    const law = getTestbed('law');
    assert.equal(
      e.values.piqa_accuracy,
      law.evaluate([0.2, 0.2, 0.2, 0.2, 0.2], '1B', 19700, 'piqa_accuracy'),
    );
    assert.equal(e.cost, 197);
    assert.equal(e.curve.length, 197);
  });

  it('every invalid input exits 2 with an error naming the value and the accepted range', async () => {
    const cases: [string[], RegExp][] = [
      [['--mixture', '0.2,0.2,0.2,0.2,0.3'], /sum to 1\.1, not 1 \(tolerance 0\.000001\)/],
      [['--mixture', '-0.2,0.4,0.2,0.3,0.3'], /\[0\] = -0\.2 is negative/],
      [['--mixture', '0.25,0.25,0.25,0.25'], /must have 5 weights.*got 4/],
      [['--mixture', '0.2,0.2,x,0.2,0.2'], /weight 3 is 'x', not a number/],
      [
        ['--mixture', '0.2,0.2,0.2,0.2,0.2', '--metric', 'mmlu'],
        /unknown metric 'mmlu'.*accepted metrics: train_cross_entropy/,
      ],
    ];
    const sizeAndSteps: [string[], RegExp][] = [
      [
        [
          'testbed',
          'eval',
          'law',
          '--mixture',
          '0.2,0.2,0.2,0.2,0.2',
          '--size',
          '2B',
          '--steps',
          '100',
        ],
        /unknown size '2B'.*20M, 60M/,
      ],
      [
        [
          'testbed',
          'eval',
          'law',
          '--mixture',
          '0.2,0.2,0.2,0.2,0.2',
          '--size',
          '1B',
          '--steps',
          '20000',
        ],
        /steps = 20000 .* 100\.\.19700/,
      ],
      [['testbed', 'info', 'no-such-testbed'], /unknown testbed 'no-such-testbed'/],
      [['testbed', 'optimum', 'law', '--metric', 'nope'], /unknown metric 'nope'/],
    ];
    const runs: { r: { code: number; stderr: string }; re: RegExp; what: string }[] = [];
    for (const [extra, re] of cases)
      runs.push({ r: await run([...EVAL, ...extra]), re, what: extra.join(' ') });
    for (const [args, re] of sizeAndSteps)
      runs.push({ r: await run(args), re, what: args.join(' ') });
    // And one through a real process: the exit status itself.
    runs.push({
      r: await mixopt([...EVAL, '--mixture', '0.5,0.5,0.5,0,0']),
      re: /sum to 1\.5/,
      what: 'process exit status',
    });
    for (const { r, re, what } of runs) {
      assert.equal(r.code, 2, `${what}: exit ${r.code}, stderr ${r.stderr}`);
      assert.match(r.stderr, re, what);
    }
  });

  it('a missing data directory exits 3 (data error) naming the path and the fix', async () => {
    const dir = join(tempDir('cli-nodata'), 'absent');
    const r = await run(['testbed', 'info', 'slimpajama-mlp', '--data-dir', dir, '--json']);
    assert.equal(r.code, 3, r.stderr);
    assert.ok(r.stderr.includes(join(dir, 'slimpajama-mlp.json')));
    assert.match(r.stderr, /pass --data-dir DIR \/ set MIXOPT_DATA=DIR/);
    assert.match(
      r.stderr,
      /mixopt does not ship testbed data: copy the files into \S+mixopt[/\\]testbeds/,
    );
    assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'E_DATA');
  });

  it('list marks the testbeds whose data is missing and says where to put it', async () => {
    const dir = join(tempDir('cli-nodata'), 'absent');
    const r = await run(['testbed', 'list', '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^slimpajama-mlp\s+MISSING\s/m);
    assert.match(r.stdout, /^law\s+built-in\s/m);
    assert.match(r.stdout, /^admire-ift\s+MISSING\s/m);
    assert.ok(r.stdout.includes(`slimpajama-mlp (${join(dir, 'slimpajama-mlp.json')})`), r.stdout);
    assert.ok(r.stdout.includes(`Looked in: ${dir} (--data-dir, absent)`), r.stdout);
  });

  it('optimum --json reports a mixture and value per metric (law, temp cache)', async () => {
    const r = await run([
      'testbed',
      'optimum',
      'law',
      '--metric',
      'book_cross_entropy',
      '--json',
      '--cache-dir',
      tempDir('cli-cache'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const o = JSON.parse(r.stdout) as {
      optima: { metric: string; mixture: number[]; value: number }[];
    };
    assert.equal(o.optima.length, 1);
    const law = getTestbed('law');
    assert.equal(
      o.optima[0]?.value,
      law.evaluate(o.optima[0]?.mixture as number[], '1B', 19700, 'book_cross_entropy'),
    );
  });
});

describe('mixopt testbed serve (JSON lines)', () => {
  it('answers info/eval/optimum, charges continuations incrementally, reports errors as {error:{code,message}}', async () => {
    const w = [0.2, 0.2, 0.2, 0.2, 0.2];
    const lines = [
      { op: 'info', id: 'a' },
      { op: 'eval', id: 1, mixture: w, size: '1B', steps: 6000, metric: 'c4_cross_entropy' },
      { op: 'eval', id: 2, mixture: w, size: '1B', steps: 12000, metric: 'c4_cross_entropy' },
      { op: 'eval', id: 3, mixture: w, size: '1B', steps: 3000, metric: 'c4_cross_entropy' },
      { op: 'eval', id: 4, mixture: w, size: '20M', steps: 200 },
      {
        op: 'eval',
        id: 5,
        mixture: [0.5, 0.6, 0, 0, 0],
        size: '1B',
        steps: 100,
        metric: 'c4_cross_entropy',
      },
      { op: 'eval', id: 6, mixture: w, size: '9B', steps: 100 },
      { op: 'frobnicate', id: 7 },
    ];
    const input = `${lines.map((l) => JSON.stringify(l)).join('\n')}\nnot json\n`;
    const r = await mixopt(['testbed', 'serve', 'law'], input, {
      MIXOPT_CACHE: tempDir('serve-cache'),
    });
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout
      .trim()
      .split('\n')
      // biome-ignore lint/suspicious/noExplicitAny: protocol replies are checked field by field below
      .map((l) => JSON.parse(l) as Record<string, any>);
    assert.equal(out.length, 9);
    assert.equal(out[0]?.id, 'a');
    assert.equal(out[0]?.result.name, 'law');
    assert.equal(out[0]?.result.targetCost, 197);
    const law = getTestbed('law');
    assert.equal(out[1]?.result.value, law.evaluate(w, '1B', 6000, 'c4_cross_entropy'));
    assert.equal(out[1]?.result.curve.length, 60);
    assert.equal(out[1]?.result.cost, 60);
    assert.equal(out[2]?.result.cost, 60); // 6000 -> 12000: only the extra steps
    assert.equal(out[2]?.result.continued, true);
    assert.equal(out[3]?.result.cost, 0); // already trained past 3000
    assert.equal(out[3]?.result.curve.length, 30);
    assert.ok(Math.abs((out[4]?.result.cost as number) - 0.04) < 1e-12);
    assert.equal(Object.keys(out[4]?.result.values).length, 11);
    assert.ok(Math.abs((out[4]?.result.spent as number) - 120.04) < 1e-9);
    assert.equal(out[5]?.id, 5);
    assert.equal(out[5]?.error.code, 'E_INVALID_INPUT');
    assert.match(out[5]?.error.message, /sum to 1\.1/);
    assert.equal(out[6]?.error.code, 'E_NOT_FOUND');
    assert.match(out[6]?.error.message, /'9B'/);
    assert.match(
      out[7]?.error.message,
      /unknown op "frobnicate"; accepted ops: info, eval, optimum, reset/,
    );
    assert.equal(out[8]?.error.code, 'E_INVALID_INPUT');
  });
});

describe('mixopt testbed / bench: families and --noise (CLI)', () => {
  it('info shows family knobs and noise; eval --noise prints observed beside truth', async () => {
    const info = await run(['testbed', 'info', 'family-interior-noisy', '--json']);
    assert.equal(info.code, 0, info.stderr);
    const i = JSON.parse(info.stdout) as {
      family: { params: { domains: number; unique: number }; seed: number };
      noise: { sd: number; small: number };
    };
    assert.equal(i.family.params.domains, 6);
    assert.equal(i.family.params.unique, 0.3);
    assert.equal(i.noise.sd, 0.003);
    const text = await run(['testbed', 'info', 'family-3', '--noise', 'off']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /family \(seed 6\): 3 domains, optimum interior/);
    assert.match(text.stdout, /observation noise: none/);
    const args = ['testbed', 'eval', 'law', '--mixture', '0.2,0.2,0.2,0.2,0.2', '--size', '60M'];
    const ev = await run([
      ...args,
      '--steps',
      '2000',
      '--noise',
      'sd=1%,seed=4',
      '--replicate',
      '2',
      '--json',
    ]);
    assert.equal(ev.code, 0, ev.stderr);
    const e = JSON.parse(ev.stdout) as {
      values: Record<string, number>;
      truth: Record<string, number>;
      replicate: number;
    };
    assert.equal(e.replicate, 2);
    const tb = withNoise(getTestbed('law'), { sd: 0.01, corr: 0.9, small: 2, seed: 4 });
    const w = [0.2, 0.2, 0.2, 0.2, 0.2];
    assert.equal(e.truth.c4_cross_entropy, tb.evaluate(w, '60M', 2000, 'c4_cross_entropy'));
    assert.equal(
      e.values.c4_cross_entropy,
      tb.observe?.(w, '60M', 2000, 'c4_cross_entropy', 2).at(-1)?.value,
    );
    const bad = await run([...args, '--steps', '2000', '--noise', 'sd=1%,corr=2']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /corr = 2 is out of range/);
    const spec = await run(['testbed', 'info', 'family:domains=4,optimun=face']);
    assert.equal(spec.code, 2);
    assert.match(spec.stderr, /unknown key 'optimun'; valid keys: preset, seed, domains/);
  });

  it('bench --noise runs on a family member and rejects a bad spec with exit 2', async () => {
    const base = [
      'bench',
      '--testbed',
      'family-vertex',
      '--methods',
      'random',
      '--metrics',
      'val_loss',
    ];
    const opts = ['--seeds', '1', '--budget', '400', '--workers', '1', '--quiet', '--json'];
    const ok = await run([...base, ...opts, '--noise', '0.5%']);
    assert.equal(ok.code, 0, ok.stderr);
    const bad = await run([...base, ...opts, '--noise', 'loud']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--noise: sd = 'loud' is not a number/);
  });
});
