/**
 * The optimiser registry: method name -> factory.
 *
 * One explicit table, {@link BUILTIN_OPTIMIZERS}, names every built-in optimiser; no module
 * registers itself when imported. A user optimiser is added by calling {@link registerOptimizer}
 * (before {@link createOptimizer} is called with its name); its entry lives beside the table,
 * never in it, and a built-in name cannot be taken.
 */
import {
  NotFoundError,
  type Optimizer,
  type OptimizerContext,
  type OptimizerFactory,
  StateError,
  ValidationError,
} from '../core/index.ts';
import { createAsha } from './asha.ts';
import { createBo } from './bo.ts';
import { createHyperband } from './hyperband.ts';
import { createMfBo } from './mf-bo.ts';
import { createMfmsBo } from './mfms-bo.ts';
import { createMfmsBoPaper } from './mfms-bo-paper.ts';
import { createRandomSearch } from './random.ts';
import { createRegMix } from './regmix.ts';

interface Entry {
  readonly factory: OptimizerFactory;
  readonly description: string;
}

/** The built-in optimisers, in the order {@link listOptimizers} gives them. */
export const BUILTIN_OPTIMIZERS: Readonly<Record<string, Entry>> = Object.freeze({
  asha: {
    factory: createAsha,
    description:
      'ASHA (eta = 3): asynchronous successive halving over model size and steps, random mixtures',
  },
  bo: {
    factory: createBo,
    description: 'full-fidelity BO: GP-EI over the mixture, every run at the target fidelity',
  },
  hyperband: {
    factory: createHyperband,
    description:
      'Hyperband (eta = 3) over steps at the target scale, random mixtures, promotion by continuation',
  },
  'mf-bo': {
    factory: createMfBo,
    description:
      'single-scale multi-fidelity BO: GP over (mixture, steps) at the target size, cost-aware EI',
  },
  'mfms-bo:paper': {
    factory: createMfmsBoPaper,
    description:
      'MFMS-BO as in the paper: 20 short random runs, GP fitted once, cost-aware EI over scales x {0.3, 0.6, 1} z_max, lengthscale shrink',
  },
  'mfms-bo': {
    factory: createMfmsBo,
    description:
      'MFMS-BO (improved): refitted GP on every learning curve, log size/steps, improvement of the target prediction per cost, continuations; recommends the best observed value (or, by setting, the predicted target optimum)',
  },
  random: {
    factory: createRandomSearch,
    description: 'random search: Dirichlet(1) mixtures, each trained at the target fidelity',
  },
  regmix: {
    factory: createRegMix,
    description:
      'RegMix baseline: Dirichlet mixtures at the smallest scale, a boosted-tree regression, the predicted best trained at the target',
  },
});

/** Optimisers added by {@link registerOptimizer}, after the built-ins. */
const added = new Map<string, Entry>();

function entry(name: string): Entry | undefined {
  return Object.hasOwn(BUILTIN_OPTIMIZERS, name) ? BUILTIN_OPTIMIZERS[name] : added.get(name);
}

function names(): string[] {
  return [...Object.keys(BUILTIN_OPTIMIZERS), ...added.keys()];
}

/** Method names: lower-case letters, digits, `-`, `_`, `.` and `:` (e.g. `mfms-bo:paper`). */
const NAME_RE = /^[a-z0-9][a-z0-9_.:-]*$/;

/**
 * Registers `factory` under `name`.
 * @throws ValidationError for a malformed name; StateError when the name is taken.
 */
export function registerOptimizer(
  name: string,
  factory: OptimizerFactory,
  description: string,
): void {
  if (!NAME_RE.test(name)) {
    throw new ValidationError(
      `optimiser name '${name}' is not allowed; use lower-case letters, digits, '-', '_', '.', ':' (e.g. 'mfms-bo:paper')`,
      { name },
    );
  }
  if (entry(name) !== undefined) {
    throw new StateError(`an optimiser named '${name}' is already registered; pick another name`, {
      name,
    });
  }
  added.set(name, { factory, description });
}

/**
 * Builds the optimiser registered as `method`.
 * @throws NotFoundError listing the known names when `method` is unknown.
 */
export function createOptimizer(method: string, ctx: OptimizerContext): Optimizer {
  const found = entry(method);
  if (found === undefined) {
    const known = names();
    throw new NotFoundError(
      `unknown optimiser '${method}'; known optimisers: ${known.join(', ') || '(none registered)'}`,
      { method, known },
    );
  }
  return found.factory(ctx);
}

/** Whether `method` is registered. */
export function hasOptimizer(method: string): boolean {
  return entry(method) !== undefined;
}

/** Every optimiser: the built-ins in table order, then the added ones in registration order. */
export function listOptimizers(): { name: string; description: string }[] {
  return names().map((name) => ({ name, description: (entry(name) as Entry).description }));
}
