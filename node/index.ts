// tfjs-attribution/node: the Node-only conveniences, kept out of src/ (the core, which uses no Node
// API and runs in Deno, Workers and browsers too). It reaches the core through the package's own
// name, so the built file (dist/node/index.js) loads the same dist/index.js as every other import.
import { writeFile } from 'node:fs/promises';
import { type AttributionError, encodePng, type Result, type RgbaImage } from 'tfjs-attribution';

const left = (error: AttributionError): Result<never> => ({ _tag: 'Left', left: [error] });
const text = (e: unknown): string => {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return 'an unprintable error';
  }
};

/**
 * Writes an RGBA image (from `visualizeImageAttr` or `sideBySide`) to `path` as a PNG, encoded by the
 * core's `encodePng`. A path that cannot be written (no such folder, no permission) is a Left naming
 * `path`, never an exception.
 *
 * @example
 * import { sideBySide, visualizeImageAttr } from 'tfjs-attribution';
 * import { writePng } from 'tfjs-attribution/node';
 * const heat = await visualizeImageAttr(attr, undefined, { sign: 'all' });
 * if (heat._tag === 'Right') await writePng('/tmp/heat.png', heat.right); // Right({ path: '/tmp/heat.png', bytes: 123 })
 */
export async function writePng(path: string, image: RgbaImage): Promise<Result<{ readonly path: string; readonly bytes: number }>> {
  if (typeof path !== 'string' || path === '') {
    return left({ _tag: 'InvalidArgument', path: 'path', expected: 'a file path', got: typeof path === 'string' ? 'the empty string' : `a ${typeof path}` });
  }
  const png = encodePng(image);
  if (png._tag === 'Left') return png;
  try {
    await writeFile(path, png.right);
  } catch (e) {
    return left({ _tag: 'InvalidArgument', path: 'path', expected: 'a path where a file can be written', got: `${JSON.stringify(path)} (${text(e)})` });
  }
  return { _tag: 'Right', right: { path, bytes: png.right.length } };
}
