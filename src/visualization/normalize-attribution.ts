// Captum's `_normalize_attr`: channel sum, sign restriction, outlier threshold, scale and clip.
import { describeValue } from '../core/arguments.js';
import { all, attemptAsync, errorText, fail, ok, type Result } from '../core/validation.js';
import { readOptions } from './read-options.js';
import { cumulativeSumThreshold } from './cumulative-sum-threshold.js';
import { checkImageMap, type HwcMap, type ImageMapLike, readImageMap } from './image-map.js';
import { readSign, type VisualizeSign } from './sign.js';

/**
 * Options of {@link normalizeAttribution} (Captum's `_normalize_attr` keywords, camelCase).
 *
 * @example
 * const options: NormalizeOptions = { sign: 'all', outlierPerc: 2, reductionAxis: 2 };
 * await normalizeAttribution(tf.randomNormal([8, 8, 3]), options); // Right: normalized [8, 8] in [-1, 1]
 */
export interface NormalizeOptions {
  /** The part of the map to keep; default `'absolute_value'` (as `visualize_image_attr`). */
  readonly sign?: VisualizeSign;
  /** The share of the mass, in percent (0 to 100), treated as outliers and clipped to ±1; default 2. */
  readonly outlierPerc?: number;
  /**
   * `2` (or `-1`) sums the channels of the `[H, W, C]` map first, as `visualize_image_attr` does for
   * every method; `null` or absent keeps the channels (Captum's default for `_normalize_attr`).
   */
  readonly reductionAxis?: 2 | -1 | null;
}

/**
 * What {@link normalizeAttribution} returns: plain data, no tensor.
 *
 * @example
 * const r = await normalizeAttribution(tf.tensor2d([[1, -2], [3, 4]]), { sign: 'positive', outlierPerc: 0 });
 * if (r._tag === 'Right') {
 *   const n: NormalizedAttribution = r.right;
 *   console.log(n.shape, n.threshold, n.normalized); // [2, 2, 1] 4 Float32Array [0.25, 0, 0.75, 1]
 * }
 */
export interface NormalizedAttribution {
  /** `clip(values / threshold, -1, 1)`, row-major in `shape`. */
  readonly normalized: Float32Array;
  /** `[H, W]` with the channel sum, else `[H, W, C]` (a `[H, W]` input has `C = 1`). */
  readonly shape: readonly number[];
  /** The scale Captum divides by: the cumulative-sum threshold, negative for `sign: 'negative'`. */
  readonly threshold: number;
}

interface NormalizeSettings {
  readonly sign: VisualizeSign;
  readonly outlierPerc: number;
  readonly reduce: boolean;
}

function readOutlierPerc(value: unknown, path: string): Result<number> {
  if (value === undefined) return ok(2);
  return typeof value === 'number' && value >= 0 && value <= 100
    ? ok(value)
    : fail({ _tag: 'InvalidArgument', path, expected: 'a percentage between 0 and 100 inclusive', got: describeValue(value) });
}

function readReductionAxis(value: unknown, path: string): Result<boolean> {
  if (value === undefined || value === null) return ok(false);
  return value === 2 || value === -1
    ? ok(true)
    : fail({ _tag: 'InvalidArgument', path, expected: '2 or -1 (sum the channels of an [H, W, C] map) or null', got: describeValue(value) });
}

/** The sign and outlier options shared by every visualisation, checked together with `reduce`. */
export function readNormalizeSettings(
  fields: { readonly sign?: unknown; readonly outlierPerc?: unknown },
  path: string,
  reduce: Result<boolean>,
): Result<NormalizeSettings> {
  return all({ sign: readSign(fields.sign, `${path}.sign`), outlierPerc: readOutlierPerc(fields.outlierPerc, `${path}.outlierPerc`), reduce });
}

/** Per pixel, the float32 sum of its channels in order (NumPy's `np.sum(attr, axis=2)` on float32). */
function sumChannels(map: HwcMap): Float32Array {
  const { data, channels } = map;
  const out = new Float32Array(data.length / channels); // [H * W]
  for (let p = 0; p < out.length; p++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s = Math.fround(s + (data[p * channels + c] as number));
    out[p] = s;
  }
  return out;
}

