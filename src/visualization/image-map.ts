// Reading an image-shaped map (an attribution or an image) into plain float32 data, channels last.
// The checks are synchronous and start the (async) read of a tensor's data; only then is it awaited,
// so every argument of a call is checked before anything waits.
import * as tf from '@tensorflow/tfjs-core';
import { describeValue, isTensor, readArray, readFields } from '../core/arguments.js';
import { formatShape } from '../core/tensors.js';
import { errorText, fail, ok, type Result } from '../core/validation.js';

/**
 * An image-shaped map, channels last, as `visualize_image_attr` takes it: a tensor `[H, W, C]` or
 * `[H, W]` (one channel), or `[1, H, W, C]` (a batch of one, as attribution methods return it); or the
 * same as plain data with its shape. Float32 or int32 tensors; the data is read with `await t.data()`.
 *
 * @example
 * const fromTensor: ImageMapLike = tf.ones([1, 8, 8, 3]); // a batch of one, squeezed
 * const fromData: ImageMapLike = { data: new Float32Array(64), shape: [8, 8] };
 * await normalizeAttribution(fromData); // Left: all zeros, nothing to scale by
 */
export type ImageMapLike = tf.Tensor | { readonly data: ArrayLike<number>; readonly shape: readonly number[] };

/** A map's size, channels last. */
export interface MapSize {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** A map whose data is being read. */
export interface PendingMap extends MapSize {
  /** The values (never rejects: a failed read is a Left). */
  readonly values: Promise<Result<ArrayLike<number>>>;
}

/** A map read into memory: `data[(y * width + x) * channels + c]`. */
export interface HwcMap extends MapSize {
  readonly data: Float32Array;
}

const EXPECTED_SHAPE = 'a map of shape [H, W], [H, W, C] or [1, H, W, C] with H, W, C >= 1';

/** `[H, W]`, `[H, W, C]` or `[1, H, W, C]` as height, width and channels; a batch above one is refused. */
function mapSize(shape: readonly number[], path: string): Result<MapSize> {
  const got = `shape ${formatShape(shape)}`;
  if (shape.length === 4 && shape[0] !== 1) {
    return fail({ _tag: 'InvalidArgument', path, expected: 'a batch of one example, [1, H, W, C] (visualise one example at a time)', got });
  }
  const [height = 0, width = 0, channels = 1] = shape.length === 4 ? shape.slice(1) : shape;
  if (shape.length < 2 || shape.length > 4 || height < 1 || width < 1 || channels < 1) {
    return fail({ _tag: 'InvalidArgument', path, expected: EXPECTED_SHAPE, got });
  }
  return ok({ height, width, channels });
}

const isShape = (v: unknown[]): v is number[] => v.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0);

/** Plain `{ data, shape }`: a shape of non-negative integers and as many numbers as it holds. */
function checkPlain(value: object, path: string): Result<PendingMap> {
  const fields = readFields(value, path, ['data', 'shape']);
  if (fields._tag === 'Left') return fields;
  const { data, shape } = fields.right;
  const dims = Array.isArray(shape) ? readArray(shape, `${path}.shape`) : fail({ _tag: 'InvalidArgument', path: `${path}.shape`, expected: 'an array of dimensions', got: describeValue(shape) });
  if (dims._tag === 'Left') return dims;
  if (!isShape(dims.right)) return fail({ _tag: 'InvalidArgument', path: `${path}.shape`, expected: 'non-negative integer dimensions', got: `[${dims.right.map(describeValue).join(', ')}]` });
  const size = mapSize(dims.right, path);
  if (size._tag === 'Left') return size;
  const isNumbers = ArrayBuffer.isView(data) ? !(data instanceof DataView) && !(data instanceof BigInt64Array) && !(data instanceof BigUint64Array) : Array.isArray(data);
  if (!isNumbers) return fail({ _tag: 'InvalidArgument', path: `${path}.data`, expected: 'an array or typed array of numbers', got: describeValue(data) });
  let copy: Float32Array;
  try {
    copy = Float32Array.from(data as ArrayLike<number>, (x) => (typeof x === 'number' ? x : Number.NaN));
  } catch (e) {
    return fail({ _tag: 'InvalidArgument', path: `${path}.data`, expected: 'readable numbers', got: `a value that throws when read (${errorText(e)})` });
  }
  const { height, width, channels } = size.right;
  if (copy.length !== height * width * channels) {
    return fail({ _tag: 'InvalidArgument', path: `${path}.data`, expected: `${height * width * channels} numbers for shape ${formatShape(dims.right)}`, got: `${copy.length}` });
  }
  return ok({ ...size.right, values: Promise.resolve(ok(copy)) });
}

/**
 * Checks an {@link ImageMapLike} argument and starts reading its data. A tensor must be live, float32 or
 * int32; the read is started here (before any await), so a caller that disposes it afterwards is safe.
 */
export function checkImageMap(value: unknown, path: string): Result<PendingMap> {
  if (isTensor(value)) {
    if (value.isDisposed) return fail({ _tag: 'TensorDisposed', path });
    if (value.dtype !== 'float32' && value.dtype !== 'int32') return fail({ _tag: 'DtypeUnsupported', path, expected: 'float32 or int32', got: value.dtype });
    const size = mapSize(value.shape, path);
    if (size._tag === 'Left') return size;
    const values = value.data().then(
      (d): Result<ArrayLike<number>> => ok(d as ArrayLike<number>),
      (e: unknown): Result<ArrayLike<number>> => fail({ _tag: 'Unexpected', path, message: `reading the tensor's data failed: ${errorText(e)}` }),
    );
    return ok({ ...size.right, values });
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value)) return checkPlain(value, path);
  const hint = Array.isArray(value) || ArrayBuffer.isView(value) ? ' (give plain data as { data, shape })' : '';
  return fail({ _tag: 'InvalidArgument', path, expected: `a tensor or { data, shape }: ${EXPECTED_SHAPE}${hint}`, got: describeValue(value) });
}

/** Waits for a {@link PendingMap}'s data; every value must be finite. */
export async function readImageMap(pending: PendingMap, path: string): Promise<Result<HwcMap>> {
  const values = await pending.values;
  if (values._tag === 'Left') return values;
  const data = values.right instanceof Float32Array ? values.right : Float32Array.from(values.right);
  const bad = data.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) {
    const c = pending.channels;
    const at = `[${Math.floor(bad / c / pending.width)}, ${Math.floor(bad / c) % pending.width}, ${bad % c}]`;
    return fail({ _tag: 'InvalidArgument', path, expected: 'finite values', got: `${data[bad]} at ${at}` });
  }
  return ok({ height: pending.height, width: pending.width, channels: pending.channels, data });
}
