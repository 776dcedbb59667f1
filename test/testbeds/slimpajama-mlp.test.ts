import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataError, NotFoundError, Rng, ValidationError } from '../../src/core/index.ts';
import {
  createSlimpajamaMlp,
  getTestbed,
  type SimulatorTestbed,
  userDataDir,
} from '../../src/testbeds/index.ts';
import { DATA_DIR, needsData, tempDir } from './helpers.ts';

const SCALE_BY_MILLIONS: Record<number, string> = {
  20: '20M',
  60: '60M',
  150: '150M',
  300: '300M',
  500: '500M',
  700: '700M',
  1000: '1B',
};

describe('slimpajama-mlp', { skip: needsData }, () => {
  const tb = needsData === false ? (getTestbed('slimpajama-mlp') as SimulatorTestbed) : undefined;
  const t = () => tb as SimulatorTestbed;

  it('reproduces every test vector to 1e-9 relative', () => {
    const { vectors } = JSON.parse(
      readFileSync(join(DATA_DIR, 'slimpajama-mlp.vectors.json'), 'utf8'),
    ) as {
      vectors: { input: number[]; output: number[] }[];
    };
    assert.ok(vectors.length >= 40);
    for (const v of vectors) {
      const scale = SCALE_BY_MILLIONS[v.input[5] as number] as string;
      const w = v.input.slice(0, 5);
      // The vectors' weights sum to 1 only to ~1e-16; evaluate through the fast
      // objective to feed the exact inputs, and through evaluateAll as users do.
      const all = t().evaluateAll(w, scale, v.input[8] as number);
      v.output.forEach((y, o) => {
        const rel = Math.abs((all[o] as number) - y) / Math.abs(y);
        assert.ok(
          rel <= 1e-9,
          `output ${o} of ${JSON.stringify(v.input)}: ${all[o]} vs ${y} (rel ${rel})`,
        );
      });
    }
  });

  it('declares 5 domains, 7 sizes, steps 100..19700 every 100, 11 metrics with directions', () => {
    assert.deepEqual(t().domains, ['wikipedia', 'stackexchange', 'github', 'arxiv', 'book']);
    assert.deepEqual(
      t().scales.map((s) => [s.name, s.params]),
      [
        ['20M', 20e6],
        ['60M', 60e6],
        ['150M', 150e6],
        ['300M', 300e6],
        ['500M', 500e6],
        ['700M', 700e6],
        ['1B', 1e9],
      ],
    );
    assert.deepEqual(t().steps, { min: 100, max: 19700, logEvery: 100 });
    assert.deepEqual(t().target, { scale: '1B', steps: 19700 });
    assert.equal(t().metrics.length, 11);
    const dir = Object.fromEntries(t().metrics.map((m) => [m.name, m.direction]));
    assert.equal(dir.commoncrawl_cross_entropy, 'minimize');
    assert.equal(dir.train_cross_entropy, 'minimize');
    assert.equal(dir.hellaswag_accuracy, 'maximize');
    assert.equal(dir.piqa_accuracy, 'maximize');
    assert.equal(dir.arc_easy_accuracy, 'maximize');
  });

  it('costs: full 1B run = 197, per-step ratios from the FLOPs table', () => {
    assert.equal(t().cost('1B', 19700), 197);
    const expected: Record<string, number> = {
      '20M': 0.01296,
      '60M': 0.03232,
      '150M': 0.07484,
      '300M': 0.14773,
      '500M': 0.21662,
      '700M': 0.2983,
      '1B': 1,
    };
    for (const [s, r] of Object.entries(expected)) {
      assert.ok(Math.abs(t().cost(s, 100) - r) < 5e-6, `${s}: ${t().cost(s, 100)} vs ${r}`);
      // Linear in steps: a continuation 6000 -> 12000 costs the same as 0 -> 6000.
      assert.ok(Math.abs(t().cost(s, 12000) - 2 * t().cost(s, 6000)) < 1e-12);
    }
  });

  it('curves: every 100 steps up to z (plus z itself), equal to evaluate at each step', () => {
    const w = [0.1, 0.2, 0.3, 0.25, 0.15];
    const c = t().curve(w, '150M', 1000, 'c4_cross_entropy');
    assert.deepEqual(
      c.map((p) => p.step),
      [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000],
    );
    for (const p of c) assert.equal(p.value, t().evaluate(w, '150M', p.step, 'c4_cross_entropy'));
    assert.deepEqual(
      t()
        .curve(w, '150M', 250, 'c4_cross_entropy')
        .map((p) => p.step),
      [100, 200, 250],
    );
  });

  it('curves are not monotone in general, but the trend is: 19700 steps beats 100 steps', () => {
    // Measured: the MLP's curves wiggle (e.g. hellaswag on most random mixtures),
    // so monotonicity is not a property of this simulator; the end-to-end improvement is.
    const rng = new Rng(3);
    let nonMonotone = 0;
    for (let i = 0; i < 12; i++) {
      const w = rng.dirichlet(1, 5);
      for (const m of t().metrics) {
        const c = t().curve(w, '1B', 19700, m.name);
        const first = (c[0] as { value: number }).value;
        const last = (c[c.length - 1] as { value: number }).value;
        if (m.direction === 'minimize')
          assert.ok(last < first, `${m.name} ${w}: ${first} -> ${last}`);
        else assert.ok(last > first, `${m.name} ${w}: ${first} -> ${last}`);
        for (let j = 1; j < c.length; j++) {
          const d = (c[j] as { value: number }).value - (c[j - 1] as { value: number }).value;
          if (m.direction === 'minimize' ? d > 0 : d < 0) {
            nonMonotone++;
            break;
          }
        }
      }
    }
    assert.ok(nonMonotone > 0, 'expected some non-monotone curves');
  });

  it('analytic input gradient matches central differences', () => {
    for (const metric of ['hellaswag_accuracy', 'github_cross_entropy']) {
      const f = t().objective(metric, '300M', 7000);
      const w = [0.1, 0.2, 0.3, 0.25, 0.15];
      const g = new Float64Array(5);
      (f.valueAndGradient as NonNullable<typeof f.valueAndGradient>)(w, g);
      const h = 1e-6;
      for (let i = 0; i < 5; i++) {
        const a = [...w];
        const b = [...w];
        a[i] = (a[i] as number) + h;
        b[i] = (b[i] as number) - h;
        const fd = (f.value(a) - f.value(b)) / (2 * h);
        assert.ok(
          Math.abs(fd - (g[i] as number)) < 1e-6 * Math.max(1, Math.abs(fd)),
          `${metric}[${i}]: ${g[i]} vs ${fd}`,
        );
      }
    }
  });

  it('evaluateMany agrees with evaluate', () => {
    const rng = new Rng(5);
    const ws = Array.from({ length: 20 }, () => rng.dirichlet(1, 5));
    const many = t().evaluateMany(Float64Array.from(ws.flat()), '60M', 3000, 'piqa_accuracy');
    for (const [i, w] of ws.entries())
      assert.equal(many[i], t().evaluate(w, '60M', 3000, 'piqa_accuracy'));
  });

  it('rejects invalid queries with errors naming the value and the accepted range', () => {
    const w = [0.2, 0.2, 0.2, 0.2, 0.2];
    const m = 'c4_cross_entropy';
    assert.throws(
      () => t().evaluate([0.2, 0.2, 0.2, 0.2, 0.3], '1B', 19700, m),
      (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        assert.match(e.message, /sum to 1\.1.*tolerance 0\.000001/);
        return true;
      },
    );
    assert.throws(
      () => t().evaluate([-0.1, 0.3, 0.2, 0.3, 0.3], '1B', 19700, m),
      /\[0\] = -0\.1 is negative/,
    );
    assert.throws(
      () => t().evaluate([0.25, 0.25, 0.25, 0.25], '1B', 19700, m),
      /must have 5 weights.*got 4/,
    );
    assert.throws(
      () => t().evaluate(w, '2B', 19700, m),
      (e: unknown) =>
        e instanceof NotFoundError && /'2B'.*20M, 60M, 150M, 300M, 500M, 700M, 1B/.test(e.message),
    );
    assert.throws(
      () => t().evaluate(w, '1B', 19700, 'mmlu'),
      (e: unknown) =>
        e instanceof NotFoundError && /'mmlu'.*commoncrawl_cross_entropy/.test(e.message),
    );
    for (const z of [50, 19800, 150.5]) {
      assert.throws(
        () => t().evaluate(w, '1B', z, m),
        (e: unknown) =>
          e instanceof ValidationError &&
          e.message.includes(`steps = ${z}`) &&
          /100\.\.19700/.test(e.message),
      );
    }
    assert.throws(() => t().curve(w, '1B', 20000, m), ValidationError);
    assert.throws(() => t().cost('3B', 100), NotFoundError);
  });
});

