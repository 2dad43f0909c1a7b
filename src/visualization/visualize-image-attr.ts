// Captum's visualize_image_attr, as pixels: one RGBA image per call, no figure, no DOM.
import { describeValue } from '../core/arguments.js';
import { all, attemptAsync, errorText, fail, ok, type Result } from '../core/validation.js';
import { readOptions } from './read-options.js';
import { applyColorMap, defaultColorMap } from './apply-color-map.js';
import { type ColorMap, type ColorMapName, readColorMap } from './color-map.js';
import { checkImageMap, type HwcMap, type ImageMapLike, type PendingMap, readImageMap } from './image-map.js';
import { normalizeMap, readNormalizeSettings } from './normalize-attribution.js';
import type { RgbaImage } from './rgba-image.js';
import type { VisualizeSign } from './sign.js';

/**
 * How {@link visualizeImageAttr} shows an attribution (Captum's `ImageVisualizationMethod`, same strings):
 * - `'heat_map'`: the normalised map through the colour map;
 * - `'blended_heat_map'`: that heat map at `alphaOverlay` over the grey-scale image (the channel mean, autoscaled);
 * - `'original_image'`: the image alone (the attribution may be left out);
 * - `'masked_image'`: the image times the normalised map;
 * - `'alpha_scaling'`: the image, with the normalised map as its alpha channel.
 *
 * @example
 * const method: VisualizeMethod = 'blended_heat_map';
 * await visualizeImageAttr(tf.randomNormal([8, 8, 3]), tf.randomUniform([8, 8, 3], 0, 255), { method });
 */
export type VisualizeMethod = 'heat_map' | 'blended_heat_map' | 'original_image' | 'masked_image' | 'alpha_scaling';

/**
 * Every {@link VisualizeMethod}, in Captum's order.
 *
 * @example
 * console.log(visualizeMethods.length); // 5
 */
export const visualizeMethods: readonly VisualizeMethod[] = ['heat_map', 'blended_heat_map', 'original_image', 'masked_image', 'alpha_scaling'];

/**
 * Options of {@link visualizeImageAttr}: Captum's keywords in camelCase. `plt_fig_axis`, `show_colorbar`,
 * `title`, `fig_size` and `use_pyplot` concern matplotlib figures and have no counterpart.
 *
 * @example
 * const options: VisualizeImageOptions = { method: 'masked_image', sign: 'positive', outlierPerc: 2 };
 * await visualizeImageAttr(tf.randomNormal([8, 8, 3]), tf.randomUniform([8, 8, 3], 0, 255), options);
 */
export interface VisualizeImageOptions {
  /** Default `'heat_map'`. */
  readonly method?: VisualizeMethod;
  /** Default `'absolute_value'`. `masked_image` and `alpha_scaling` refuse `'all'`. */
  readonly sign?: VisualizeSign;
  /** Percent of the attribution mass clipped as outliers, 0 to 100; default 2. */
  readonly outlierPerc?: number;
  /** Captum's `cmap`: a built-in name or a {@link ColorMap}; default per sign (see {@link defaultColorMap}). The range stays the sign's. */
  readonly colorMap?: ColorMap | ColorMapName;
  /** Opacity of the heat map in `blended_heat_map`, 0 to 1; default 0.5. */
  readonly alphaOverlay?: number;
}

const OPTION_KEYS = ['method', 'sign', 'outlierPerc', 'colorMap', 'alphaOverlay'] as const;
const NEEDS_IMAGE: readonly VisualizeMethod[] = ['blended_heat_map', 'original_image', 'masked_image', 'alpha_scaling'];
const ONE_SIGN: readonly VisualizeSign[] = ['positive', 'negative', 'absolute_value'];

function readMethod(value: unknown, path: string): Result<VisualizeMethod> {
  if (value === undefined) return ok('heat_map');
  const found = visualizeMethods.find((m) => m === value);
  return found !== undefined ? ok(found) : fail({ _tag: 'InvalidArgument', path, expected: `one of ${visualizeMethods.map((m) => `'${m}'`).join(', ')}`, got: describeValue(value) });
}

function readAlpha(value: unknown, path: string): Result<number> {
  if (value === undefined) return ok(0.5);
  return typeof value === 'number' && value >= 0 && value <= 1 ? ok(value) : fail({ _tag: 'InvalidArgument', path, expected: 'an opacity between 0 and 1', got: describeValue(value) });
}

