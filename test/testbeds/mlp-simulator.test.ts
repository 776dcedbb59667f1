// The MLP forward pass and its input gradient (src/testbeds/mlp-simulator.ts) on a tiny network
// worked by hand, and the file format's errors.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataError } from '../../src/core/index.ts';
import { loadMlpModel, MlpEvaluator, parseMlpModel } from '../../src/testbeds/mlp-simulator.ts';

/**
 * Inputs a, b, c with b masked out; u = (a − 1)/2, v = c − 2; hidden h = relu([u − v, 2u + v − 1]);
 * yn = 0.5 + 3 h_0 − 2 h_1; y = 2 yn + 10. With both units on: y = 15 − 2u − 10v.
 */
const TINY = {
  format: 'mlp-simulator/v1',
  inputs: ['a', 'b', 'c'],
  outputs: ['y'],
  input_mask: [1, 0, 1],
  x_mean: [1, 0, 2],
  x_std: [2, 0, 1],
  y_mean: [10],
  y_std: [2],
  layers: [
    {
      weight: [
        [1, -1],
        [2, 1],
      ],
      bias: [0, -1],
    },
    { weight: [[3, -2]], bias: [0.5] },
  ],
};

describe('MlpEvaluator', () => {
  const model = parseMlpModel(TINY, 'tiny.json');
  const ev = new MlpEvaluator(model);
  const y = new Float64Array(1);
  const grad = new Float64Array(3);

  it('parses the mask, the zero std (1e-8) and the layer shapes', () => {
    assert.deepEqual(model.inputIndex, [0, 2]);
    assert.deepEqual(Array.from(model.xStd), [2, 1e-8, 1]);
    assert.deepEqual(
      model.layers.map((L) => [L.rows, L.cols]),
      [
        [2, 2],
        [1, 2],
      ],
    );
  });

  it('both hidden units on: y = 15 − 2u − 10v, dy/da = −1, dy/db = 0 (masked), dy/dc = −10', () => {
    // a = 5, c = 3: u = 2, v = 1, h = [1, 4]; the masked b is ignored whatever its value.
    assert.deepEqual(Array.from(ev.forward([5, 99, 3], y)), [1]);
    assert.equal(ev.valueAndGradient([5, -7, 3], 0, grad, y), 1);
    assert.deepEqual(Array.from(grad), [-1, 0, -10]);
  });

  it('a unit off (ReLU at 0) drops out of the gradient: y = 15 − 8u − 4v', () => {
    // a = 1, c = 4: u = 0, v = 2, h = [relu(−2), 1] = [0, 1].
    assert.equal(ev.valueAndGradient([1, 0, 4], 0, grad, y), 7);
    assert.deepEqual(Array.from(grad), [-4, 0, -4]);
  });

  it('the gradient matches central differences at a generic point', () => {
    const x = [4.3, 0, 2.6];
    const v = ev.valueAndGradient(x, 0, grad, y);
    for (const j of [0, 2]) {
      const h = 1e-6;
      const up = [...x];
      const dn = [...x];
      up[j] = (up[j] as number) + h;
      dn[j] = (dn[j] as number) - h;
      const fd = ((ev.forward(up, y)[0] as number) - (ev.forward(dn, y)[0] as number)) / (2 * h);
      assert.ok(Math.abs(fd - (grad[j] as number)) < 1e-6, `d/dx${j}: ${fd} vs ${grad[j]}`);
    }
    assert.equal(ev.forward(x, y)[0], v);
  });
});

describe('mlp-simulator file errors', () => {
  const bad = (over: Record<string, unknown>) => ({ ...TINY, ...over });
  const cases: [unknown, RegExp][] = [
    [null, /top level is not an object/],
    [bad({ inputs: 'abc' }), /'inputs' must be a list of names/],
    [bad({ input_mask: [1, 0] }), /'input_mask' must be an array of 3 numbers/],
    [bad({ x_mean: [1, 'x', 2] }), /'x_mean\[1\]' is not a finite number/],
    [bad({ layers: [] }), /'layers' must be a non-empty list/],
    [
      bad({ layers: [{ weight: [[1, 2, 3]], bias: [0] }] }),
      /'layers\[0\]\.weight\[0\]' must be an array of 2 numbers/,
    ],
    [bad({ layers: [TINY.layers[0]] }), /last layer has 2 outputs but 'outputs' names 1/],
  ];
  it('a malformed network is a DataError naming the file, the field and the fix', () => {
    for (const [raw, re] of cases) {
      assert.throws(
        () => parseMlpModel(raw, '/data/net.json'),
        (e: unknown) =>
          e instanceof DataError &&
          e.message.startsWith('malformed testbed file /data/net.json: ') &&
          re.test(e.message) &&
          e.message.includes('MIXOPT_DATA'),
        String(re),
      );
    }
  });

  it('loadMlpModel: a missing file and a file that is not JSON are DataErrors; a good file loads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixopt-mlp-'));
    assert.throws(
      () => loadMlpModel(join(dir, 'none.json')),
      (e: unknown) =>
        e instanceof DataError &&
        /cannot read testbed file .*none\.json \(ENOENT\)/.test(e.message),
    );
    writeFileSync(join(dir, 'broken.json'), '{"inputs": [');
    assert.throws(
      () => loadMlpModel(join(dir, 'broken.json')),
      (e: unknown) => e instanceof DataError && /broken\.json: not valid JSON/.test(e.message),
    );
    writeFileSync(join(dir, 'tiny.json'), JSON.stringify(TINY));
    const m = loadMlpModel(join(dir, 'tiny.json'));
    assert.deepEqual(Array.from(new MlpEvaluator(m).forward([5, 0, 3], new Float64Array(1))), [1]);
  });
});
