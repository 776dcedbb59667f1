/**
 * The registry of subcommands. Each entry adds one subcommand (with its own
 * subcommands) to the program. Add a line when adding a command module.
 */
import type { Command } from 'commander';
import { register as ask } from './ask.ts';
import { register as bench } from './bench.ts';
import { register as demo } from './demo.ts';
import { register as exportCmd } from './export.ts';
import { register as heartbeat } from './heartbeat.ts';
import { register as recommend } from './recommend.ts';
import { register as report } from './report.ts';
import { register as run } from './run.ts';
import { register as status } from './status.ts';
import { register as study } from './study.ts';
import { register as tell } from './tell.ts';
import { register as testbed } from './testbed.ts';
import { register as transfer } from './transfer.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  bench,
  demo,
  testbed,
  study,
  ask,
  tell,
  heartbeat,
  status,
  recommend,
  exportCmd,
  run,
  transfer,
  report,
];
