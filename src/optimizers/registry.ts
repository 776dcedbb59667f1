/**
 * The optimiser registry: method name -> factory.
 *
 * Registration model (no import cycles): each optimiser module imports
 * {@link registerOptimizer} from this file and registers itself when it is
 * first evaluated; `src/optimizers/index.ts` (the folder's door) imports every
 * built-in optimiser module, so importing the door registers them all. This
 * file imports no optimiser. A user optimiser registers the same way, from its
 * own module, before {@link createOptimizer} is called with its name.
 *
 * Built-in names: `random`, `hyperband` (this folder), `bo`, `mf-bo`,
 * `mfms-bo`, `mfms-bo:paper` (GP-based), `regmix` (boosted trees, ./regmix.ts).
 */
import {
  NotFoundError,
  type Optimizer,
  type OptimizerContext,
  type OptimizerFactory,
  StateError,
  ValidationError,
} from '../core/index.ts';

interface Entry {
  readonly factory: OptimizerFactory;
  readonly description: string;
}

const entries = new Map<string, Entry>();

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
  if (entries.has(name)) {
    throw new StateError(`an optimiser named '${name}' is already registered; pick another name`, {
      name,
    });
  }
  entries.set(name, { factory, description });
}

/**
 * Builds the optimiser registered as `method`.
 * @throws NotFoundError listing the known names when `method` is unknown.
 */
export function createOptimizer(method: string, ctx: OptimizerContext): Optimizer {
  const entry = entries.get(method);
  if (entry === undefined) {
    const known = [...entries.keys()];
    throw new NotFoundError(
      `unknown optimiser '${method}'; known optimisers: ${known.join(', ') || '(none registered)'}`,
      { method, known },
    );
  }
  return entry.factory(ctx);
}

/** Whether `method` is registered. */
export function hasOptimizer(method: string): boolean {
  return entries.has(method);
}

/** Every registered optimiser, in registration order. */
export function listOptimizers(): { name: string; description: string }[] {
  return [...entries].map(([name, e]) => ({ name, description: e.description }));
}
