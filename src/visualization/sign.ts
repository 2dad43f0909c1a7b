// Captum's VisualizeSign: which part of an attribution map is shown.
import { describeValue } from '../core/arguments.js';
import { fail, ok, type Result } from '../core/validation.js';

/**
 * Which attributions a visualisation keeps (Captum's `VisualizeSign`): `'positive'` (`x > 0 ? x : 0`),
 * `'negative'` (`x < 0 ? x : 0`), `'absolute_value'` (`|x|`, Captum's default) or `'all'` (`x`, on a
 * red-white-green scale from -1 to 1).
 *
 * @example
 * const sign: VisualizeSign = 'positive';
 * await normalizeAttribution(tf.tensor3d([1, -2, 3, 0], [2, 2, 1]), { sign }); // Right: normalized [1/3, 0, 1, 0]
 */
export type VisualizeSign = 'all' | 'positive' | 'negative' | 'absolute_value';

/**
 * Every {@link VisualizeSign}, in Captum's order.
 *
 * @example
 * console.log(visualizeSigns.join(', ')); // 'all, positive, negative, absolute_value'
 */
export const visualizeSigns: readonly VisualizeSign[] = ['all', 'positive', 'negative', 'absolute_value'];

/** A sign option: undefined gives `fallback`; anything but one of the four names is a Left at `path`. */
export function readSign(value: unknown, path: string, fallback: VisualizeSign = 'absolute_value'): Result<VisualizeSign> {
  if (value === undefined) return ok(fallback);
  const found = visualizeSigns.find((s) => s === value);
  return found !== undefined
    ? ok(found)
    : fail({ _tag: 'InvalidArgument', path, expected: `one of ${visualizeSigns.map((s) => `'${s}'`).join(', ')}`, got: describeValue(value) });
}
