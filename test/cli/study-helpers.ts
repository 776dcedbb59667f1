// Helpers for the CLI tests of the study commands: run main() in-process with captured output,
// or spawn scripts/mixopt-dev.mjs for the tests that need real processes.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.ts';
import { smallConfig, tempDir } from '../study/helpers.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process (fast); captures stdout and stderr. */
export async function cli(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  // The CLI writes strings; the test runner's own (binary) reports pass through.
  process.stdout.write = ((s: string | Uint8Array, ...rest: never[]) => {
    if (typeof s !== 'string') return out(s, ...rest);
    stdout += s;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array, ...rest: never[]) => {
    if (typeof s !== 'string') return err(s, ...rest);
    stderr += s;
    return true;
  }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await main(['node', 'mixopt', ...args]);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return { code, stdout, stderr };
}

const BIN = new URL('../../scripts/mixopt-dev.mjs', import.meta.url).pathname;

/** Spawns `scripts/mixopt-dev.mjs` (the CLI from the sources) (a real process). */
export function spawnCli(args: string[], cwd?: string) {
  return spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd !== undefined ? { cwd } : {}),
  });
}

/** Waits for a spawned process; returns its exit code (or signal) and output. */
export function finished(
  child: ReturnType<typeof spawnCli>,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += String(d)));
  child.stderr?.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

/** A temp directory with `study.yaml` (the small study, `over` applied) and the path of its database. */
export function studySetup(over: Record<string, unknown> = {}) {
  const dir = tempDir();
  const config = join(dir, 'study.yaml');
  writeFileSync(config, stringify(smallConfig(over)));
  return { dir, config, db: join(dir, 'mixopt.db') };
}
