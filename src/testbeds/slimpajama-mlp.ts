/**
 * The `slimpajama-mlp` testbed: the paper's simulator (arXiv 2503.21023), an
 * MLP trained on 472 SlimPajama pre-training runs of OLMo models 20M..1B.
 *
 * Reads `slimpajama-mlp.json` (weights) and `slimpajama-flops.csv` (FLOPs per
 * step by size) from the data directory (see {@link resolveDataDir}).
 *
 * Cost unit: 100 steps of the 1B model; `cost(m, z) = r_m * z / 100` where
 * `r_m` is the per-step FLOPs of size `m` relative to 1B (20M 0.01296 ... 1B 1),
 * so a full 1B run of 19,700 steps costs 197.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  type CurvePoint,
  DataError,
  type MetricSpec,
  type Mixture,
  type ReferenceOptimum,
  type Scale,
  type StepRange,
} from '../core/index.ts';
import { dataDirHelp, resolveDataDir, type TestbedDirOptions } from './data-dir.ts';
import { loadMlpModel, MlpEvaluator, type MlpModel } from './mlp-simulator.ts';
import { checkQuery, loggedSteps, metricIndex, scaleIndex } from './query.ts';
import { referenceOptimum } from './reference-optimum.ts';
import type { MixtureObjective, SimulatorTestbed } from './simulator.ts';

/** The scale ladder: name, parameters, and the d_model/heads the network was trained with. */
export const SLIMPAJAMA_SCALES: readonly (Scale & {
  readonly dModel: number;
  readonly heads: number;
})[] = [
  { name: '20M', params: 20e6, dModel: 256, heads: 8 },
  { name: '60M', params: 60e6, dModel: 512, heads: 8 },
  { name: '150M', params: 150e6, dModel: 768, heads: 12 },
  { name: '300M', params: 300e6, dModel: 1024, heads: 16 },
  { name: '500M', params: 500e6, dModel: 1280, heads: 16 },
  { name: '700M', params: 700e6, dModel: 1536, heads: 16 },
  { name: '1B', params: 1e9, dModel: 2048, heads: 16 },
];

/** Steps 100..19,700, logged every 100. */
export const SLIMPAJAMA_STEPS: StepRange = { min: 100, max: 19700, logEvery: 100 };

/** Domain names in mixture order (the network's first five inputs). */
export const SLIMPAJAMA_DOMAINS = [
  'wikipedia',
  'stackexchange',
  'github',
  'arxiv',
  'book',
] as const;

const METRIC_DESCRIPTIONS: Record<string, string> = {
  train_cross_entropy: 'cross-entropy on the training mixture',
  commoncrawl_cross_entropy: 'validation cross-entropy on CommonCrawl',
  c4_cross_entropy: 'validation cross-entropy on C4',
  wikipedia_cross_entropy: 'validation cross-entropy on Wikipedia',
  stackexchange_cross_entropy: 'validation cross-entropy on StackExchange',
  github_cross_entropy: 'validation cross-entropy on GitHub',
  arxiv_cross_entropy: 'validation cross-entropy on ArXiv',
  book_cross_entropy: 'validation cross-entropy on Books',
  hellaswag_accuracy: 'HellaSwag accuracy',
  piqa_accuracy: 'PIQA accuracy',
  arc_easy_accuracy: 'ARC-Easy accuracy',
};

/** Metric specs from output names: `*_accuracy` maximise, everything else (cross-entropies) minimise. */
export function metricSpecsFromOutputs(outputs: readonly string[]): MetricSpec[] {
  return outputs.map((name) => ({
    name,
    direction: name.endsWith('_accuracy') ? 'maximize' : 'minimize',
    description: METRIC_DESCRIPTIONS[name] ?? name,
  }));
}

/**
 * Per-step FLOPs of each size relative to 1B from the FLOPs table
 * (`model_size,step,flops`; slope = flops / step averaged over rows).
 * @throws DataError when the file is missing, malformed or lacks a size.
 */
