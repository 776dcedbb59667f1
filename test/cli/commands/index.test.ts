import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { commands } from '../../../src/cli/commands/index.ts';

describe('the command table (src/cli/commands/index.ts)', () => {
  it('registers the 13 subcommands, each once and described, in help order', () => {
    const program = new Command('mixopt');
    for (const register of commands) register(program);
    const names = program.commands.map((c) => c.name());
    assert.deepEqual(names, [
      'bench',
      'demo',
      'testbed',
      'study',
      'ask',
      'tell',
      'heartbeat',
      'status',
      'recommend',
      'export',
      'run',
      'transfer',
      'report',
    ]);
    for (const c of program.commands) assert.ok(c.description().length > 10, c.name());
  });

  it('the study commands share --db (default ./mixopt.db) and --study', () => {
    const program = new Command('mixopt');
    for (const register of commands) register(program);
    for (const name of ['ask', 'tell', 'heartbeat', 'status', 'recommend', 'export']) {
      const c = program.commands.find((x) => x.name() === name);
      const db = c?.options.find((o) => o.long === '--db');
      assert.equal(db?.defaultValue, './mixopt.db', name);
      assert.ok(
        c?.options.some((o) => o.long === '--study'),
        name,
      );
    }
  });
});