describe('slimpajama-mlp data errors', { skip: needsData }, () => {
  it('missing data directory: DataError naming the path and the fix', () => {
    const dir = join(tempDir('nodata'), 'missing');
    assert.throws(
      () => createSlimpajamaMlp({ dataDir: dir }),
      (e: unknown) =>
        e instanceof DataError &&
        e.message.includes(join(dir, 'slimpajama-mlp.json')) &&
        /--data-dir/.test(e.message) &&
        /MIXOPT_DATA/.test(e.message) &&
        /does not ship testbed data/.test(e.message) &&
        e.message.includes(userDataDir()),
    );
  });

  it('malformed JSON, malformed layers and a broken FLOPs table: DataError naming the file', () => {
    const dir = tempDir('baddata');
    copyFileSync(join(DATA_DIR, 'slimpajama-flops.csv'), join(dir, 'slimpajama-flops.csv'));
    writeFileSync(join(dir, 'slimpajama-mlp.json'), '{"inputs": [');
    assert.throws(
      () => createSlimpajamaMlp({ dataDir: dir }),
      (e: unknown) =>
        e instanceof DataError &&
        e.message.includes(join(dir, 'slimpajama-mlp.json')) &&
        /not valid JSON/.test(e.message),
    );
    const good = JSON.parse(readFileSync(join(DATA_DIR, 'slimpajama-mlp.json'), 'utf8')) as {
      layers: { weight: number[][] }[];
    };
    (good.layers[1] as { weight: number[][] }).weight[3] = [1, 2];
    writeFileSync(join(dir, 'slimpajama-mlp.json'), JSON.stringify(good));
    assert.throws(
      () => createSlimpajamaMlp({ dataDir: dir }),
      (e: unknown) => e instanceof DataError && /layers\[1\]\.weight\[3\]/.test(e.message),
    );
    copyFileSync(join(DATA_DIR, 'slimpajama-mlp.json'), join(dir, 'slimpajama-mlp.json'));
    writeFileSync(join(dir, 'slimpajama-flops.csv'), 'model_size,step,flops\n1B,100,8e8\n');
    assert.throws(
      () => createSlimpajamaMlp({ dataDir: dir }),
      (e: unknown) =>
        e instanceof DataError &&
        e.message.includes('slimpajama-flops.csv') &&
        /'20M'/.test(e.message),
    );
  });

  it('MIXOPT_DATA overrides the default, the option overrides MIXOPT_DATA', () => {
    const prev = process.env.MIXOPT_DATA;
    try {
      process.env.MIXOPT_DATA = join(tempDir('env'), 'nowhere');
      assert.throws(() => createSlimpajamaMlp(), /nowhere/);
      assert.equal(createSlimpajamaMlp({ dataDir: DATA_DIR }).name, 'slimpajama-mlp');
    } finally {
      if (prev === undefined) delete process.env.MIXOPT_DATA;
      else process.env.MIXOPT_DATA = prev;
    }
  });
});