/** The map restricted to `sign`, and the threshold Captum divides it by (0 when there is nothing to scale). */
function signedValues(values: Float32Array, sign: VisualizeSign, percentile: number): { values: Float32Array; threshold: number } {
  switch (sign) {
    case 'all':
      return { values, threshold: cumulativeSumThreshold(values.map(Math.abs), percentile) };
    case 'positive': {
      const kept = values.map((x) => (x > 0 ? x : 0));
      return { values: kept, threshold: cumulativeSumThreshold(kept, percentile) };
    }
    case 'negative': {
      const kept = values.map((x) => (x < 0 ? x : 0));
      return { values: kept, threshold: -cumulativeSumThreshold(kept.map(Math.abs), percentile) };
    }
    case 'absolute_value': {
      const kept = values.map(Math.abs);
      return { values: kept, threshold: cumulativeSumThreshold(kept, percentile) };
    }
  }
}

/** The normalisation itself, on data already read and options already checked. */
export function normalizeMap(map: HwcMap, settings: NormalizeSettings, path: string): Result<NormalizedAttribution> {
  const combined = settings.reduce ? sumChannels(map) : map.data;
  const { values, threshold } = signedValues(combined, settings.sign, 100 - settings.outlierPerc);
  if (threshold === 0) return fail({ _tag: 'VisualizeScaleZero', path, sign: settings.sign, outlierPerc: settings.outlierPerc });
  const normalized = values.map((x) => Math.min(1, Math.max(-1, x / threshold))); // float32 division, as NumPy
  const shape = settings.reduce ? [map.height, map.width] : [map.height, map.width, map.channels];
  return ok({ normalized, shape, threshold });
}

/**
 * Captum's `_normalize_attr`: optionally sums the channels of an `[H, W, C]` attribution map, keeps
 * the part of it that `sign` selects, divides by the cumulative-sum threshold (the smallest |value| at
 * which the sorted |values| add up to `100 - outlierPerc` percent of their total; negated for
 * `'negative'`) and clips to [-1, 1]. A threshold of 0 (e.g. `'positive'` on an all-negative map) is a
 * `VisualizeScaleZero` Left, as Captum asserts; NaN and ±Infinity are refused.
 *
 * `attr` is a tensor `[H, W, C]`, `[H, W]` or `[1, H, W, C]`, or `{ data, shape }`; it is read, never disposed.
 *
 * @example
 * const attr = tf.tensor3d([1, 2, -3, 4, 0, 8], [1, 3, 2]); // [H=1, W=3, C=2]
 * const r = await normalizeAttribution(attr, { sign: 'all', outlierPerc: 0, reductionAxis: 2 });
 * // Right({ normalized: Float32Array [0.375, 0.125, 1], shape: [1, 3], threshold: 8 })
 * await normalizeAttribution(attr, { sign: 'both' as never }); // Left: options.sign: expected one of 'all', ...
 */
export function normalizeAttribution(attr: ImageMapLike, options?: NormalizeOptions): Promise<Result<NormalizedAttribution>> {
  return attemptAsync(
    async () => {
      const fields = readOptions(options, 'options', ['sign', 'outlierPerc', 'reductionAxis']);
      const f = fields._tag === 'Right' ? fields.right : {};
      const checked = all({
        map: checkImageMap(attr, 'attr'),
        options: fields,
        settings: readNormalizeSettings(f, 'options', readReductionAxis(f.reductionAxis, 'options.reductionAxis')),
      });
      if (checked._tag === 'Left') return checked;
      const map = await readImageMap(checked.right.map, 'attr');
      return map._tag === 'Left' ? map : normalizeMap(map.right, checked.right.settings, 'attr');
    },
    (e) => ({ _tag: 'Unexpected', path: 'normalizeAttribution', message: errorText(e) }),
  );
}
