// crashPoint (src/core/crash-points.ts) in child processes: it kills its own process with SIGKILL at
// the n-th time the named point is reached, and does nothing otherwise.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

const MODULE = new URL('../../src/core/crash-points.ts', import.meta.url).href;

/** Reaches `tell` three times and `commit` once, printing a line after each; returns how it ended. */
function runWith(env: string | undefined): { signal: string | null; lines: string[] } {
  const script = `
    const { crashPoint } = await import(${JSON.stringify(MODULE)});
    for (const p of ['tell', 'tell', 'commit', 'tell']) { crashPoint(p); console.log(p); }
  `;
  const childEnv = { ...process.env };
  delete childEnv.MIXOPT_FAULT_KILL_AT;
  if (env !== undefined) childEnv.MIXOPT_FAULT_KILL_AT = env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: childEnv,
  });
  return { signal: r.signal, lines: r.stdout.split('\n').filter((l) => l !== '') };
}

describe('crashPoint', () => {
  it('unset or empty: does nothing', () => {
    for (const env of [undefined, '']) {
      assert.deepEqual(runWith(env), { signal: null, lines: ['tell', 'tell', 'commit', 'tell'] });
    }
  });

  it('`<point>` kills at the first time the point is reached; other points do not count', () => {
    assert.deepEqual(runWith('commit'), { signal: 'SIGKILL', lines: ['tell', 'tell'] });
    assert.deepEqual(runWith('tell'), { signal: 'SIGKILL', lines: [] });
  });

  it('`<point>:<n>` kills at the n-th time; past the last reach it never fires', () => {
    assert.deepEqual(runWith('tell:2'), { signal: 'SIGKILL', lines: ['tell'] });
    assert.deepEqual(runWith('tell:3'), { signal: 'SIGKILL', lines: ['tell', 'tell', 'commit'] });
    assert.deepEqual(runWith('tell:4'), {
      signal: null,
      lines: ['tell', 'tell', 'commit', 'tell'],
    });
    assert.deepEqual(runWith('launch'), {
      signal: null,
      lines: ['tell', 'tell', 'commit', 'tell'],
    });
  });
});
