// Colour maps as matplotlib builds them: a lookup table of N RGBA entries, linearly interpolated
// between evenly spaced anchor colours (`LinearSegmentedColormap.from_list`), in float64 with the
// same operations, so the tables (and their bytes) are matplotlib's.
import { describeValue, readArray, readFields } from '../core/arguments.js';
import { allOf, fail, ok, type Result } from '../core/validation.js';

/**
 * A colour: `[r, g, b]` or `[r, g, b, a]` in 0..1 (as matplotlib), or a hex string `'#rrggbb'` / `'#rrggbbaa'`.
 *
 * @example
 * const colors: Color[] = ['#ff0000', [1, 1, 1], [0, 128 / 255, 0, 1]];
 * colorMapFromList('RdWhGn', colors); // Right: Captum's red-white-green map
 */
export type Color = readonly [number, number, number] | readonly [number, number, number, number] | string;

/**
 * A colour map: `table` holds `table.length / 4` RGBA entries in 0..1 (matplotlib's `_lut` without
 * its under/over/bad rows). Values below the range take the first entry, above it the last.
 *
 * @example
 * const r = namedColorMap('Greens');
 * if (r._tag === 'Right') {
 *   const greens: ColorMap = r.right;
 *   console.log(greens.table.length / 4, Array.from(greens.table.slice(0, 4))); // 256 [247/255, 252/255, 245/255, 1]
 * }
 */
export interface ColorMap {
  readonly name: string;
  readonly table: Float64Array;
}

/**
 * The colour maps built in: Captum's defaults (`'RdWhGn'` for `sign: 'all'`, matplotlib's `'Greens'`,
 * `'Reds'` and `'Blues'` for `positive`, `negative` and `absolute_value`) and `'gray'` (the background
 * of `blended_heat_map`).
 *
 * @example
 * const name: ColorMapName = 'Blues';
 * await visualizeImageAttr(tf.randomNormal([8, 8, 3]), undefined, { colorMap: name }); // Right: a blue heat map
 */
export type ColorMapName = 'RdWhGn' | 'Greens' | 'Reds' | 'Blues' | 'gray';

/** ColorBrewer's 9-step sequential schemes, as matplotlib's `_cm.py` holds them. */
const BREWER: Readonly<Record<'Greens' | 'Reds' | 'Blues', readonly string[]>> = {
  Greens: ['#f7fcf5', '#e5f5e0', '#c7e9c0', '#a1d99b', '#74c476', '#41ab5d', '#238b45', '#006d2c', '#00441b'],
  Reds: ['#fff5f0', '#fee0d2', '#fcbba1', '#fc9272', '#fb6a4a', '#ef3b2c', '#cb181d', '#a50f15', '#67000d'],
  Blues: ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'],
};

const NAMED: Readonly<Record<ColorMapName, readonly Color[]>> = {
  // from_list(["red", "white", "green"]): matplotlib's "green" is #008000.
  RdWhGn: ['#ff0000', '#ffffff', '#008000'],
  ...BREWER,
  gray: ['#000000', '#ffffff'],
};

/** NumPy's `linspace(0, 1, n)`: `i * (1 / (n - 1))`, the last one exactly 1. */
function linspace01(n: number): Float64Array {
  const step = 1 / (n - 1);
  const out = Float64Array.from({ length: n }, (_, i) => i * step);
  out[n - 1] = 1;
  return out;
}

/** matplotlib's `_create_lookup_table(N, data)` for one channel whose anchors `y` sit at `linspace(0, 1, k)`. */
function lookupTable(y: readonly number[], n: number): Float64Array {
  const x = linspace01(y.length).map((v) => v * (n - 1)); // anchor positions on the 0..N-1 scale
  const xind = linspace01(n).map((v) => (n - 1) * v);
  const lut = new Float64Array(n);
  lut[0] = y[0] as number;
  lut[n - 1] = y[y.length - 1] as number;
  for (let i = 1; i < n - 1; i++) {
    const xi = xind[i] as number;
    const ind = x.findIndex((v) => v >= xi); // searchsorted, side left
    const x0 = x[ind - 1] as number;
    const distance = (xi - x0) / ((x[ind] as number) - x0);
    lut[i] = distance * ((y[ind] as number) - (y[ind - 1] as number)) + (y[ind - 1] as number);
  }
  return lut.map((v) => Math.min(1, Math.max(0, v)));
}

const HEX = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})?$/i;

/** A colour as RGBA in 0..1, or undefined when it is not one. */
function rgba(color: unknown): readonly number[] | undefined {
  if (typeof color === 'string') {
    const m = HEX.exec(color);
    return m === null ? undefined : [m[1], m[2], m[3], m[4] ?? 'ff'].map((h) => parseInt(h as string, 16) / 255);
  }
  if (!Array.isArray(color) || (color.length !== 3 && color.length !== 4)) return undefined;
  const c = color.map((v: unknown) => (typeof v === 'number' && v >= 0 && v <= 1 ? v : Number.NaN));
  return c.some(Number.isNaN) ? undefined : c.length === 3 ? [...c, 1] : c;
}

