// Runs the walk-through of docs/getting-started.md: every ```console block's
// `$ mixopt ...` commands, in order, in a scratch folder (the CLI from the
// sources), and checks that each output line the page shows is printed
// (lines "..." stand for lines left out). The page's numbers are therefore
// what the commands print today: a change of behaviour fails here until the
// page is updated.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'scripts', 'mixopt-dev.mjs');

interface Step {
  readonly command: string;
  readonly expected: readonly string[];
}

/** The `$ mixopt ...` commands of the page's console blocks, each with the lines shown after it. */
export function consoleSteps(markdown: string): Step[] {
  const steps: Step[] = [];
  for (const block of markdown.matchAll(/^```console\n([\s\S]*?)^```$/gm)) {
    let cur: { command: string; expected: string[] } | undefined;
    for (const line of (block[1] ?? '').split('\n')) {
      if (line.startsWith('$ ')) {
        cur = { command: line.slice(2), expected: [] };
        steps.push(cur);
      } else if (cur !== undefined && line.trim() !== '' && line.trim() !== '...')
        cur.expected.push(line);
    }
  }
  return steps;
}

describe('docs/getting-started.md', () => {
  it('its console blocks print what the page shows', () => {
    const steps = consoleSteps(readFileSync(join(ROOT, 'docs', 'getting-started.md'), 'utf8'));
    assert.deepEqual(
      steps.map((s) => s.command.split(' ').slice(0, 2).join(' ')),
      [
        'mixopt study',
        'mixopt run',
        'mixopt status',
        'mixopt recommend',
        'mixopt testbed',
        'mixopt report',
      ],
    );
    const dir = mkdtempSync(join(tmpdir(), 'mixopt-getting-started-'));
    mkdirSync(join(dir, 'examples'));
    copyFileSync(
      join(ROOT, 'examples', 'study-simulator.yaml'),
      join(dir, 'examples', 'study-simulator.yaml'),
    );
    for (const step of steps) {
      const args = step.command.split(' ');
      assert.equal(args[0], 'mixopt');
      const r = spawnSync(process.execPath, [BIN, ...args.slice(1)], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, MIXOPT_CACHE: join(dir, 'cache') },
      });
      assert.equal(r.status, 0, `${step.command}: ${r.stderr}`);
      const printed = new Set(`${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trimEnd()));
      const missing = step.expected.filter((l) => !printed.has(l.trimEnd()));
      assert.deepEqual(missing, [], `${step.command} no longer prints these lines`);
    }
  });
});
