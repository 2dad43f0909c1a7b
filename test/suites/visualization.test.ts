// Visualisation: Captum's visualize_image_attr pipeline (normalisation, colour maps, the five methods)
// against Captum's own numbers, then the pixels a person would check, the PNG writer, composition,
// and hostile arguments.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { decode } from 'fast-png';
import { suite } from 'uvu';
import {
  applyColorMap,
  colorMapFromList,
  defaultColorMap,
  encodePng,
  interpolate,
  message,
  namedColorMap,
  normalizeAttribution,
  type Result,
  type RgbaImage,
  sideBySide,
  type VisualizeMethod,
  type VisualizeSign,
  visualizeImageAttr,
} from '../../src/index.js';
import { writePng } from 'tfjs-attribution/node';
import { loadCases, type ReferenceCase, type TensorJson, toTensor } from '../support/fixtures.js';
import { AssertionFailure, assert, assertClose, expectCategory, expectLeft, expectRight, parityCases, withoutLeaks } from '../support/harness.js';

/** float32 data against Captum's float32 numbers. */
const FLOAT32: { atol: number; rtol: number } = { atol: 1e-6, rtol: 1e-5 };
const EXACT = { atol: 0, rtol: 0 };

/** Runs `f` with the case's tensors made fresh, checks that nothing leaks, then disposes them. */
async function withTensors<T>(what: string, make: () => tf.Tensor[], f: (...ts: tf.Tensor[]) => Promise<T>): Promise<T> {
  const ts = make();
  try {
    return await withoutLeaks(what, () => f(...ts));
  } finally {
    ts.forEach((t) => t.dispose());
  }
}

/** The `k`-th channel (0..3) of every pixel. */
const channel = (rgba: Uint8ClampedArray, k: number): number[] => Array.from({ length: rgba.length / 4 }, (_, p) => rgba[p * 4 + k] as number);
const pixel = (im: RgbaImage, y: number, x: number): number[] => Array.from(im.rgba.subarray((y * im.width + x) * 4, (y * im.width + x) * 4 + 4));
const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

// ---- Captum parity ----------------------------------------------------------------------------

const cases = loadCases('visualization.json');
const byOp = (op: string): ReferenceCase[] => cases.filter((c) => c.op === op);

interface NormalizeArgs {
  attr: TensorJson;
  sign: string;
  outlier_perc: number;
  reduction_axis: 2 | null;
}
parityCases('normalizeAttr', byOp('normalizeAttr'), async (c) => {
  const a = c.args as unknown as NormalizeArgs;
  await withTensors(c.id, () => [toTensor(a.attr)], async (attr) => {
    const r = await normalizeAttribution(attr as tf.Tensor, { sign: a.sign as VisualizeSign, outlierPerc: a.outlier_perc, reductionAxis: a.reduction_axis });
    if (c.error !== undefined) return expectCategory(r, c.error, c.id);
    const got = expectRight(r, c.id);
    const want = c.expected as { normalized: TensorJson; threshold: number };
    assert(same(got.shape, want.normalized.shape), `shape [${got.shape.join(',')}], expected [${want.normalized.shape.join(',')}]`);
    assertClose([got.threshold], [want.threshold], FLOAT32, 'threshold');
    assertClose(got.normalized, want.normalized.data, FLOAT32, 'normalized');
  });
});

interface VisualizeArgs {
  attr: TensorJson;
  image: TensorJson;
  method: VisualizeMethod;
  sign: VisualizeSign;
  outlier_perc: number;
}
/** Pixels Captum truncated on a boundary, where float rounding could differ by one (none seen so far). */
let offByOne = 0;
parityCases('visualizeImage', byOp('visualizeImage'), async (c) => {
  const a = c.args as unknown as VisualizeArgs;
  await withTensors(c.id, () => [toTensor(a.attr), toTensor(a.image)], async (attr, image) => {
    const r = await visualizeImageAttr(attr, image, { method: a.method, sign: a.sign, outlierPerc: a.outlier_perc });
    if (c.error !== undefined) return expectCategory(r, c.error, c.id);
    const im = expectRight(r, c.id);
    const want = (c.expected as { pixels: TensorJson }).pixels;
    assert(im.width === want.shape[1] && im.height === want.shape[0], `size ${im.width}x${im.height}`);
    const channels = want.shape[2] as number;
    for (let k = 0; k < 4; k++) {
      // masked_image: Captum's pixels are the RGB. alpha_scaling: its RGB is the raw float image
      // (matplotlib would clip floats to 0..1), which this library shows as clip(int(x)) like the rest.
      const expected = k < channels ? Array.from({ length: im.width * im.height }, (_, p) => want.data[p * channels + k] as number) : Array(im.width * im.height).fill(255);
      const wanted = k < 3 ? expected.map((v) => Math.min(255, Math.max(0, Math.trunc(v)))) : expected;
      const got = channel(im.rgba, k);
      offByOne += got.filter((v, i) => Math.abs(v - (wanted[i] as number)) === 1).length;
      assertClose(got, wanted, EXACT, `channel ${k}`);
    }
  });
});

