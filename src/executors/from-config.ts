/**
 * The executor a study's config asks for (`executor: { kind: local | slurm | simulator }`), so
 * that the library builds it the way `mixopt run` does.
 */
import { dirname, join, resolve } from 'node:path';
import { type Executor, type StudyExecutorConfig, ValidationError } from '../core/index.ts';
import { getTestbed } from '../testbeds/index.ts';
import { createLocalExecutor } from './local.ts';
import { createSimulatorExecutor } from './simulator.ts';
import { createSlurmExecutor } from './slurm.ts';
import { parseSlurmFlags } from './slurm-flags.ts';

/** Where the study lives, for the executors' default job directories. */
export interface ExecutorPlace {
  /** The study's name: job directories default to `<dir>/<study>.jobs` (local), `<dir>/<study>.slurm`. */
  readonly study: string;
  /** The study database's path; its directory holds the default job directories. */
  readonly db: string;
  /**
   * Slurm settings as `key=value` flags (the CLI's `--slurm`), over the config's: with any, the
   * trials run on Slurm even when the config names another executor.
   */
  readonly slurm?: readonly string[];
}

/**
 * Builds the executor that `config` (a study's `executor` section) asks for.
 * @throws ValidationError when there is no executor config and no Slurm flags, or when the
 * executor's own settings are invalid (template, paths, testbed name).
 */
export function createExecutor(
  config: StudyExecutorConfig | undefined,
  place: ExecutorPlace,
): Executor {
  const base = dirname(resolve(place.db));
  const slurm = place.slurm ?? [];
  if (config?.kind === 'slurm' || slurm.length > 0) {
    const { kind: _, ...settings } = config?.kind === 'slurm' ? config : { kind: 'slurm' };
    const flags = parseSlurmFlags(slurm);
    return createSlurmExecutor({
      workDir: join(base, `${place.study}.slurm`),
      ...settings,
      ...flags,
      template: flags.template ?? ('template' in settings ? settings.template : ''),
    });
  }
  if (config === undefined)
    throw new ValidationError(
      `study '${place.study}' has no executor in its config; add executor: { kind: local, command: "..." } (or kind: simulator), or drive it with mixopt ask/tell`,
    );
  if (config.kind === 'simulator') {
    const testbed = getTestbed(
      config.testbed,
      config.dataDir !== undefined ? { dataDir: config.dataDir } : {},
    );
    return createSimulatorExecutor({ testbed, secondsPer1000Steps: config.secondsPer1000Steps });
  }
  return createLocalExecutor({
    command: config.command,
    workDir: config.workDir ?? join(base, `${place.study}.jobs`),
    ...(config.cwd !== undefined ? { cwd: config.cwd } : {}),
    ...(config.env !== undefined ? { env: config.env } : {}),
    ...(config.timeoutSeconds !== undefined ? { timeoutSeconds: config.timeoutSeconds } : {}),
  });
}