export function loadRelativeStepCost(
  path: string,
  scales: readonly string[],
  reference = '1B',
): Map<string, number> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DataError(
      `cannot read FLOPs table ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}); pass --data-dir DIR or set MIXOPT_DATA to a directory containing slimpajama-flops.csv`,
      { path },
    );
  }
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<
      string,
      string
    >[];
  } catch (err) {
    throw new DataError(
      `malformed FLOPs table ${path}: ${(err as Error).message}; restore the original file`,
      { path },
    );
  }
  const sum = new Map<string, { s: number; n: number }>();
  for (const [i, r] of rows.entries()) {
    const size = r.model_size;
    const step = Number(r.step);
    const flops = Number(r.flops);
    if (size === undefined || !(step > 0) || !(flops > 0)) {
      throw new DataError(
        `malformed FLOPs table ${path}: row ${i + 2} needs model_size, a positive step and positive flops; restore the original file`,
        { path, row: i + 2 },
      );
    }
    const acc = sum.get(size) ?? { s: 0, n: 0 };
    acc.s += flops / step;
    acc.n += 1;
    sum.set(size, acc);
  }
  const ref = sum.get(reference);
  const out = new Map<string, number>();
  for (const s of scales) {
    const a = sum.get(s);
    if (a === undefined || ref === undefined) {
      throw new DataError(
        `FLOPs table ${path} has no rows for size '${a === undefined ? s : reference}'; restore the original file`,
        {
          path,
        },
      );
    }
    out.set(s, a.s / a.n / (ref.s / ref.n));
  }
  return out;
}

/** Options for {@link createSlimpajamaMlp}. */
export type SlimpajamaOptions = TestbedDirOptions;

/**
 * Loads the `slimpajama-mlp` testbed from the data directory.
 * @throws DataError naming the missing or malformed file and the fix.
 */
export function createSlimpajamaMlp(opts: SlimpajamaOptions = {}): SimulatorTestbed {
  const dir = resolveDataDir(opts);
  const modelPath = join(dir, 'slimpajama-mlp.json');
  if (!existsSync(modelPath)) {
    throw new DataError(
      `testbed 'slimpajama-mlp' needs slimpajama-mlp.json and slimpajama-flops.csv; ${modelPath} is absent. ${dataDirHelp(opts)}`,
      { path: modelPath },
    );
  }
  const model = loadMlpModel(modelPath);
  const fingerprint = createHash('sha256')
    .update(readFileSync(modelPath))
    .digest('hex')
    .slice(0, 16);
  if (model.inputs.length !== 9 || model.inputIndex.length === 0) {
    throw new DataError(
      `malformed testbed file ${modelPath}: expected 9 inputs, got ${model.inputs.length}; restore the original file`,
      {
        path: modelPath,
      },
    );
  }
  const stepCost = loadRelativeStepCost(
    join(dir, 'slimpajama-flops.csv'),
    SLIMPAJAMA_SCALES.map((s) => s.name),
  );
  return new SlimpajamaMlpTestbed(model, stepCost, fingerprint, opts);
}

class SlimpajamaMlpTestbed implements SimulatorTestbed {
  readonly name = 'slimpajama-mlp';
  readonly description =
    "The paper's simulator: an MLP trained on 472 SlimPajama pre-training runs (OLMo 20M..1B, 5 domains, 11 metrics)";
  readonly domains: readonly string[] = SLIMPAJAMA_DOMAINS;
  readonly scales: readonly Scale[] = SLIMPAJAMA_SCALES.map((s) => ({
    name: s.name,
    params: s.params,
  }));
  readonly steps = SLIMPAJAMA_STEPS;
  readonly metrics: readonly MetricSpec[];
  readonly target = { scale: '1B', steps: 19700 } as const;
  readonly costUnit = '100 steps of the 1B model';
  readonly fingerprint: string;
  private readonly evaluator: MlpEvaluator;
  private readonly x = new Float64Array(9);
  private readonly y: Float64Array;