interface ColormapArgs {
  sign: VisualizeSign;
  values: TensorJson;
}
const CMAP_NAMES: Record<string, string> = { 'RdWhGn (red, white, green)': 'RdWhGn', Greens: 'Greens', Reds: 'Reds', Blues: 'Blues' };
parityCases('colormap', byOp('colormap'), async (c) => {
  const a = c.args as unknown as ColormapArgs;
  const want = c.expected as { cmap: string; vmin: number; vmax: number; rgba: TensorJson };
  const d = expectRight(defaultColorMap(a.sign), c.id);
  assert(d.colorMap.name === CMAP_NAMES[want.cmap], `colour map ${d.colorMap.name}, expected ${want.cmap}`);
  assert(d.vmin === want.vmin && d.vmax === want.vmax, `range [${d.vmin}, ${d.vmax}], expected [${want.vmin}, ${want.vmax}]`);
  const floats = expectRight(applyColorMap(a.values.data, d.colorMap, { vmin: d.vmin, vmax: d.vmax }), c.id);
  assertClose(floats, want.rgba.data, FLOAT32, 'rgba');
  // The bytes are matplotlib's (lut * 255).astype(uint8) of the same entries.
  const bytes = expectRight(applyColorMap(a.values.data, d.colorMap, { vmin: d.vmin, vmax: d.vmax, bytes: true }), c.id);
  const table = d.colorMap.table;
  const expectedBytes = Array.from(floats, (_, i) => {
    const entry = [...Array(table.length / 4).keys()].find((e) => [0, 1, 2, 3].every((k) => Math.fround(table[e * 4 + k] as number) === floats[i - (i % 4) + k]));
    return Math.trunc((table[(entry as number) * 4 + (i % 4)] as number) * 255);
  });
  assertClose(bytes, expectedBytes, EXACT, 'bytes');
});

// ---- what a person checks ---------------------------------------------------------------------

const s = suite('visualization');

s('colour tables: ColorBrewer anchors at both ends, red-white-green through white, bytes truncated', () => {
  const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const ends: Record<string, [string, string]> = { Greens: ['#f7fcf5', '#00441b'], Reds: ['#fff5f0', '#67000d'], Blues: ['#f7fbff', '#08306b'] };
  for (const [name, [first, last]] of Object.entries(ends)) {
    const t = expectRight(namedColorMap(name as 'Greens')).table;
    assert(t.length === 256 * 4, `${name}: 256 entries`);
    assertClose(t.slice(0, 3), rgb(first), EXACT, `${name} first`);
    assertClose(t.slice(255 * 4, 255 * 4 + 3), rgb(last), EXACT, `${name} last`);
  }
  const rwg = expectRight(applyColorMap([-1, 0, 1], 'RdWhGn', { vmin: -1, vmax: 1, bytes: true }));
  assert(same(Array.from(rwg.subarray(0, 4)), [255, 0, 0, 255]), `-1 is red, got ${rwg.subarray(0, 4)}`);
  assert(Array.from(rwg.subarray(4, 7)).every((v) => v >= 253), `0 is (almost) white, got ${rwg.subarray(4, 8)}`);
  assert(same(Array.from(rwg.subarray(8, 12)), [0, 128, 0, 255]), `1 is green (#008000), got ${rwg.subarray(8, 12)}`);
  // gray: entry i is i/255, whose bytes are truncated as matplotlib does
  const gray = expectRight(applyColorMap([0, 0.5, 1], 'gray', { bytes: true }));
  assert(same(channel(gray, 0), [0, 128, 255]), `gray bytes ${gray}`);
  // NaN is matplotlib's "bad" colour: transparent black
  assert(same(Array.from(expectRight(applyColorMap([NaN], 'Blues'))), [0, 0, 0, 0]), 'NaN is transparent');
});

