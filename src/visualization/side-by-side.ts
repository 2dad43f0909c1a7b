// Composing visualisations for display: nearest-neighbour upscaling and a row of images.
import { describeValue, readArray } from '../core/arguments.js';
import { all, allOf, fail, ok, type Result } from '../core/validation.js';
import { readOptions } from './read-options.js';
import { MAX_PIXELS, readRgbaImage, type RgbaImage } from './rgba-image.js';

/**
 * Options of {@link sideBySide}.
 *
 * @example
 * const options: SideBySideOptions = { scale: 20, gap: 4, background: [255, 255, 255, 255] };
 */
export interface SideBySideOptions {
  /** Each source pixel becomes a `scale` x `scale` block (nearest neighbour); an integer >= 1, default 1. */
  readonly scale?: number;
  /** Pixels between neighbouring images (after scaling); an integer >= 0, default 0. */
  readonly gap?: number;
  /** RGBA of the gaps and of the space below shorter images; default opaque white. */
  readonly background?: readonly [number, number, number, number];
}

const isInteger = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

function readCount(value: unknown, path: string, min: number, fallback: number): Result<number> {
  if (value === undefined) return ok(fallback);
  return isInteger(value, min) ? ok(value) : fail({ _tag: 'InvalidArgument', path, expected: `an integer >= ${min}`, got: describeValue(value) });
}

function readBackground(value: unknown, path: string): Result<readonly number[]> {
  if (value === undefined) return ok([255, 255, 255, 255]);
  const list = Array.isArray(value) ? readArray(value, path) : undefined;
  return list?._tag === 'Right' && list.right.length === 4 && list.right.every((v) => isInteger(v, 0) && v <= 255)
    ? ok(list.right as number[])
    : fail({ _tag: 'InvalidArgument', path, expected: '[r, g, b, a], integers 0..255', got: describeValue(value) });
}

/**
 * Places images in a row, left to right, top-aligned, each upscaled by `scale` (nearest neighbour,
 * so an 8x8 attribution becomes crisp 20x20-pixel blocks at `scale: 20`), `gap` pixels apart, on
 * `background`. One image and `scale` alone is plain upscaling. A pure function: the result is new.
 *
 * @example
 * const attr = tf.randomNormal([8, 8, 3]);
 * const image = tf.randomUniform([8, 8, 3], 0, 255);
 * const heat = await visualizeImageAttr(attr, image, { method: 'heat_map' });
 * const blend = await visualizeImageAttr(attr, image, { method: 'blended_heat_map' });
 * if (heat._tag === 'Right' && blend._tag === 'Right') {
 *   const row = sideBySide([heat.right, blend.right], { scale: 20, gap: 8 }); // Right: 328 x 160
 * }
 */
export function sideBySide(images: readonly RgbaImage[], options?: SideBySideOptions): Result<RgbaImage> {
  const fields = readOptions(options, 'options', ['scale', 'gap', 'background']);
  const f = fields._tag === 'Right' ? fields.right : {};
  const list = Array.isArray(images) ? readArray(images, 'images') : fail({ _tag: 'InvalidArgument', path: 'images', expected: 'an array of images', got: describeValue(images) });
  const nonEmpty = list._tag === 'Right' && list.right.length === 0 ? fail({ _tag: 'InvalidArgument', path: 'images', expected: 'at least one image', got: 'an empty array' }) : list;
  const checked = all({
    images: nonEmpty._tag === 'Left' ? nonEmpty : allOf(nonEmpty.right.map((v, i) => readRgbaImage(v, `images[${i}]`))),
    options: fields,
    scale: readCount(f.scale, 'options.scale', 1, 1),
    gap: readCount(f.gap, 'options.gap', 0, 0),
    background: readBackground(f.background, 'options.background'),
  });
  if (checked._tag === 'Left') return checked;
  const { images: sources, scale, gap, background } = checked.right;
  const width = sources.reduce((w, im) => w + im.width * scale, 0) + gap * (sources.length - 1);
  const height = Math.max(...sources.map((im) => im.height * scale));
  if (width * height > MAX_PIXELS) {
    return fail({ _tag: 'InvalidArgument', path: 'options.scale', expected: `a scale whose result has at most ${MAX_PIXELS} pixels`, got: `${scale}, giving ${width} x ${height}` });
  }
  const rgba = new Uint8ClampedArray(width * height * 4); // [height, width, 4]
  for (let p = 0; p < width * height; p++) rgba.set(background, p * 4);
  let left = 0;
  for (const im of sources) {
    for (let y = 0; y < im.height * scale; y++) {
      const sourceRow = Math.floor(y / scale) * im.width;
      for (let x = 0; x < im.width * scale; x++) {
        const from = (sourceRow + Math.floor(x / scale)) * 4;
        rgba.set(im.rgba.subarray(from, from + 4), (y * width + left + x) * 4);
      }
    }
    left += im.width * scale + gap;
  }
  return ok({ width, height, rgba });
}
