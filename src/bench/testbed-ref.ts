/**
 * How a benchmark names its testbed so that worker threads (and the peers'
 * testbed servers) can rebuild it: testbeds are objects with methods and
 * cannot cross threads.
 *
 * - `{ name, dataDir?, cacheDir?, fit? }` — anything `openTestbed` of
 *   src/testbeds accepts: a registered name, a recorded-runs mapping file, or
 *   a module path (default export a testbed or a factory); `fit` opens
 *   recorded runs in the fitted mode. Paths should be absolute (workers and
 *   servers resolve relative ones against their own working directory).
 * - `{ module, exportName? }` — a module (file URL or specifier) exporting a
 *   `Testbed` or a function returning one: `exportName` when given, else the
 *   export `testbed`, else the default export.
 *
 * Either may carry `noise` (an `ObservationNoise`, src/testbeds/noise.ts):
 * the testbed is then wrapped by `withNoise` (replacing any noise it has);
 * `noise: null` removes a testbed's own noise.
 */
import { fileURLToPath } from 'node:url';
import { NotFoundError, type Testbed, ValidationError } from '../core/index.ts';
import { type ObservationNoise, openTestbed, withNoise } from '../testbeds/index.ts';

/** A serialisable reference to a testbed. */
export type TestbedRef = (
  | {
      readonly name: string;
      readonly dataDir?: string;
      readonly cacheDir?: string;
      readonly fit?: boolean;
    }
  | { readonly module: string; readonly exportName?: string }
) & {
  /** Observation noise to apply (replaces the testbed's own); null = none; absent = the testbed's own. */
  readonly noise?: ObservationNoise | null;
};

function isTestbed(x: unknown): x is Testbed {
  const t = x as Partial<Testbed> | undefined;
  return (
    t !== undefined &&
    t !== null &&
    typeof t.evaluate === 'function' &&
    typeof t.curve === 'function' &&
    typeof t.cost === 'function'
  );
}

/**
 * The testbed argument of `mixopt testbed serve` for a reference (the peers'
 * driver starts that server): the name or path, or the module's file path
 * when the module is a file whose testbed is its default or `testbed` export.
 * @throws ValidationError for a module named by a bare specifier or a custom export.
 */
export function serveArgument(ref: TestbedRef): string {
  if ('name' in ref) return ref.name;
  if (!ref.module.startsWith('file:') || (ref.exportName ?? 'default') !== 'default') {
    if (ref.module.startsWith('file:') && ref.exportName === 'testbed') {
      return fileURLToPath(ref.module);
    }
    throw new ValidationError(
      `peer methods start 'mixopt testbed serve' on the testbed; module ${ref.module} (export '${ref.exportName ?? 'default'}') cannot be named that way: pass a module file whose default export is the testbed (--testbed ./my-testbed.mjs)`,
      { ref },
    );
  }
  return fileURLToPath(ref.module);
}

/**
 * Builds the testbed a {@link TestbedRef} names, with its noise applied.
 * @throws NotFoundError for an unknown name or export; ValidationError when
 *   the export is not a testbed or the noise is out of range; DataError from
 *   the testbed loader.
 */
export async function resolveTestbed(ref: TestbedRef): Promise<Testbed> {
  const tb = await resolveBase(ref);
  if (ref.noise === undefined) return tb;
  return withNoise(tb, ref.noise ?? undefined);
}

/** The testbed a {@link TestbedRef} names, before noise. */
async function resolveBase(ref: TestbedRef): Promise<Testbed> {
  if ('module' in ref) {
    const mod = (await import(ref.module)) as Record<string, unknown>;
    const name =
      ref.exportName ??
      (mod.testbed !== undefined ? 'testbed' : mod.default !== undefined ? 'default' : 'testbed');
    const exp = mod[name];
    if (exp === undefined) {
      throw new NotFoundError(
        `module ${ref.module} has no export '${name}'; export the testbed as the default export (or as 'testbed')`,
        { ref },
      );
    }
    const tb = typeof exp === 'function' ? await (exp as () => unknown)() : exp;
    if (!isTestbed(tb)) {
      throw new ValidationError(
        `export '${name}' of ${ref.module} is not a Testbed (needs evaluate, curve and cost)`,
        { ref },
      );
    }
    return tb;
  }
  return openTestbed(ref.name, {
    ...(ref.dataDir !== undefined ? { dataDir: ref.dataDir } : {}),
    ...(ref.cacheDir !== undefined ? { cacheDir: ref.cacheDir } : {}),
    ...(ref.fit === true ? { fit: true } : {}),
  });
}
