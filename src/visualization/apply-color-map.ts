// Looking values up in a colour map, as matplotlib's imshow does: Normalize(vmin, vmax), then the table.
import { describeValue } from '../core/arguments.js';
import { all, fail, ok, type Result } from '../core/validation.js';
import { readOptions } from './read-options.js';
import { type ColorMap, type ColorMapName, namedColorMap, readColorMap } from './color-map.js';
import { readSign, type VisualizeSign } from './sign.js';

/**
 * Options of {@link applyColorMap}: the value range mapped onto the table (default 0..1, i.e. values
 * already normalised, as matplotlib's `cmap(x)`), and `bytes: true` for 0..255 bytes (`cmap(x, bytes=True)`).
 *
 * @example
 * const options: ColorMapOptions = { vmin: -1, vmax: 1, bytes: true };
 * applyColorMap([-1, 0, 1], 'RdWhGn', options); // Right(Uint8ClampedArray [255,0,0,255, 254,254,254,255, 0,128,0,255])
 */
export interface ColorMapOptions {
  readonly vmin?: number;
  readonly vmax?: number;
  readonly bytes?: boolean;
}

/**
 * Captum's default colour map and range for a sign: `'all'` uses red-white-green over [-1, 1];
 * `'positive'`, `'negative'` and `'absolute_value'` use Greens, Reds and Blues over [0, 1].
 *
 * @example
 * const r = defaultColorMap('negative');
 * // Right({ colorMap: { name: 'Reds', table }, vmin: 0, vmax: 1 })
 */
export function defaultColorMap(sign: VisualizeSign): Result<{ readonly colorMap: ColorMap; readonly vmin: number; readonly vmax: number }> {
  const checked = readSign(sign, 'sign');
  if (checked._tag === 'Left') return checked;
  const [name, vmin]: [ColorMapName, number] = {
    all: ['RdWhGn', -1] as [ColorMapName, number],
    positive: ['Greens', 0] as [ColorMapName, number],
    negative: ['Reds', 0] as [ColorMapName, number],
    absolute_value: ['Blues', 0] as [ColorMapName, number],
  }[checked.right];
  const colorMap = namedColorMap(name);
  return colorMap._tag === 'Left' ? colorMap : ok({ colorMap: colorMap.right, vmin, vmax: 1 });
}

/**
 * The table index of a value, as matplotlib computes it for float32 data: `x = (v - vmin) / (vmax - vmin)`
 * and `x * N` in float32, truncated; below 0 takes the first entry, `N` and above the last. NaN gives -1 (no colour).
 */
export function colorIndex(value: number, vmin: number, vmax: number, n: number): number {
  if (Number.isNaN(value)) return -1;
  const x = vmax === vmin ? 0 : Math.fround(Math.fround(value - vmin) / Math.fround(vmax - vmin));
  const scaled = Math.fround(x * n);
  return scaled < 0 ? 0 : scaled >= n ? n - 1 : Math.trunc(scaled);
}

/** The bytes of a table, as matplotlib's `(lut * 255).astype(uint8)`: truncated, not rounded. */
export const tableBytes = (table: Float64Array): Uint8ClampedArray => Uint8ClampedArray.from(table, (v) => Math.trunc(v * 255));

function readRange(value: unknown, path: string, fallback: number): Result<number> {
  if (value === undefined) return ok(fallback);
  return typeof value === 'number' && Number.isFinite(value) ? ok(value) : fail({ _tag: 'InvalidArgument', path, expected: 'a finite number', got: describeValue(value) });
}

/**
 * Colours for `values`, RGBA per value: matplotlib's `cmap(Normalize(vmin, vmax)(values))`. Values
 * below `vmin` take the first colour, above `vmax` the last; NaN is transparent black. Floats in 0..1
 * by default; with `bytes: true`, 0..255 bytes truncated as matplotlib does (ready for an `ImageData`).
 *
 * @example
 * applyColorMap([0, 0.5, 1], 'Greens'); // Right(Float32Array of 12: the lightest green, a middle one, the darkest)
 * applyColorMap([0.25], 'gray', { bytes: true }); // Right(Uint8ClampedArray [64, 64, 64, 255])
 * applyColorMap([1], 'Greens', { vmin: 1, vmax: 0 }); // Left: options.vmax: expected a number >= vmin (1)
 */
export function applyColorMap(values: ArrayLike<number>, colorMap: ColorMap | ColorMapName, options: ColorMapOptions & { readonly bytes: true }): Result<Uint8ClampedArray>;
export function applyColorMap(values: ArrayLike<number>, colorMap: ColorMap | ColorMapName, options?: ColorMapOptions & { readonly bytes?: false }): Result<Float32Array>;
export function applyColorMap(values: ArrayLike<number>, colorMap: ColorMap | ColorMapName, options?: ColorMapOptions): Result<Float32Array | Uint8ClampedArray>;
export function applyColorMap(values: ArrayLike<number>, colorMap: ColorMap | ColorMapName, options?: ColorMapOptions): Result<Float32Array | Uint8ClampedArray> {
  const fields = readOptions(options, 'options', ['vmin', 'vmax', 'bytes']);
  const f = fields._tag === 'Right' ? fields.right : {};
  const isNumbers = Array.isArray(values) || (ArrayBuffer.isView(values) && !(values instanceof DataView) && !(values instanceof BigInt64Array) && !(values instanceof BigUint64Array));
  const checked = all({
    values: isNumbers ? ok(values) : fail({ _tag: 'InvalidArgument', path: 'values', expected: 'an array or typed array of numbers', got: describeValue(values) }),
    colorMap: readColorMap(colorMap, 'colorMap'),
    options: fields,
    vmin: readRange(f.vmin, 'options.vmin', 0),
    vmax: readRange(f.vmax, 'options.vmax', 1),
    bytes: f.bytes === undefined || typeof f.bytes === 'boolean' ? ok(f.bytes === true) : fail({ _tag: 'InvalidArgument', path: 'options.bytes', expected: 'a boolean', got: describeValue(f.bytes) }),
  });
  if (checked._tag === 'Left') return checked;
  const { vmin, vmax, bytes, colorMap: map } = checked.right;
  if (vmax < vmin) return fail({ _tag: 'InvalidArgument', path: 'options.vmax', expected: `a number >= vmin (${vmin})`, got: describeValue(vmax) });
  const table = bytes ? tableBytes(map.table) : map.table;
  const n = map.table.length / 4;
  const out = bytes ? new Uint8ClampedArray(values.length * 4) : new Float32Array(values.length * 4); // [values, 4]
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const index = colorIndex(typeof v === 'number' ? v : Number.NaN, vmin, vmax, n);
    if (index >= 0) for (let k = 0; k < 4; k++) out[i * 4 + k] = table[index * 4 + k] as number;
  }
  return ok(out);
}