s('colorMapFromList interpolates like matplotlib and reports every bad colour', () => {
  const t = expectRight(colorMapFromList('k-r', ['#000000', [1, 0, 0]], 3)).table;
  assertClose(t, [0, 0, 0, 1, 0.5, 0, 0, 1, 1, 0, 0, 1], EXACT, 'table');
  const errors = expectLeft(colorMapFromList('bad', ['red' as never, [2, 0, 0]], 1), ['InvalidArgument']);
  const paths = errors.map((e) => e.path).sort();
  assert(same(paths as never, ['colors[0]', 'colors[1]', 'size'] as never), `paths ${paths.join(', ')}`);
});

s('normalizeAttribution: channel sum, signs and defaults', async () => {
  await withTensors('normalize', () => [tf.tensor3d([1, 2, -3, 4, 0, 8], [1, 3, 2])], async (attr) => {
    const all = expectRight(await normalizeAttribution(attr as tf.Tensor, { sign: 'all', outlierPerc: 0, reductionAxis: 2 }));
    assert(same(all.shape, [1, 3]) && all.threshold === 8, `shape ${all.shape}, threshold ${all.threshold}`);
    assertClose(all.normalized, [3 / 8, 1 / 8, 1], FLOAT32, 'all');
    // defaults: absolute_value, 2% outliers, no channel sum: |values| [1,2,3,4,0,8] sum 18; 98% is 17.64 -> 8
    const byDefault = expectRight(await normalizeAttribution(attr as tf.Tensor));
    assert(same(byDefault.shape, [1, 3, 2]) && byDefault.threshold === 8, `default shape ${byDefault.shape}, threshold ${byDefault.threshold}`);
    const negative = expectRight(await normalizeAttribution(attr as tf.Tensor, { sign: 'negative', outlierPerc: 0 }));
    assert(negative.threshold === -3, `negative threshold ${negative.threshold}`);
    assertClose(negative.normalized, [0, 0, 1, 0, 0, 0], FLOAT32, 'negative');
  });
  const zeros = tf.zeros([2, 2]);
  const none = expectLeft(await normalizeAttribution(zeros), ['VisualizeScaleZero']);
  zeros.dispose();
  assert(none[0]?.path === 'attr' && /threshold of 0/.test(message(none)), message(none));
});

s('normalizeAttribution: the same map as [H, W, C], [1, H, W, C], [H, W] (C = 1), int32 and { data, shape }', async () => {
  const data = [0.5, -1, 2, 0, 3, -4];
  const want = expectRight(await withTensors('hwc', () => [tf.tensor3d(data, [2, 3, 1])], (t) => normalizeAttribution(t as tf.Tensor, { sign: 'all' })));
  for (const [what, make] of [
    ['[1,H,W,C]', () => tf.tensor4d(data, [1, 2, 3, 1])],
    ['[H,W]', () => tf.tensor2d(data, [2, 3])],
  ] as const) {
    const got = expectRight(await withTensors(what, () => [make()], (t) => normalizeAttribution(t as tf.Tensor, { sign: 'all' })), what);
    assertClose(got.normalized, want.normalized, EXACT, what);
  }
  const plain = expectRight(await normalizeAttribution({ data, shape: [2, 3] }, { sign: 'all' }));
  assertClose(plain.normalized, want.normalized, EXACT, '{ data, shape }');
  const ints = expectRight(await withTensors('int32', () => [tf.tensor2d([1, -2, 3, 4], [2, 2], 'int32')], (t) => normalizeAttribution(t as tf.Tensor, { sign: 'all', outlierPerc: 0 })));
  assertClose(ints.normalized, [0.25, -0.5, 0.75, 1], EXACT, 'int32');
  const batch = expectLeft(await withTensors('batch', () => [tf.zeros([2, 3, 3, 1])], (t) => normalizeAttribution(t as tf.Tensor)), ['InvalidArgument']);
  assert(batch[0]?.path === 'attr' && /batch of one/.test(message(batch)), message(batch));
});

