// The testbed server protocol without I/O: one request line in, one reply line out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getTestbed, SERVER_OPS, TestbedSession } from '../../src/testbeds/index.ts';

const law = getTestbed('law');
const w = [0.3, 0.2, 0.2, 0.2, 0.1];
const metric = 'c4_cross_entropy';

/** Sends one request object and parses the reply. */
function send(s: TestbedSession, req: unknown): Record<string, unknown> {
  return JSON.parse(s.handleLine(JSON.stringify(req))) as Record<string, unknown>;
}
const result = (r: Record<string, unknown>) => r.result as Record<string, unknown>;

describe('TestbedSession', () => {
  it('evaluates a run with the testbed curve and charges c(m, z); the id is echoed', () => {
    const s = new TestbedSession(law);
    const r = send(s, { op: 'eval', id: 'a1', mixture: w, size: '1B', steps: 900, metric });
    assert.equal(r.id, 'a1');
    const curve = law.curve(w, '1B', 900, metric);
    assert.deepEqual(result(r).curve, curve);
    assert.equal(result(r).value, curve.at(-1)?.value);
    assert.deepEqual(
      [result(r).cost, result(r).fullCost, result(r).spent, result(r).continued],
      [9, 9, 9, false],
    );
  });

  it('charges a continuation only its extra steps, a shorter request nothing, another size anew', () => {
    const s = new TestbedSession(law);
    send(s, { op: 'eval', mixture: w, size: '1B', steps: 900, metric });
    const more = result(send(s, { op: 'eval', mixture: w, size: '1B', steps: 2700, metric }));
    assert.deepEqual([more.cost, more.fullCost, more.spent, more.continued], [18, 27, 27, true]);
    const less = result(send(s, { op: 'eval', mixture: w, size: '1B', steps: 300, metric }));
    assert.deepEqual([less.cost, less.spent], [0, 27]);
    const other = result(send(s, { op: 'eval', mixture: w, size: '20M', steps: 900, metric }));
    assert.equal(other.cost, law.cost('20M', 900));
    assert.equal(other.continued, false);
    assert.equal(s.spent, 27 + law.cost('20M', 900));
    assert.deepEqual(result(send(s, { op: 'reset' })), { spent: 0 });
    const again = result(send(s, { op: 'eval', mixture: w, size: '1B', steps: 900, metric }));
    assert.deepEqual([again.cost, again.continued], [9, false]);
  });

  it('without a metric, every metric of the testbed', () => {
    const r = result(
      send(new TestbedSession(law), { op: 'eval', mixture: w, size: '60M', steps: 500 }),
    );
    const values = r.values as Record<string, number>;
    assert.deepEqual(
      Object.keys(values),
      law.metrics.map((m) => m.name),
    );
    assert.equal(values.piqa_accuracy, law.evaluate(w, '60M', 500, 'piqa_accuracy'));
  });

  it('info describes the testbed: domains, sizes, steps, metrics, target', () => {
    const r = result(send(new TestbedSession(law), { op: 'info' }));
    assert.equal(r.name, 'law');
    assert.deepEqual(r.domains, law.domains);
    assert.deepEqual(r.target, { scale: '1B', steps: 19700 });
    assert.equal(r.targetCost, 197);
  });

  it('answers bad requests with {error: {code, message}} naming the problem, and charges nothing', () => {
    const s = new TestbedSession(law);
    const err = (line: string) =>
      (JSON.parse(s.handleLine(line)) as { error: { code: string; message: string } }).error;
    assert.equal(err('{not json').code, 'E_INVALID_INPUT');
    assert.match(
      err('{not json').message,
      /^request is not valid JSON .*; send one JSON object per line$/,
    );
    assert.equal(err('[1]').message, 'request must be a JSON object like {"op":"info"}');
    assert.equal(
      err('{"op":"train"}').message,
      `unknown op "train"; accepted ops: ${SERVER_OPS.join(', ')}`,
    );
    assert.match(
      err(JSON.stringify({ op: 'eval', mixture: 'w', size: '1B', steps: 900 })).message,
      /field 'mixture' must be an array of 5 weights/,
    );
    assert.equal(
      err(JSON.stringify({ op: 'eval', mixture: w, size: '7B', steps: 900 })).code,
      'E_NOT_FOUND',
    );
    assert.match(
      err(JSON.stringify({ op: 'eval', mixture: w, size: '1B', steps: '900' })).message,
      /field 'steps' must be a number in 100\.\.19700, got "900"/,
    );
    assert.match(
      err(JSON.stringify({ op: 'eval', mixture: w, size: '1B', steps: 900, metric: 'ppl' }))
        .message,
      /unknown metric 'ppl'/,
    );
    assert.match(
      err(JSON.stringify({ op: 'reset', seed: -1 })).message,
      /field 'seed' must be a non-negative integer, got -1/,
    );
    const withId = JSON.parse(s.handleLine('{"op":"nope","id":7}')) as { id: number };
    assert.equal(withId.id, 7);
    assert.equal(s.spent, 0);
  });
});
