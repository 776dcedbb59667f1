/**
 * The `slimpajama-mlp` network: loading its weights and a tight Float64 forward
 * pass with the gradient of one output with respect to the inputs.
 *
 * Notation:
 * - `x`   raw input, length 9 (five weights, size in millions, d_model, heads, steps);
 * - `xn`  normalised input `(x - x_mean) / x_std` (a zero std counts as 1e-8);
 * - `h0`  the masked normalised inputs (length `d0` = number of ones in `input_mask`, 7);
 * - `W_l` affine layer l, `out x in`, row-major; `h_l = relu(W_l h_{l-1} + b_l)`
 *         for the hidden layers, the last layer is linear;
 * - `yn`  network output (length 11), `y = yn * y_std + y_mean`.
 *
 * Reference: the simulator of arXiv 2503.21023 (file format in docs/testbeds.md).
 */
import { readFileSync } from 'node:fs';
import { DataError } from '../core/index.ts';

/** One affine layer: `weight` is `rows x cols` row-major. */
export interface MlpLayer {
  readonly rows: number;
  readonly cols: number;
  readonly weight: Float64Array;
  readonly bias: Float64Array;
}

/** The parsed network. */
export interface MlpModel {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Indices of the raw inputs the network reads, in order. */
  readonly inputIndex: readonly number[];
  readonly xMean: Float64Array;
  /** Standard deviations with zeros replaced by 1e-8. */
  readonly xStd: Float64Array;
  readonly yMean: Float64Array;
  readonly yStd: Float64Array;
  readonly layers: readonly MlpLayer[];
}

function fail(path: string, what: string): never {
  throw new DataError(
    `malformed testbed file ${path}: ${what}; restore the original file or point --data-dir / MIXOPT_DATA at a directory with a valid slimpajama-mlp.json`,
    { path },
  );
}

function numArray(path: string, v: unknown, name: string, len?: number): Float64Array {
  if (!Array.isArray(v) || (len !== undefined && v.length !== len)) {
    fail(path, `'${name}' must be an array${len !== undefined ? ` of ${len} numbers` : ''}`);
  }
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x))
      fail(path, `'${name}[${i}]' is not a finite number`);
    out[i] = x;
  }
  return out;
}

/**
 * Parses the `mlp-simulator/v1` JSON object (already read from `path`).
 * @throws DataError naming the path and the broken field.
 */
export function parseMlpModel(raw: unknown, path: string): MlpModel {
  if (raw === null || typeof raw !== 'object') fail(path, 'top level is not an object');
  const o = raw as Record<string, unknown>;
  const inputs = o.inputs;
  const outputs = o.outputs;
  if (!Array.isArray(inputs) || !inputs.every((s) => typeof s === 'string'))
    fail(path, "'inputs' must be a list of names");
  if (!Array.isArray(outputs) || !outputs.every((s) => typeof s === 'string'))
    fail(path, "'outputs' must be a list of names");
  const nIn = inputs.length;
  const nOut = outputs.length;
  const mask = numArray(path, o.input_mask, 'input_mask', nIn);
  const inputIndex: number[] = [];
  for (let i = 0; i < nIn; i++) if (mask[i] !== 0) inputIndex.push(i);
  const xMean = numArray(path, o.x_mean, 'x_mean', nIn);
  const xStd = numArray(path, o.x_std, 'x_std', nIn).map((s) => (s === 0 ? 1e-8 : s));
  const yMean = numArray(path, o.y_mean, 'y_mean', nOut);
  const yStd = numArray(path, o.y_std, 'y_std', nOut);
  if (!Array.isArray(o.layers) || o.layers.length === 0)
    fail(path, "'layers' must be a non-empty list");
  const layers: MlpLayer[] = [];
  let cols = inputIndex.length;
  for (let l = 0; l < o.layers.length; l++) {
    const L = o.layers[l] as Record<string, unknown> | null;
    if (L === null || typeof L !== 'object' || !Array.isArray(L.weight))
      fail(path, `'layers[${l}].weight' missing`);
    const rows = L.weight.length;
    const weight = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      const row = numArray(path, L.weight[r], `layers[${l}].weight[${r}]`, cols);
      weight.set(row, r * cols);
    }
    const bias = numArray(path, L.bias, `layers[${l}].bias`, rows);
    layers.push({ rows, cols, weight, bias });
    cols = rows;
  }
  if (cols !== nOut) fail(path, `last layer has ${cols} outputs but 'outputs' names ${nOut}`);
  return { inputs, outputs, inputIndex, xMean, xStd, yMean, yStd, layers };
}