s('normalized values stay in [-1, 1] with the sign kept (property)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: -4000, max: 4000 }).map((i) => i / 8), { minLength: 1, maxLength: 40 }),
      fc.constantFrom<VisualizeSign>('all', 'positive', 'negative', 'absolute_value'),
      fc.double({ min: 0, max: 100, noNaN: true }),
      async (values, sign, outlierPerc) => {
        const r = await normalizeAttribution({ data: values, shape: [1, values.length] }, { sign, outlierPerc });
        if (r._tag === 'Left') return r.left.every((e) => e._tag === 'VisualizeScaleZero');
        return Array.from(r.right.normalized).every((v, i) => {
          const x = Math.fround(values[i] as number);
          const kept = sign === 'positive' ? Math.max(x, 0) : sign === 'negative' ? Math.min(x, 0) : sign === 'absolute_value' ? Math.abs(x) : x;
          return v >= -1 && v <= 1 && (kept === 0 ? v === 0 : Math.sign(v) === Math.sign(kept / r.right.threshold));
        });
      },
    ),
    { numRuns: 200, seed: 20240611 },
  );
});

s('heat_map: top row first, red for negative, white for 0, green for positive (sign all)', async () => {
  // [H=2, W=3]: the top row holds -2, 0, 2; the bottom row is 0 but for one 2 at the right
  const im = expectRight(
    await withTensors('heat', () => [tf.tensor2d([-2, 0, 2, 0, 0, 2], [2, 3])], (t) => visualizeImageAttr(t, undefined, { sign: 'all', outlierPerc: 0 })),
  );
  assert(im.width === 3 && im.height === 2 && im.rgba.length === 24, `size ${im.width}x${im.height}`);
  assert(same(pixel(im, 0, 0), [255, 0, 0, 255]), `top-left red, got ${pixel(im, 0, 0)}`);
  assert(pixel(im, 0, 1).every((v) => v >= 253), `top-middle white, got ${pixel(im, 0, 1)}`);
  assert(same(pixel(im, 0, 2), [0, 128, 0, 255]) && same(pixel(im, 1, 2), [0, 128, 0, 255]), 'right column green');
  assert(pixel(im, 1, 0).every((v) => v >= 253), `bottom-left white, got ${pixel(im, 1, 0)}`);
  // absolute_value (the default) on Blues: 0 is the lightest blue, the largest the darkest
  const blues = expectRight(await withTensors('blues', () => [tf.tensor2d([0, 1], [1, 2])], (t) => visualizeImageAttr(t, undefined, { outlierPerc: 0 })));
  assert(same(pixel(blues, 0, 0), [247, 251, 255, 255]) && same(pixel(blues, 0, 1), [8, 48, 107, 255]), `blues ${blues.rgba}`);
  // a custom colour map replaces the default; the sign's range stays
  const custom = expectRight(await withTensors('custom', () => [tf.tensor2d([0, 1], [1, 2])], (t) => visualizeImageAttr(t, undefined, { outlierPerc: 0, colorMap: 'gray' })));
  assert(same(pixel(custom, 0, 0), [0, 0, 0, 255]) && same(pixel(custom, 0, 1), [255, 255, 255, 255]), `gray ${custom.rgba}`);
});

s('blended_heat_map: alphaOverlay 0 is the autoscaled grey image, 1 the heat map', async () => {
  const image = () => tf.tensor3d([0, 0, 0, 30, 60, 90, 255, 255, 255, 60, 60, 60], [2, 2, 3]);
  const attr = () => tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const run = (alphaOverlay: number) =>
    withTensors('blend', () => [attr(), image()], (a, i) => visualizeImageAttr(a, i, { method: 'blended_heat_map', alphaOverlay, outlierPerc: 0 }));
  const grey = expectRight(await run(0));
  assert(same(pixel(grey, 0, 0), [0, 0, 0, 255]) && same(pixel(grey, 1, 0), [255, 255, 255, 255]), `darkest black, brightest white: ${grey.rgba}`);
  assert(same(pixel(grey, 0, 1), pixel(grey, 1, 1)), 'equal means, equal greys');
  const heat = expectRight(await withTensors('heat', () => [attr()], (a) => visualizeImageAttr(a, undefined, { outlierPerc: 0 })));
  const full = expectRight(await run(1));
  assert(same(Array.from(full.rgba), Array.from(heat.rgba)), 'alphaOverlay 1 is the heat map');
  const half = expectRight(await run(0.5));
  const mid = pixel(half, 1, 0);
  const h = pixel(heat, 1, 0);
  assert(same(mid, [0, 1, 2].map((k) => Math.round(0.5 * (h[k] as number) + 0.5 * 255)).concat(255)), `half blend ${mid}`);
});