/**
 * matplotlib's `LinearSegmentedColormap.from_list(name, colors, N)`: `size` entries (default 256)
 * interpolated linearly between the colours, evenly spaced from 0 to 1.
 *
 * @example
 * const r = colorMapFromList('blackToRed', ['#000000', [1, 0, 0]], 3);
 * // Right({ name: 'blackToRed', table: Float64Array [0,0,0,1, 0.5,0,0,1, 1,0,0,1] })
 * colorMapFromList('one', ['#000000']); // Left: colors: expected at least 2 colours
 */
export function colorMapFromList(name: string, colors: readonly Color[], size = 256): Result<ColorMap> {
  const checks: Result<unknown>[] = [];
  if (typeof name !== 'string') checks.push(fail({ _tag: 'InvalidArgument', path: 'name', expected: 'a string', got: describeValue(name) }));
  if (!(Number.isSafeInteger(size) && size >= 2 && size <= 65536)) {
    checks.push(fail({ _tag: 'InvalidArgument', path: 'size', expected: 'an integer from 2 to 65536', got: describeValue(size) }));
  }
  const list = Array.isArray(colors) ? readArray(colors, 'colors') : fail({ _tag: 'InvalidArgument', path: 'colors', expected: 'an array of colours', got: describeValue(colors) });
  if (list._tag === 'Right' && list.right.length < 2) {
    checks.push(fail({ _tag: 'InvalidArgument', path: 'colors', expected: 'at least 2 colours', got: `${list.right.length}` }));
  }
  const anchors =
    list._tag === 'Left'
      ? list
      : allOf(
          list.right.map((c, i) => {
            const value = rgba(c);
            return value !== undefined
              ? ok(value)
              : fail({ _tag: 'InvalidArgument', path: `colors[${i}]`, expected: "[r, g, b] or [r, g, b, a] in 0..1, or '#rrggbb'", got: describeValue(c) });
          }),
        );
  const problems = allOf([...checks, anchors]);
  if (problems._tag === 'Left') return problems;
  if (anchors._tag === 'Left') return anchors; // (already in problems)
  const channels = [0, 1, 2, 3].map((k) => lookupTable(anchors.right.map((c) => c[k] as number), size));
  const table = new Float64Array(size * 4); // [size, 4]
  for (let i = 0; i < size; i++) for (let k = 0; k < 4; k++) table[i * 4 + k] = (channels[k] as Float64Array)[i] as number;
  return ok({ name, table });
}

const cache = new Map<ColorMapName, ColorMap>();
const isName = (value: unknown): value is ColorMapName => typeof value === 'string' && Object.prototype.hasOwnProperty.call(NAMED, value);

/**
 * A built-in colour map by name ({@link ColorMapName}); each is built once, on first use.
 *
 * @example
 * namedColorMap('RdWhGn'); // Right: 256 entries, red (1,0,0) to white (1,1,1) to green (0,128/255,0)
 * namedColorMap('viridis' as never); // Left: name: expected one of 'RdWhGn', 'Greens', 'Reds', 'Blues', 'gray'
 */
export function namedColorMap(name: ColorMapName, path = 'name'): Result<ColorMap> {
  if (!isName(name)) {
    return fail({ _tag: 'InvalidArgument', path, expected: `one of ${Object.keys(NAMED).map((n) => `'${n}'`).join(', ')}, or a ColorMap`, got: describeValue(name) });
  }
  const known = cache.get(name);
  if (known !== undefined) return ok(known);
  const built = colorMapFromList(name, NAMED[name]);
  if (built._tag === 'Right') cache.set(name, built.right);
  return built;
}

/** A colour-map argument: a {@link ColorMapName}, or a {@link ColorMap} whose table is RGBA entries in 0..1. */
export function readColorMap(value: unknown, path: string): Result<ColorMap> {
  if (typeof value === 'string') return namedColorMap(value as ColorMapName, path);
  const fields = readFields(value, path, ['name', 'table']);
  if (fields._tag === 'Left') return fields;
  const { name, table } = fields.right;
  const isNumbers = table instanceof Float64Array || table instanceof Float32Array || Array.isArray(table);
  const values = isNumbers ? Array.from(table as ArrayLike<unknown>) : [];
  if (value === undefined || !isNumbers || values.length < 4 || values.length % 4 !== 0 || values.some((v) => !(typeof v === 'number' && v >= 0 && v <= 1))) {
    return fail({ _tag: 'InvalidArgument', path, expected: "a colour map name or { name, table }: RGBA entries in 0..1 (see colorMapFromList)", got: value === undefined ? 'undefined' : `${describeValue(value)} with table ${describeValue(table)}` });
  }
  return ok({ name: typeof name === 'string' ? name : 'custom', table: Float64Array.from(values as number[]) });
}
