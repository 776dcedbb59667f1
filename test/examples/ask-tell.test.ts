// Runs examples/ask-tell.ts as a user would (its `import ... from 'mixopt'`
// resolves to src/ through tsconfig paths) and checks that the loop finds the
// known best mixture of its made-up loss.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

describe('examples/ask-tell.ts', () => {
  it('runs the ask/tell loop and recommends a mixture near the known best (0.6, 0.3, 0.1)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/ask-tell.ts', '30'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.match(/^trial \d+: /gm)?.length, 30, r.stdout);
    const m = r.stdout.match(
      /recommended at 1B, 5000 steps: web ([\d.]+), code ([\d.]+), books ([\d.]+)/,
    );
    assert.ok(m !== null, r.stdout);
    const w = m.slice(1).map(Number);
    const l1 = w.reduce((s, x, i) => s + Math.abs(x - ([0.6, 0.3, 0.1][i] ?? 0)), 0);
    assert.ok(l1 < 0.1, `recommended ${w}, L1 distance ${l1} from the best`);
  });
});
