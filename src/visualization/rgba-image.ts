// The pixels every visualisation produces: RGBA bytes, row-major, top row first.
import { describeValue, readFields } from '../core/arguments.js';
import { fail, ok, type Result } from '../core/validation.js';

/**
 * An RGBA image, compatible with a canvas `ImageData`: `rgba[(y * width + x) * 4 + k]`, rows from
 * the top, `k` = red, green, blue, alpha, each 0..255. In a browser, `new ImageData(image.rgba,
 * image.width, image.height)` and `ctx.putImageData(...)` draw it; in Node, `tfjs-attribution/node`
 * writes it as a PNG.
 *
 * @example
 * const red: RgbaImage = { width: 1, height: 1, rgba: new Uint8ClampedArray([255, 0, 0, 255]) };
 * sideBySide([red, red], { scale: 2, gap: 1 }); // Right: a 5x2 image, two red squares and a white gap
 */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8ClampedArray;
}

/** The most pixels a visualisation makes: 2^28 (a 1 GiB RGBA buffer), far above any screen. */
export const MAX_PIXELS = 2 ** 28;

/** An {@link RgbaImage} argument: positive integer sizes and `width * height * 4` bytes (a `Uint8ClampedArray` or `Uint8Array`). */
export function readRgbaImage(value: unknown, path: string): Result<RgbaImage> {
  const fields = readFields(value, path, ['width', 'height', 'rgba']);
  if (fields._tag === 'Left') return fields;
  if (value === undefined) return fail({ _tag: 'InvalidArgument', path, expected: 'an image { width, height, rgba }', got: 'undefined' });
  const { width, height, rgba } = fields.right;
  const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
  if (!isSize(width) || !isSize(height) || width * height > MAX_PIXELS) {
    return fail({ _tag: 'InvalidArgument', path, expected: `an image { width, height, rgba } with integer sizes >= 1 and at most ${MAX_PIXELS} pixels`, got: `width ${describeValue(width)}, height ${describeValue(height)}` });
  }
  if (!(rgba instanceof Uint8ClampedArray || rgba instanceof Uint8Array)) {
    return fail({ _tag: 'InvalidArgument', path: `${path}.rgba`, expected: 'a Uint8ClampedArray (or Uint8Array) of RGBA bytes', got: describeValue(rgba) });
  }
  if (rgba.length !== width * height * 4) {
    return fail({ _tag: 'InvalidArgument', path: `${path}.rgba`, expected: `${width * height * 4} bytes (${width} x ${height} x 4)`, got: `${rgba.length}` });
  }
  const bytes = rgba instanceof Uint8ClampedArray ? rgba : new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.length);
  return ok({ width, height, rgba: bytes });
}
