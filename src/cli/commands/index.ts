/**
 * The registry of subcommands. Each entry adds one subcommand (with its own
 * subcommands) to the program. Add a line when adding a command module.
 */
import type { Command } from 'commander';
import { register as bench } from './bench.ts';
import { register as testbed } from './testbed.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [bench, testbed];
