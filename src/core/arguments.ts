// Reading arguments defensively: a caller's value may be a getter that throws, a Proxy, or an object
// that only looks like a tensor. These helpers turn every such surprise into a Left naming the argument.
import * as tf from '@tensorflow/tfjs-core';
import type { AttributionError } from './errors.js';
import { fail, failAll, ok, type Result } from './validation.js';

interface EngineState {
  tensorInfo?: { has(dataId: unknown): boolean };
}

/**
 * A live or disposed TF.js tensor. The prototype check covers tensors of the tfjs-core this library
 * imports; a tensor made by another copy of tfjs-core (its own Tensor class, the same global engine)
 * is recognised by its shape and by the engine knowing its data. Never throws: tfjs's own
 * `instanceof` duck-types by reading properties, which a hostile object can make throw.
 */
export function isTensor(value: unknown): value is tf.Tensor {
  try {
    if (typeof value !== 'object' || value === null) return false;
    const t = value as Partial<tf.Tensor>;
    // An object merely built on the Tensor prototype (Object.create(tf.Tensor.prototype)) has no
    // shape, dtype or data the engine knows: it is not a tensor, whatever its prototype.
    if (!Array.isArray(t.shape) || typeof t.dtype !== 'string') return false;
    const state = (tf.engine() as unknown as { state?: EngineState }).state;
    const known = t.isDisposed === true || state?.tensorInfo?.has(t.dataId) === true;
    if (Object.prototype.isPrototypeOf.call(tf.Tensor.prototype, value)) return known;
    if (typeof t.dataSync !== 'function' || typeof t.throwIfDisposed !== 'function') return false;
    return known;
  } catch {
    return false;
  }
}

/**
 * A thenable (a model or reducer that returned a Promise). Its rejection, if any, is handled here,
 * so that it is never left unhandled (Node exits on an unhandled rejection).
 */
export function settleThenable(value: unknown): boolean {
  try {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
    const then = (value as { then?: unknown }).then;
    if (typeof then !== 'function') return false;
    try {
      then.call(value, undefined, () => undefined);
    } catch {
      // a thenable whose then() throws has nothing pending to handle
    }
    return true;
  } catch {
    return false;
  }
}

/** Short, safe description of any value for error messages. */
export function describeValue(value: unknown): string {
  try {
    if (value === null) return 'null';
    if (value === undefined) return 'undefined';
    if (isTensor(value)) {
      return value.isDisposed ? 'a disposed tensor' : `a ${value.dtype} tensor of shape [${value.shape.join(',')}]`;
    }
    switch (typeof value) {
      case 'number':
        return Number.isNaN(value) ? 'NaN' : `the number ${value}`;
      case 'string':
        return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '...' : value)}`;
      case 'boolean':
        return `the boolean ${value}`;
      case 'bigint':
        return `the bigint ${value}n`;
      case 'symbol':
        return 'a symbol';
      case 'function':
        return 'a function';
    }
    if (Array.isArray(value)) return `an array of length ${value.length}`;
    if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} (wrap it with tf.tensor(...))`;
    const tag = Object.prototype.toString.call(value).slice(8, -1);
    return tag === 'Object' ? 'a plain object' : `an object (${tag})`;
  } catch {
    return 'an unreadable value';
  }
}

const unreadable = (path: string): AttributionError => ({ _tag: 'InvalidArgument', path, expected: 'a readable value', got: 'a property that throws when read' });

/**
 * The named fields of an options-like object, each read once. `undefined` reads as no fields;
 * anything that is not a plain (non-array) object, or a field whose read throws, is a Left at that path.
 */
export function readFields<K extends string>(value: unknown, path: string, keys: readonly K[]): Result<Partial<Record<K, unknown>>> {
  if (value === undefined) return ok({});
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail({ _tag: 'InvalidArgument', path, expected: 'an object (or nothing)', got: describeValue(value) });
  }
  const fields: Partial<Record<K, unknown>> = {};
  const errors: AttributionError[] = [];
  for (const key of keys) {
    try {
      fields[key] = (value as Record<K, unknown>)[key];
    } catch {
      errors.push(unreadable(`${path}.${key}`));
    }
  }
  return failAll(errors) ?? ok(fields);
}

/** A copy of an array's elements, or a Left if reading them throws (a Proxy, say). */
export function readArray(value: readonly unknown[], path: string): Result<unknown[]> {
  try {
    return ok(Array.from(value));
  } catch {
    return fail(unreadable(path));
  }
}