/**
 * Reads and parses a network file.
 * @throws DataError when the file is missing, not JSON, or malformed.
 */
export function loadMlpModel(path: string): MlpModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DataError(
      `cannot read testbed file ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}); pass --data-dir DIR or set MIXOPT_DATA to a directory containing slimpajama-mlp.json (docs/testbeds.md: where the data is looked for)`,
      { path },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    fail(path, `not valid JSON (${(err as Error).message})`);
  }
  return parseMlpModel(raw, path);
}

/**
 * A forward/backward evaluator with preallocated buffers (not re-entrant:
 * one instance per thread of evaluation).
 */
export class MlpEvaluator {
  readonly model: MlpModel;
  /** Activations: acts[0] = masked normalised input, acts[l+1] = output of layer l. */
  private readonly acts: Float64Array[];
  private readonly grads: Float64Array[];

  constructor(model: MlpModel) {
    this.model = model;
    this.acts = [
      new Float64Array(model.inputIndex.length),
      ...model.layers.map((L) => new Float64Array(L.rows)),
    ];
    this.grads = [
      new Float64Array(model.inputIndex.length),
      ...model.layers.map((L) => new Float64Array(L.rows)),
    ];
  }

  /** Forward pass on raw input `x` (length 9); writes de-normalised outputs into `y` (length 11). */
  forward(x: ArrayLike<number>, y: Float64Array): Float64Array {
    const m = this.model;
    const h0 = this.acts[0] as Float64Array;
    const idx = m.inputIndex;
    for (let i = 0; i < idx.length; i++) {
      const j = idx[i] as number;
      h0[i] = ((x[j] as number) - (m.xMean[j] as number)) / (m.xStd[j] as number);
    }
    const nl = m.layers.length;
    for (let l = 0; l < nl; l++) {
      const L = m.layers[l] as MlpLayer;
      const inp = this.acts[l] as Float64Array;
      const out = this.acts[l + 1] as Float64Array;
      const W = L.weight;
      const b = L.bias;
      const cols = L.cols;
      const relu = l < nl - 1;
      for (let r = 0; r < L.rows; r++) {
        let s = b[r] as number;
        const off = r * cols;
        for (let c = 0; c < cols; c++) s += (W[off + c] as number) * (inp[c] as number);
        out[r] = relu && s < 0 ? 0 : s;
      }
    }
    const yn = this.acts[nl] as Float64Array;
    for (let o = 0; o < yn.length; o++)
      y[o] = (yn[o] as number) * (m.yStd[o] as number) + (m.yMean[o] as number);
    return y;
  }

  /**
   * Output `o` at `x` and its gradient `dy_o/dx` (written into `grad`, length 9;
   * zero for unmasked inputs), by back-propagation through the ReLU layers
   * (the sub-gradient 0 is used at a kink).
   */
  valueAndGradient(
    x: ArrayLike<number>,
    o: number,
    grad: Float64Array,
    yBuf: Float64Array,
  ): number {
    const m = this.model;
    this.forward(x, yBuf);
    const nl = m.layers.length;
    let g = this.grads[nl] as Float64Array;
    g.fill(0);
    g[o] = m.yStd[o] as number;
    for (let l = nl - 1; l >= 0; l--) {
      const L = m.layers[l] as MlpLayer;
      const gin = this.grads[l] as Float64Array;
      gin.fill(0);
      const cols = L.cols;
      const W = L.weight;
      for (let r = 0; r < L.rows; r++) {
        const gr = g[r] as number;
        if (gr === 0) continue;
        const off = r * cols;
        for (let c = 0; c < cols; c++) gin[c] = (gin[c] as number) + gr * (W[off + c] as number);
      }
      if (l > 0) {
        const a = this.acts[l] as Float64Array; // post-ReLU output of layer l-1
        for (let c = 0; c < cols; c++) if ((a[c] as number) <= 0) gin[c] = 0;
      }
      g = gin;
    }
    grad.fill(0);
    const idx = m.inputIndex;
    for (let i = 0; i < idx.length; i++) {
      const j = idx[i] as number;
      grad[j] = (g[i] as number) / (m.xStd[j] as number);
    }
    return yBuf[o] as number;
  }
}
