// tfjs-attribution/node: Node-only conveniences, outside the core entry point (which uses no Node API).
// PNG encoding with fast-png (pure JS), and writing the file with node:fs.
import { writeFile } from 'node:fs/promises';
import { encode } from 'fast-png';
import { describeValue } from '../core/arguments.js';
import { attempt, attemptAsync, errorText, fail, ok, type Result } from '../core/validation.js';
import { readRgbaImage, type RgbaImage } from '../visualization/rgba-image.js';

/**
 * An RGBA image as PNG bytes (8 bits per channel, with alpha), e.g. from `visualizeImageAttr` or `sideBySide`.
 *
 * @example
 * import { encodePng } from 'tfjs-attribution/node';
 * const png = encodePng({ width: 1, height: 1, rgba: new Uint8ClampedArray([255, 0, 0, 255]) });
 * // Right(Uint8Array [137, 80, 78, 71, ...]): a 1x1 red PNG
 */
export function encodePng(image: RgbaImage): Result<Uint8Array> {
  return attempt(
    () => {
      const checked = readRgbaImage(image, 'image');
      if (checked._tag === 'Left') return checked;
      const { width, height, rgba } = checked.right;
      return ok(encode({ width, height, data: rgba, channels: 4, depth: 8 }));
    },
    (e) => ({ _tag: 'Unexpected', path: 'encodePng', message: errorText(e) }),
  );
}

/**
 * Writes an RGBA image to `path` as a PNG. A path that cannot be written (no such folder, no
 * permission) is a Left naming `path`, never an exception.
 *
 * @example
 * import { visualizeImageAttr } from 'tfjs-attribution';
 * import { writePng } from 'tfjs-attribution/node';
 * const heat = await visualizeImageAttr(attr, undefined, { sign: 'all' });
 * if (heat._tag === 'Right') await writePng('/tmp/heat.png', heat.right); // Right({ path: '/tmp/heat.png', bytes: 123 })
 */
export function writePng(path: string, image: RgbaImage): Promise<Result<{ readonly path: string; readonly bytes: number }>> {
  return attemptAsync(
    async () => {
      if (typeof path !== 'string' || path === '') return fail({ _tag: 'InvalidArgument', path: 'path', expected: 'a file path', got: describeValue(path) });
      const png = encodePng(image);
      if (png._tag === 'Left') return png;
      try {
        await writeFile(path, png.right);
      } catch (e) {
        return fail({ _tag: 'InvalidArgument', path: 'path', expected: 'a path where a file can be written', got: `${JSON.stringify(path)} (${errorText(e)})` });
      }
      return ok({ path, bytes: png.right.length });
    },
    (e) => ({ _tag: 'Unexpected', path: 'writePng', message: errorText(e) }),
  );
}

export type { RgbaImage } from '../visualization/rgba-image.js';
