import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InternalError } from '../../src/core/index.ts';
import { svgToPng } from '../../src/report/png.ts';

/** Width and height from a PNG's IHDR chunk (bytes 16..24, big-endian). */
function pngSize(png: Uint8Array): [number, number] {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return [v.getUint32(16), v.getUint32(20)];
}

const SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><rect x="0" y="0" width="15" height="20" fill="#ff0000"/></svg>';

describe('svgToPng', () => {
  it('a PNG at twice the SVG size by default, `scale` times with the option', async () => {
    const png = await svgToPng(SVG);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.deepEqual(pngSize(png), [60, 40]);
    assert.deepEqual(pngSize(await svgToPng(SVG, { scale: 3 })), [90, 60]);
  });

  it('an SVG resvg cannot read is an InternalError naming resvg', async () => {
    await assert.rejects(
      svgToPng('<svg'),
      (e: unknown) =>
        e instanceof InternalError && /resvg could not rasterise a chart/.test(e.message),
    );
  });
});
