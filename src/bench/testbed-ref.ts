/**
 * How a benchmark names its testbed so that worker threads can rebuild it:
 * testbeds are objects with methods and cannot cross threads.
 *
 * - `{ name, dataDir? }` — a built-in testbed (`getTestbed` of src/testbeds);
 * - `{ module, exportName? }` — a user module (file URL or specifier) exporting a
 *   `Testbed`, or a function returning one (default export name `testbed`).
 */
import { NotFoundError, type Testbed, ValidationError } from '../core/index.ts';
import { getTestbed } from '../testbeds/index.ts';

/** A serialisable reference to a testbed. */
export type TestbedRef =
  | { readonly name: string; readonly dataDir?: string }
  | { readonly module: string; readonly exportName?: string };

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
 * Builds the testbed a {@link TestbedRef} names.
 * @throws NotFoundError for an unknown name or export; ValidationError when
 *   the export is not a testbed; DataError from the testbed loader.
 */
export async function resolveTestbed(ref: TestbedRef): Promise<Testbed> {
  if ('module' in ref) {
    const mod = (await import(ref.module)) as Record<string, unknown>;
    const name = ref.exportName ?? 'testbed';
    const exp = mod[name];
    if (exp === undefined) {
      throw new NotFoundError(`module ${ref.module} has no export '${name}'`, { ref });
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
  return getTestbed(ref.name, ref.dataDir !== undefined ? { dataDir: ref.dataDir } : {});
}
