import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colourEnabled, createProgress, fmtDuration } from '../../src/cli/progress.ts';

function sink(isTTY: boolean, columns = 100) {
  const out: string[] = [];
  return { out, stream: { isTTY, columns, write: (s: string) => out.push(s) } };
}

const ESC = String.fromCharCode(27);

describe('terminal progress', () => {
  it('not a terminal: one plain line per event, no bar, no colour codes', () => {
    const { out, stream } = sink(false);
    const p = createProgress({ stream, env: {} });
    assert.equal(p.tty, false);
    assert.equal(p.color, false);
    p.update(1, 4, 'status', 'job 1/4 done');
    p.update(2, 4, 'status'); // no line: nothing printed
    p.log('trial 3: completed');
    p.end();
    assert.deepEqual(out, ['job 1/4 done\n', 'trial 3: completed\n']);
    assert.equal(p.paint('x', 'red'), 'x');
  });

  it('a terminal: a bar redrawn in place with the percentage, event lines printed above it', () => {
    const { out, stream } = sink(true);
    const p = createProgress({ stream, env: {} });
    assert.equal(p.tty, true);
    p.update(1, 4, 'one of four', 'not printed on a terminal');
    const bar = out.join('');
    assert.match(bar, /^\r\[/);
    assert.match(bar, / 25% /);
    assert.match(bar, /one of four/);
    assert.doesNotMatch(bar, /not printed/);
    assert.doesNotMatch(bar, /\n/);
    out.length = 0;
    p.log('trial 1: completed');
    const logged = out.join('');
    assert.match(logged, /trial 1: completed\n/);
    assert.ok(logged.endsWith(`one of four${ESC}[K`), 'the bar is redrawn after the line');
    out.length = 0;
    p.end();
    assert.deepEqual(out, ['\n']);
  });

  it('the bar fits the terminal width', () => {
    const { out, stream } = sink(true, 50);
    const p = createProgress({ stream, env: { NO_COLOR: '1' } });
    p.update(3, 10, 'x'.repeat(200));
    const visible = (out.at(-1) ?? '').replace(`${ESC}[K`, '').replace('\r', '');
    assert.equal(visible.length, 49);
  });

  it('colours only on a terminal without NO_COLOR', () => {
    assert.equal(colourEnabled(true, {}), true);
    assert.equal(colourEnabled(true, { NO_COLOR: '1' }), false);
    assert.equal(colourEnabled(true, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count');
    assert.equal(colourEnabled(false, {}), false);
    const { out, stream } = sink(true);
    const p = createProgress({ stream, env: { NO_COLOR: '1' } });
    assert.equal(p.paint('x', 'red'), 'x');
    p.update(1, 2, 's');
    assert.doesNotMatch(out.join(''), new RegExp(`${ESC}\\[3[0-9]m`));
    const q = createProgress({ stream: sink(true).stream, env: {} });
    assert.equal(q.paint('x', 'red'), `${ESC}[31mx${ESC}[0m`);
  });

  it('quiet: nothing at all', () => {
    const { out, stream } = sink(true);
    const p = createProgress({ stream, quiet: true, env: {} });
    assert.equal(p.tty, false);
    p.update(1, 2, 's', 'line');
    p.log('event');
    p.end();
    assert.deepEqual(out, []);
  });

  it('formats durations', () => {
    assert.equal(fmtDuration(42.4), '42 s');
    assert.equal(fmtDuration(185), '3 min 05 s');
    assert.equal(fmtDuration(3720), '1 h 02 min');
    assert.equal(fmtDuration(Number.NaN), '?');
  });
});
