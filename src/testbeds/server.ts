/**
 * The testbed server protocol (JSON lines), independent of any I/O: a
 * {@link TestbedSession} turns one request line into one reply line. The CLI
 * (`mixopt testbed serve NAME`) wires it to stdin/stdout.
 *
 * Requests (one JSON object per line; an optional `id` is echoed back):
 * - `{"op":"info"}` -> `{"result":{name, domains, scales, steps, metrics, target, costUnit, ...}}`
 * - `{"op":"eval","mixture":[...],"size":"1B","steps":6000,"metric":"m"}` ->
 *   `{"result":{"value", "curve":[{step,value}], "cost", "fullCost", "spent", "continued"}}`
 *   (without `metric`: `values` and `curves` keyed by metric). `cost` is what
 *   this request is charged: a run at (mixture, size) already trained to `z1`
 *   and asked for `z2 > z1` is charged `cost(size, z2) - cost(size, z1)`; a
 *   request at `z <= z1` is free. `spent` is the session total.
 * - `{"op":"optimum","metric":"m"}` -> the reference optimum at the target.
 * - `{"op":"reset"}` -> forgets trained runs and sets `spent` to 0; with
 *   `"seed": n` it also sets the session's noise seed (below).
 *
 * Noisy testbeds (with `observe`, e.g. `mixopt testbed serve NAME --noise
 * 0.5%`): `value` and `curve` are the observed (noisy) ones. Each new
 * (mixture, size) run of the session gets the noise replicate
 * `replicateFor(seed, i)` (i = 0, 1, ... in order of first request; seed 0
 * until a reset sets one), and a continuation keeps its run's replicate, so
 * it sees the same values at the steps both curves log.
 * Errors: `{"error":{"code":"E_...","message":"..."}}` (codes of core/errors.ts).
 */
import {
  InternalError,
  MixoptError,
  type Mixture,
  type Testbed,
  ValidationError,
  validateMixture,
} from '../core/index.ts';
import type { TestbedDirOptions } from './data-dir.ts';
import { replicateFor } from './noise.ts';
import { checkSteps, metricIndex, scaleIndex } from './query.ts';
import { referenceOptimum } from './reference-optimum.ts';
import { testbedSummary } from './summary.ts';

/** The operations the server accepts. */
export const SERVER_OPS = ['info', 'eval', 'optimum', 'reset'] as const;

/** One client's state: the runs trained so far (for incremental charging) and the total spent. */
export class TestbedSession {
  private readonly trained = new Map<string, number>();
  private readonly replicates = new Map<string, number>();
  private spentTotal = 0;
  private noiseSeed = 0;

  constructor(
    readonly testbed: Testbed,
    private readonly dirs: TestbedDirOptions = {},
  ) {}

  /** Total cost charged so far. */
  get spent(): number {
    return this.spentTotal;
  }

  /** Handles one request line; never throws (errors become `{"error":...}` replies). */
  handleLine(line: string): string {
    let id: unknown;
    try {
      let req: unknown;
      try {
        req = JSON.parse(line);
      } catch (err) {
        throw new ValidationError(
          `request is not valid JSON (${(err as Error).message}); send one JSON object per line`,
        );
      }
      if (req === null || typeof req !== 'object' || Array.isArray(req)) {
        throw new ValidationError('request must be a JSON object like {"op":"info"}');
      }
      id = (req as { id?: unknown }).id;
      const result = this.handle(req as Record<string, unknown>);
      return JSON.stringify(id === undefined ? { result } : { id, result });
    } catch (err) {
      const e =
        err instanceof MixoptError
          ? err
          : new InternalError(
              `unexpected failure: ${err instanceof Error ? err.message : String(err)}`,
            );
      const error = { code: e.code, message: e.message };
      return JSON.stringify(id === undefined ? { error } : { id, error });
    }
  }