  constructor(
    model: MlpModel,
    private readonly stepCost: Map<string, number>,
    fingerprint: string,
    private readonly dirs: TestbedDirOptions,
  ) {
    this.metrics = metricSpecsFromOutputs(model.outputs);
    this.evaluator = new MlpEvaluator(model);
    this.y = new Float64Array(model.outputs.length);
    this.fingerprint = `${fingerprint}-v1`;
  }

  /** Fills the raw input vector for (w, scale index, steps). */
  private fill(w: ArrayLike<number>, s: number, steps: number): Float64Array {
    const x = this.x;
    for (let i = 0; i < 5; i++) x[i] = w[i] as number;
    const sc = SLIMPAJAMA_SCALES[s] as (typeof SLIMPAJAMA_SCALES)[number];
    x[5] = sc.params / 1e6;
    x[6] = sc.dModel;
    x[7] = sc.heads;
    x[8] = steps;
    return x;
  }

  evaluateAll(mixture: Mixture, scale: string, steps: number): number[] {
    const q = checkQuery(this, mixture, scale, steps);
    return Array.from(this.evaluator.forward(this.fill(mixture, q.scale, steps), this.y));
  }

  evaluate(mixture: Mixture, scale: string, steps: number, metric: string): number {
    const q = checkQuery(this, mixture, scale, steps, metric);
    return this.evaluator.forward(this.fill(mixture, q.scale, steps), this.y)[q.metric] as number;
  }

  curve(mixture: Mixture, scale: string, steps: number, metric: string): CurvePoint[] {
    const q = checkQuery(this, mixture, scale, steps, metric);
    return loggedSteps(this.steps, steps).map((z) => ({
      step: z,
      value: this.evaluator.forward(this.fill(mixture, q.scale, z), this.y)[q.metric] as number,
    }));
  }

  cost(scale: string, steps: number): number {
    const s = scaleIndex(this, scale);
    const name = (this.scales[s] as Scale).name;
    return ((this.stepCost.get(name) as number) * steps) / 100;
  }

  /** Per-step cost of `scale` relative to the 1B model. */
  relativeStepCost(scale: string): number {
    return this.stepCost.get((this.scales[scaleIndex(this, scale)] as Scale).name) as number;
  }

  objective(metric: string, scale: string, steps: number): MixtureObjective {
    const o = metricIndex(this, metric);
    const s = scaleIndex(this, scale);
    const ev = new MlpEvaluator(this.evaluator.model);
    const x = new Float64Array(9);
    const y = new Float64Array(this.y.length);
    const g = new Float64Array(9);
    const sc = SLIMPAJAMA_SCALES[s] as (typeof SLIMPAJAMA_SCALES)[number];
    x[5] = sc.params / 1e6;
    x[6] = sc.dModel;
    x[7] = sc.heads;
    x[8] = steps;
    return {
      value(w) {
        for (let i = 0; i < 5; i++) x[i] = w[i] as number;
        return ev.forward(x, y)[o] as number;
      },
      valueAndGradient(w, grad) {
        for (let i = 0; i < 5; i++) x[i] = w[i] as number;
        const v = ev.valueAndGradient(x, o, g, y);
        for (let i = 0; i < 5; i++) grad[i] = g[i] as number;
        return v;
      },
    };
  }

  evaluateMany(mixtures: Float64Array, scale: string, steps: number, metric: string): Float64Array {
    const f = this.objective(metric, scale, steps);
    const n = Math.floor(mixtures.length / 5);
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) out[r] = f.value(mixtures.subarray(r * 5, r * 5 + 5));
    return out;
  }

  referenceOptimum(metric: string): ReferenceOptimum {
    return referenceOptimum(this, metric, this.dirs);
  }
}
