// PNG bytes from an RGBA image, with fast-png (pure JS: no DOM, no Node API), so the same pixels can
// go to a file (tfjs-attribution/node's writePng), a Response in a Worker, or a download in a tab.
import { encode } from 'fast-png';
import { attempt, errorText, ok, type Result } from '../core/validation.js';
import { readRgbaImage, type RgbaImage } from './rgba-image.js';

/**
 * An RGBA image as PNG bytes (8 bits per channel, with alpha), e.g. from {@link visualizeImageAttr}
 * or {@link sideBySide}. Anything that is not an RGBA image is a Left naming `image`.
 *
 * @example
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