s('original_image needs no attribution; masked_image and alpha_scaling follow Captum; grey images repeat their channel', async () => {
  const img = () => tf.tensor2d([300, -5, 12.9, 100], [2, 2]); // one channel
  const original = expectRight(await withTensors('original', () => [img()], (i) => visualizeImageAttr(undefined, i, { method: 'original_image' })));
  assert(same(channel(original.rgba, 0), [255, 0, 12, 100]) && same(channel(original.rgba, 2), [255, 0, 12, 100]), `original ${original.rgba}`);
  assert(same(channel(original.rgba, 3), [255, 255, 255, 255]), 'opaque');
  const attr = () => tf.tensor2d([1, 0, 0.5, -1], [2, 2]);
  const masked = expectRight(
    await withTensors('masked', () => [attr(), img()], (a, i) => visualizeImageAttr(a, i, { method: 'masked_image', sign: 'positive', outlierPerc: 0 })),
  );
  assert(same(channel(masked.rgba, 1), [255, 0, 6, 0]), `masked ${masked.rgba}`); // 300*1 -> 255, 12.9*0.5 -> 6
  const alpha = expectRight(
    await withTensors('alpha', () => [attr(), img()], (a, i) => visualizeImageAttr(a, i, { method: 'alpha_scaling', sign: 'negative', outlierPerc: 0 })),
  );
  assert(same(channel(alpha.rgba, 3), [0, 0, 0, 255]), `alpha ${alpha.rgba}`);
  const refused = await withTensors('sign all', () => [attr(), img()], (a, i) => visualizeImageAttr(a, i, { method: 'alpha_scaling', sign: 'all' }));
  assert(expectLeft(refused, ['VisualizeSignUnsupported'])[0]?.path === 'options.sign', message(refused._tag === 'Left' ? refused.left : []));
});

s('a layer attribution upsampled with interpolate goes straight in', async () => {
  await withoutLeaks('layer map', async () => {
    const layer = tf.tensor4d([1, -1, 2, -2, 0.5, 3, -3, 1], [1, 2, 2, 2]); // [N=1, h, w, C=2]
    const up = expectRight(interpolate(layer, [8, 8], 'bilinear')); // [1, 8, 8, 2]
    const image = tf.fill([8, 8, 3], 128);
    const im = expectRight(await visualizeImageAttr(up, image, { method: 'blended_heat_map', sign: 'all' }));
    assert(im.width === 8 && im.height === 8, `size ${im.width}x${im.height}`);
    tf.dispose([layer, up, image]);
  });
});

s('sideBySide upscales by nearest neighbour and places images left to right on the background', () => {
  const a: RgbaImage = { width: 1, height: 1, rgba: new Uint8ClampedArray([255, 0, 0, 255]) };
  const b: RgbaImage = { width: 2, height: 2, rgba: new Uint8ClampedArray([0, 0, 255, 255, 0, 255, 0, 255, 1, 2, 3, 255, 4, 5, 6, 255]) };
  const row = expectRight(sideBySide([a, b], { scale: 2, gap: 1, background: [9, 9, 9, 255] }));
  assert(row.width === 2 + 1 + 4 && row.height === 4, `size ${row.width}x${row.height}`);
  assert(same(pixel(row, 1, 1), [255, 0, 0, 255]) && same(pixel(row, 2, 0), [9, 9, 9, 255]), 'a is 2x2, the space below it is background');
  assert(same(pixel(row, 0, 2), [9, 9, 9, 255]), 'the gap');
  assert(same(pixel(row, 0, 3), [0, 0, 255, 255]) && same(pixel(row, 1, 4), [0, 0, 255, 255]) && same(pixel(row, 3, 6), [4, 5, 6, 255]), 'b upscaled');
  const plain = expectRight(sideBySide([b], { scale: 1 }));
  assert(same(Array.from(plain.rgba), Array.from(b.rgba)), 'scale 1, one image: a copy');
  expectLeft(sideBySide([a], { scale: 1e6 }), ['InvalidArgument']);
});

