/**
 * `--slurm key=value` flags (the CLI's overrides of a study's Slurm settings) as executor
 * settings.
 */
import { ValidationError } from '../core/index.ts';
import type { SlurmExecutorOptions } from './slurm.ts';

/** The settings a `--slurm` flag may set. */
const CLI_KEYS = [
  'template',
  'partition',
  'account',
  'time',
  'gpus',
  'cpusPerTask',
  'mem',
  'extra',
  'array',
  'cwd',
  'env',
  'workDir',
  'accounting',
  'statusIntervalSeconds',
] as const;

/**
 * Parses `--slurm key=value` flags (repeatable) into executor settings:
 * `extra` and `env` (`env=NAME=value`) accumulate; `gpus`, `cpusPerTask` and
 * `statusIntervalSeconds` are numbers; `array` is true/false.
 * @throws ValidationError for an unknown key or a bad value.
 */
export function parseSlurmFlags(flags: readonly string[]): Partial<SlurmExecutorOptions> {
  const out: Record<string, unknown> = {};
  const extra: string[] = [];
  const env: Record<string, string> = {};
  for (const f of flags) {
    const i = f.indexOf('=');
    const key = i < 0 ? f : f.slice(0, i);
    const value = i < 0 ? '' : f.slice(i + 1);
    if (!(CLI_KEYS as readonly string[]).includes(key))
      throw new ValidationError(
        `--slurm '${f}': unknown setting '${key}'; the settings are ${CLI_KEYS.join(', ')} (e.g. --slurm partition=gpu)`,
      );
    if (i < 0 || (value === '' && key !== 'extra'))
      throw new ValidationError(`--slurm '${f}' has no value; write --slurm ${key}=VALUE`);
    if (key === 'extra') extra.push(value);
    else if (key === 'env') {
      const j = value.indexOf('=');
      if (j <= 0) throw new ValidationError(`--slurm '${f}': write env as --slurm env=NAME=value`);
      env[value.slice(0, j)] = value.slice(j + 1);
    } else if (key === 'gpus' || key === 'cpusPerTask' || key === 'statusIntervalSeconds') {
      const n = Number(value);
      if (!Number.isFinite(n))
        throw new ValidationError(`--slurm '${f}': ${key} must be a number, got '${value}'`);
      out[key] = n;
    } else if (key === 'array') {
      if (value !== 'true' && value !== 'false')
        throw new ValidationError(`--slurm '${f}': array must be true or false`);
      out.array = value === 'true';
    } else if (key === 'time') out.time = /^\d+$/.test(value) ? Number(value) : value;
    else out[key] = value;
  }
  if (extra.length > 0) out.extra = extra;
  if (Object.keys(env).length > 0) out.env = env;
  return out as Partial<SlurmExecutorOptions>;
}