/** The attribution (absent only for `original_image`) or the image (absent only for `heat_map`). */
function readMap(value: unknown, path: string, required: boolean, method: VisualizeMethod, image: boolean): Result<PendingMap | undefined> {
  if (value === undefined || value === null) {
    return required ? fail({ _tag: 'InvalidArgument', path, expected: `${image ? 'an image [H, W, 3] or [H, W, 1]' : 'an attribution map'} for method '${method}'`, got: describeValue(value) }) : ok(undefined);
  }
  const map = checkImageMap(value, path);
  if (map._tag === 'Right' && image && map.right.channels !== 1 && map.right.channels !== 3) {
    return fail({ _tag: 'InvalidArgument', path, expected: 'an image with 3 channels (RGB, 0..255) or 1 (grey)', got: `${map.right.channels} channels` });
  }
  return map;
}

/** The image's RGB at pixel `p` (a grey image repeats its one channel). */
const rgbAt = (image: HwcMap, p: number, k: number): number => image.data[p * image.channels + (image.channels === 1 ? 0 : k)] as number;

/** Captum's `_prepare_image`: `clip(int(x), 0, 255)`, truncating toward zero. */
const toByte = (x: number): number => Math.min(255, Math.max(0, Math.trunc(x)));

function imagePixels(image: HwcMap, alpha: (p: number) => number, scale: (p: number) => number = () => 1): Uint8ClampedArray {
  const n = image.height * image.width;
  const rgba = new Uint8ClampedArray(n * 4); // [H, W, 4]
  for (let p = 0; p < n; p++) {
    const s = scale(p);
    for (let k = 0; k < 3; k++) rgba[p * 4 + k] = toByte(s === 1 ? rgbAt(image, p, k) : Math.fround(rgbAt(image, p, k) * s));
    rgba[p * 4 + 3] = alpha(p);
  }
  return rgba;
}

/** `blended_heat_map`'s background: the float32 channel mean through matplotlib's gray map, autoscaled to its min and max. */
function greyBackground(image: HwcMap): Result<Uint8ClampedArray> {
  const n = image.height * image.width;
  const mean = new Float32Array(n); // [H, W]
  for (let p = 0; p < n; p++) {
    let s = 0;
    for (let c = 0; c < image.channels; c++) s = Math.fround(s + (image.data[p * image.channels + c] as number));
    mean[p] = s / image.channels;
  }
  const vmin = mean.reduce((x, y) => Math.min(x, y));
  const vmax = mean.reduce((x, y) => Math.max(x, y));
  return applyColorMap(mean, 'gray', { vmin, vmax, bytes: true });
}

/** `alpha * heat + (1 - alpha) * grey` per channel (the heat map's own alpha scales `alpha`), rounded; opaque. */
function blend(heat: Uint8ClampedArray, grey: Uint8ClampedArray, alphaOverlay: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(heat.length);
  for (let p = 0; p < heat.length; p += 4) {
    const a = (alphaOverlay * (heat[p + 3] as number)) / 255;
    for (let k = 0; k < 3; k++) out[p + k] = Math.round(a * (heat[p + k] as number) + (1 - a) * (grey[p + k] as number));
    out[p + 3] = 255;
  }
  return out;
}

interface Plan {
  readonly method: VisualizeMethod;
  readonly settings: { readonly sign: VisualizeSign; readonly outlierPerc: number; readonly reduce: boolean };
  readonly colorMap: ColorMap | undefined;
  readonly alphaOverlay: number;
}

function render(plan: Plan, attr: HwcMap | undefined, image: HwcMap | undefined): Result<RgbaImage> {
  const size = (attr ?? image) as HwcMap;
  const done = (rgba: Uint8ClampedArray): Result<RgbaImage> => ok({ width: size.width, height: size.height, rgba });
  if (plan.method === 'original_image') return done(imagePixels(image as HwcMap, () => 255));
  const normalized = normalizeMap(attr as HwcMap, plan.settings, 'attr');
  if (normalized._tag === 'Left') return normalized;
  const values = normalized.right.normalized; // [H, W]
  if (plan.method === 'masked_image') return done(imagePixels(image as HwcMap, () => 255, (p) => values[p] as number));
  if (plan.method === 'alpha_scaling') return done(imagePixels(image as HwcMap, (p) => toByte(Math.fround((values[p] as number) * 255))));
  const defaults = defaultColorMap(plan.settings.sign);
  if (defaults._tag === 'Left') return defaults;
  const { vmin, vmax } = defaults.right;
  const heat = applyColorMap(values, plan.colorMap ?? defaults.right.colorMap, { vmin, vmax, bytes: true });
  if (heat._tag === 'Left' || plan.method === 'heat_map') return heat._tag === 'Left' ? heat : done(heat.right);
  const grey = greyBackground(image as HwcMap);
  return grey._tag === 'Left' ? grey : done(blend(heat.right, grey.right, plan.alphaOverlay));
}