s('PNG: encodePng decodes to the same pixels; writePng writes them; a bad path is a Left', async () => {
  const im = expectRight(await withTensors('png', () => [tf.randomNormal([5, 7, 3], 0, 1, 'float32', 3)], (t) => visualizeImageAttr(t, undefined, { sign: 'all' })));
  const check = (png: Uint8Array, what: string) => {
    const back = decode(png);
    assert(back.width === 7 && back.height === 5 && back.channels === 4 && back.depth === 8, `${what}: ${back.width}x${back.height}x${back.channels}@${back.depth}`);
    assert(same(Array.from(back.data), Array.from(im.rgba)), `${what}: pixels differ`);
  };
  check(expectRight(encodePng(im)), 'encodePng');
  const dir = await mkdtemp(join(tmpdir(), 'tfjs-attribution-vis-'));
  try {
    const file = join(dir, 'heat.png');
    const written = expectRight(await writePng(file, im));
    const bytes = await readFile(file);
    assert(written.bytes === bytes.length, `bytes ${written.bytes} vs ${bytes.length}`);
    check(new Uint8Array(bytes), 'writePng');
    const bad = expectLeft(await writePng(join(dir, 'no-such-dir', 'x.png'), im), ['InvalidArgument']);
    assert(bad[0]?.path === 'path' && /ENOENT/.test(message(bad)), message(bad));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// ---- hostile arguments ----------------------------------------------------------------------------

const throwingProxy = () =>
  new Proxy(
    {},
    {
      get() {
        throw new Error('hostile property trap');
      },
    },
  );
const HOSTILE: readonly (readonly [string, () => unknown])[] = [
  ['null', () => null],
  ['the string x', () => 'x'],
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['{}', () => ({})],
  ['[]', () => []],
  ['a Float32Array', () => new Float32Array(4)],
  ['a throwing proxy', throwingProxy],
  ['a tensor of shape [5]', () => tf.ones([5])],
  ['a tensor of shape [2, 3, 3, 1]', () => tf.ones([2, 3, 3, 1])],
  ['a tensor of shape [3, 0, 1]', () => tf.ones([3, 0, 1])],
  ['a tensor holding NaN', () => tf.tensor2d([NaN, 1, 2, 3], [2, 2])],
  ['a bool tensor', () => tf.tensor2d([1, 0, 1, 1], [2, 2], 'bool')],
  ['a disposed tensor', () => {
    const t = tf.ones([2, 2]);
    t.dispose();
    return t;
  }],
  ['{ data, shape } of the wrong length', () => ({ data: [1, 2, 3], shape: [2, 2] })],
  ['{ data: strings, shape }', () => ({ data: ['a', 'b', 'c', 'd'], shape: [2, 2] })],
];
const HOSTILE_OPTION_VALUES: readonly (readonly [string, () => unknown])[] = HOSTILE.filter(([label]) => !/^a tensor|^a bool|^a disposed/.test(label)).concat([
  ['-1', () => -1],
  ['101', () => 101],
  ["'both'", () => 'both'],
]);

/** Every value of the table at one argument: a Left (never a throw), whose paths start with `path`, and no leak. */
async function hostile(what: string, path: string, values: readonly (readonly [string, () => unknown])[], call: (v: unknown) => Result<unknown> | Promise<Result<unknown>>, allowRight: (label: string) => boolean = () => false) {
  const failures: string[] = [];
  for (const [label, make] of values) {
    const v = make();
    const before = tf.memory().numTensors;
    try {
      const r = await call(v);
      if (r._tag === 'Right' ? !allowRight(label) : !r.left.every((e) => e.path.startsWith(path) && message([e]).length > path.length + 10)) {
        failures.push(`${label}: ${r._tag === 'Right' ? 'Right' : message(r.left)}`);
      }
    } catch (e) {
      failures.push(`${label}: threw ${String(e)}`);
    }
    if (tf.memory().numTensors !== before) failures.push(`${label}: leaked ${tf.memory().numTensors - before} tensor(s)`);
    if (Object.prototype.isPrototypeOf.call(tf.Tensor.prototype, v as object) && !(v as tf.Tensor).isDisposed) (v as tf.Tensor).dispose();
  }
  if (failures.length > 0) throw new AssertionFailure(`${what}:\n${failures.join('\n')}`);
}

const h = suite('visualization: hostile arguments give Lefts naming the argument');
const ATTR = () => tf.randomNormal([3, 3, 2], 0, 1, 'float32', 1);
const IMAGE = () => tf.fill([3, 3, 3], 100);
h('normalizeAttribution(attr)', () => hostile('attr', 'attr', HOSTILE, (v) => normalizeAttribution(v as tf.Tensor)));
h('normalizeAttribution(options)', async () => {
  const attr = ATTR();
  await hostile('options', 'options', HOSTILE_OPTION_VALUES, (v) => normalizeAttribution(attr, v as never), (label) => label === '{}');
  await hostile('options', 'options', [['unknown keys', () => ({ sign: 'all', outlier_perc: 3, colour: 1 })]], (v) => normalizeAttribution(attr, v as never));
  for (const key of ['sign', 'outlierPerc', 'reductionAxis']) {
    await hostile(`options.${key}`, `options.${key}`, HOSTILE_OPTION_VALUES, (v) => normalizeAttribution(attr, { [key]: v }), (label) => key === 'reductionAxis' && (label === 'null' || label === '-1'));
  }
  attr.dispose();
});
h('visualizeImageAttr(attr, image, options)', async () => {
  const attr = ATTR();
  const image = IMAGE();
  const image22 = tf.fill([2, 2, 3], 100); // the size of the hostile maps, so that each is refused for itself
  await hostile('attr', 'attr', HOSTILE, (v) => visualizeImageAttr(v as tf.Tensor, image22, { method: 'blended_heat_map' }));
  image22.dispose();
  await hostile('image', 'image', HOSTILE.concat([['a 2-channel image', () => tf.ones([3, 3, 2])], ['an image of another size', () => tf.ones([4, 3, 3])]]), (v) =>
    visualizeImageAttr(attr, v as tf.Tensor, { method: 'masked_image' }),
  );
  for (const key of ['method', 'sign', 'outlierPerc', 'colorMap', 'alphaOverlay']) {
    await hostile(`options.${key}`, `options.${key}`, HOSTILE_OPTION_VALUES, (v) => visualizeImageAttr(attr, image, { method: 'blended_heat_map', [key]: v }));
  }
  expectLeft(await visualizeImageAttr(attr, undefined, { method: 'blended_heat_map' }), ['InvalidArgument']);
  const snake = expectLeft(await visualizeImageAttr(attr, undefined, { outlier_perc: 10 } as never), ['InvalidArgument']);
  assert(snake[0]?.path === 'options.outlier_perc' && /'outlierPerc'/.test(message(snake)), message(snake));
  tf.dispose([attr, image]);
});
h('applyColorMap, colorMapFromList, sideBySide, encodePng, writePng', async () => {
  await hostile('values', 'values', HOSTILE.filter(([l]) => !/^a tensor|^a bool|^a disposed|\[\]|Float32Array/.test(l)), (v) => applyColorMap(v as number[], 'Blues'));
  await hostile('colorMap', 'colorMap', HOSTILE_OPTION_VALUES, (v) => applyColorMap([0.5], v as never));
  await hostile('colors', 'colors', HOSTILE_OPTION_VALUES, (v) => colorMapFromList('x', v as never));
  await hostile('images', 'images', HOSTILE_OPTION_VALUES, (v) => sideBySide(v as never));
  await hostile('images[0]', 'images[0]', HOSTILE_OPTION_VALUES, (v) => sideBySide([v as never]));
  await hostile('image', 'image', HOSTILE_OPTION_VALUES, (v) => encodePng(v as never));
  // (no strings: they are legitimate file names)
  await hostile('path', 'path', HOSTILE_OPTION_VALUES.filter(([, make]) => typeof make() !== 'string'), (v) => writePng(v as never, { width: 1, height: 1, rgba: new Uint8ClampedArray(4) }));
});

s.after(() => {
  if (offByOne > 0) console.log(`visualizeImage: ${offByOne} pixel(s) off by one`);
});
s.run();
h.run();