  /** Handles a parsed request. @throws MixoptError on a bad request. */
  handle(req: Record<string, unknown>): unknown {
    const tb = this.testbed;
    switch (req.op) {
      case 'info':
        return {
          ...testbedSummary(tb),
          ...(tb.candidates !== undefined ? { candidates: tb.candidates } : {}),
        };
      case 'reset': {
        const seed = req.seed;
        if (
          seed !== undefined &&
          (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0)
        ) {
          throw new ValidationError(
            `field 'seed' must be a non-negative integer, got ${JSON.stringify(seed)}`,
            { field: 'seed' },
          );
        }
        this.trained.clear();
        this.replicates.clear();
        this.spentTotal = 0;
        if (seed !== undefined) this.noiseSeed = seed;
        return { spent: 0 };
      }
      case 'optimum': {
        const metric = this.str(req, 'metric');
        metricIndex(tb, metric);
        return referenceOptimum(tb, metric, this.dirs);
      }
      case 'eval':
        return this.evalOp(req);
      default:
        throw new ValidationError(
          `unknown op ${JSON.stringify(req.op)}; accepted ops: ${SERVER_OPS.join(', ')}`,
          { op: req.op },
        );
    }
  }

  private str(req: Record<string, unknown>, key: string): string {
    const v = req[key];
    if (typeof v !== 'string') {
      throw new ValidationError(`field '${key}' must be a string, got ${JSON.stringify(v)}`, {
        field: key,
      });
    }
    return v;
  }

  private evalOp(req: Record<string, unknown>): unknown {
    const tb = this.testbed;
    const w = req.mixture;
    if (!Array.isArray(w)) {
      throw new ValidationError(
        `field 'mixture' must be an array of ${tb.domains.length} weights, got ${JSON.stringify(w)}`,
      );
    }
    const mixture: Mixture = validateMixture(
      w as number[],
      tb.domains.length,
      `mixture (domains ${tb.domains.join(', ')})`,
    );
    const size = this.str(req, 'size');
    scaleIndex(tb, size);
    const steps = req.steps;
    if (typeof steps !== 'number') {
      throw new ValidationError(
        `field 'steps' must be a number in ${tb.steps.min}..${tb.steps.max}, got ${JSON.stringify(steps)}`,
      );
    }
    checkSteps(tb, steps);
    const metric = req.metric === undefined ? undefined : this.str(req, 'metric');
    if (metric !== undefined) metricIndex(tb, metric);
    // Evaluate first, charge after: a failed query costs nothing.
    const names = metric !== undefined ? [metric] : tb.metrics.map((m) => m.name);
    const key = `${JSON.stringify(mixture)}|${size}`;
    const observe = tb.observe;
    let replicate = 0;
    if (observe !== undefined) {
      replicate = this.replicates.get(key) ?? replicateFor(this.noiseSeed, this.replicates.size);
      this.replicates.set(key, replicate);
    }
    const curves = names.map((m) =>
      observe !== undefined
        ? observe.call(tb, mixture, size, steps, m, replicate)
        : tb.curve(mixture, size, steps, m),
    );
    const before = this.trained.get(key) ?? 0;
    const fullCost = tb.cost(size, steps);
    const cost = steps > before ? fullCost - (before > 0 ? tb.cost(size, before) : 0) : 0;
    if (steps > before) this.trained.set(key, steps);
    this.spentTotal += cost;
    const last = (c: { value: number }[]): number => (c[c.length - 1] as { value: number }).value;
    const common = { cost, fullCost, spent: this.spentTotal, continued: before > 0 };
    if (metric !== undefined) {
      const c = curves[0] as { step: number; value: number }[];
      return { metric, value: last(c), curve: c, ...common };
    }
    return {
      values: Object.fromEntries(names.map((m, i) => [m, last(curves[i] ?? [])])),
      curves: Object.fromEntries(names.map((m, i) => [m, curves[i]])),
      ...common,
    };
  }
}