/** Every argument checked at once; the attribution's and the image's data reads are started. */
function checkArguments(attr: unknown, image: unknown, options: unknown): Result<{ plan: Plan; attr: PendingMap | undefined; image: PendingMap | undefined }> {
  const fields = readOptions(options, 'options', OPTION_KEYS);
  const f = fields._tag === 'Right' ? fields.right : {};
  const method = readMethod(f.method, 'options.method');
  const m = method._tag === 'Right' ? method.right : 'heat_map';
  const checked = all({
    options: fields,
    method,
    settings: readNormalizeSettings(f, 'options', ok(true)),
    colorMap: f.colorMap === undefined ? ok(undefined) : readColorMap(f.colorMap, 'options.colorMap'),
    alphaOverlay: readAlpha(f.alphaOverlay, 'options.alphaOverlay'),
    attr: readMap(attr, 'attr', m !== 'original_image', m, false),
    image: readMap(image, 'image', NEEDS_IMAGE.includes(m), m, true),
  });
  if (checked._tag === 'Left') return checked;
  const { settings, attr: a, image: i } = checked.right;
  if ((m === 'masked_image' || m === 'alpha_scaling') && !ONE_SIGN.includes(settings.sign)) {
    return fail({ _tag: 'VisualizeSignUnsupported', path: 'options.sign', method: m, sign: settings.sign, valid: ONE_SIGN });
  }
  if (a !== undefined && i !== undefined && (a.height !== i.height || a.width !== i.width)) {
    return fail({ _tag: 'InvalidArgument', path: 'image', expected: `the attribution's size, ${a.height} x ${a.width} (H x W)`, got: `${i.height} x ${i.width}` });
  }
  return ok({ plan: { method: m, settings, colorMap: checked.right.colorMap, alphaOverlay: checked.right.alphaOverlay }, attr: a, image: i });
}

/**
 * Captum's `visualize_image_attr` as pixels: the attribution map (channels last, `[H, W, C]`, `[H, W]` or
 * a batch of one `[1, H, W, C]`; channels are summed) is normalised as {@link normalizeAttribution} does
 * (`sign`, `outlierPerc`) and drawn by `method` (see {@link VisualizeMethod}) into an `H x W` RGBA image.
 * `image` is `[H, W, 3]` (or one channel) in 0..255, needed by every method but `heat_map`. Colours
 * come from the sign's default map unless `colorMap` says otherwise. Neither argument is disposed.
 *
 * A layer attribution upsampled with {@link interpolate} (`[1, H, W, C]`) goes straight in.
 *
 * @example
 * const layerMap = tf.randomNormal([1, 4, 4, 1]); // e.g. a conv layer's attribution
 * const up = interpolate(layerMap, [8, 8], 'bilinear'); // Right([1, 8, 8, 1])
 * if (up._tag === 'Right') {
 *   const r = await visualizeImageAttr(up.right, undefined, { method: 'heat_map', sign: 'all' });
 *   // Right({ width: 8, height: 8, rgba: Uint8ClampedArray(256) }): red negative, white 0, green positive
 *   up.right.dispose();
 * }
 * const image = tf.randomUniform([8, 8, 3], 0, 255);
 * await visualizeImageAttr(tf.randomNormal([8, 8, 3]), image, { method: 'masked_image', sign: 'all' });
 * // Left: options.sign: expected one of 'positive', 'negative', 'absolute_value' for method 'masked_image' ...
 */
export function visualizeImageAttr(
  attr: ImageMapLike | null | undefined,
  image?: ImageMapLike | null,
  options?: VisualizeImageOptions,
): Promise<Result<RgbaImage>> {
  return attemptAsync(
    async () => {
      const checked = checkArguments(attr, image, options);
      if (checked._tag === 'Left') return checked;
      const { plan } = checked.right;
      const [a, i] = await Promise.all([
        checked.right.attr === undefined ? undefined : readImageMap(checked.right.attr, 'attr'),
        checked.right.image === undefined ? undefined : readImageMap(checked.right.image, 'image'),
      ]);
      const read = all({ attr: a ?? ok(undefined), image: i ?? ok(undefined) });
      return read._tag === 'Left' ? read : render(plan, read.right.attr, plan.method === 'heat_map' ? undefined : read.right.image);
    },
    (e) => ({ _tag: 'Unexpected', path: 'visualizeImageAttr', message: errorText(e) }),
  );
}
