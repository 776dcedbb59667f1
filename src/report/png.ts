/**
 * PNG export of a chart (for slides): the SVG rasterised by resvg
 * (`@resvg/resvg-js`, a prebuilt native module), on a white background, at
 * `scale` times the SVG's size. Text uses the system fonts.
 */
import { InternalError } from '../core/index.ts';

/** Options of {@link svgToPng}. */
export interface PngOptions {
  /** Zoom factor (default 2: sharp on slides). */
  readonly scale?: number;
}

/**
 * Rasterises `svg` to PNG bytes.
 * @throws InternalError when resvg cannot be loaded (its native binary is missing for this platform) or rejects the SVG.
 */
export async function svgToPng(svg: string, opts: PngOptions = {}): Promise<Uint8Array> {
  let Resvg: typeof import('@resvg/resvg-js').Resvg;
  try {
    ({ Resvg } = await import('@resvg/resvg-js'));
  } catch (err) {
    throw new InternalError(
      `PNG export needs @resvg/resvg-js, which failed to load (${(err as Error).message}); reinstall with 'npm ci', or leave out --png`,
    );
  }
  try {
    const r = new Resvg(svg, {
      background: 'white',
      fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
      font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    });
    return r.render().asPng();
  } catch (err) {
    throw new InternalError(`resvg could not rasterise a chart: ${(err as Error).message}`);
  }
}
