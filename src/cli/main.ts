/**
 * The mixopt command line: argv -> library calls. The only place that prints
 * results or sets exit codes. Each subcommand lives in `commands/<name>.ts`
 * and exports `register(program)`.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { exitCodeFor, MixoptError, storageErrorCode } from '../core/index.ts';
import { commands } from './commands/index.ts';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Builds the program (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('mixopt')
    .description(
      'Find the best pre-training data mixture with multi-fidelity, multi-scale Bayesian optimisation.',
    )
    .version(version())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI on `argv` (as in `process.argv`); returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  // A command may set process.exitCode itself (e.g. `run` interrupted by Ctrl-C -> 130).
  // Look only at what this call set: the caller's own exit code (a test runner's, when
  // main runs in-process) is put back as it was.
  const callerExitCode = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync([...argv]);
    const set = process.exitCode as number | string | undefined;
    return set === undefined ? 0 : Number(set);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; usage errors exit 2 (commander already printed them).
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof MixoptError) {
      const json = argv.includes('--json');
      if (json) process.stdout.write(`${JSON.stringify({ error: err.toJSON() })}\n`);
      process.stderr.write(`mixopt: error [${err.code}]: ${err.message}\n`);
      return exitCodeFor(err);
    }
    const storage = storageErrorCode(err);
    if (storage !== undefined) {
      // A database or file the command needed could not be read or written.
      const message = `${(err as Error).message}; check the path, its permissions and free space`;
      if (argv.includes('--json'))
        process.stdout.write(`${JSON.stringify({ error: { code: 'E_STORAGE', message } })}\n`);
      process.stderr.write(`mixopt: error [E_STORAGE ${storage}]: ${message}\n`);
      return exitCodeFor(err);
    }
    process.stderr.write(
      `mixopt: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  } finally {
    process.exitCode = callerExitCode;
  }
}
