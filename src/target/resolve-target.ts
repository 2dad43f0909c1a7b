// Checking a Target's form and reading tensor targets into plain numbers (an async GPU readback).
import * as tf from '@tensorflow/tfjs-core';
import { describeValue, isTensor, readArray, readFields } from '../core/arguments.js';
import type { AttributionError } from '../core/errors.js';
import { allOf, attempt, attemptAsync, errorText, fail, ok, type Result } from '../core/validation.js';
import type { ResolvedTarget, Target } from './target.js';
import { hold } from '../core/hold-inputs.js';

/** A checked target whose tensor (if any) has not been read yet. */
export type CheckedTarget = ResolvedTarget | { readonly kind: 'tensor'; readonly tensor: tf.Tensor };

const checkIndex = (value: unknown, path: string): Result<number> =>
  typeof value === 'number' && Number.isSafeInteger(value)
    ? ok(value)
    : fail({ _tag: 'InvalidArgument', path, expected: 'an integer index', got: describeValue(value) });

function checkIndexList(value: unknown, path: string): Result<number[]> {
  if (!Array.isArray(value)) return fail({ _tag: 'InvalidArgument', path, expected: 'an array of integer indices', got: describeValue(value) });
  const elements = readArray(value, path);
  return elements._tag === 'Left' ? elements : allOf(elements.right.map((v, i) => checkIndex(v, `${path}[${i}]`)));
}

/** Index arrays of one length (Captum stacks the selected blocks). */
function checkPathList(value: unknown, path: string): Result<number[][]> {
  if (!Array.isArray(value)) return fail({ _tag: 'InvalidArgument', path, expected: 'an array of index arrays', got: describeValue(value) });
  const elements = readArray(value, path);
  if (elements._tag === 'Left') return elements;
  const paths = allOf(elements.right.map((p, i) => checkIndexList(p, `${path}[${i}]`)));
  if (paths._tag === 'Left') return paths;
  const lengths = new Set(paths.right.map((p) => p.length));
  return lengths.size > 1
    ? fail({ _tag: 'InvalidArgument', path, expected: 'index arrays of one length (the selected blocks are stacked)', got: `lengths ${[...lengths].join(', ')}` })
    : paths;
}

const checkReducer = (fn: unknown, path: string): Result<(output: tf.Tensor) => tf.Tensor> =>
  typeof fn === 'function' ? ok(fn as (output: tf.Tensor) => tf.Tensor) : fail({ _tag: 'InvalidArgument', path, expected: 'a function', got: describeValue(fn) });

/** `value.length`, or undefined if it cannot be read (a Proxy, say). */
function lengthOf(value: unknown): number | undefined {
  try {
    const n = (value as { length?: unknown }).length;
    return typeof n === 'number' ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Captum's `_validate_target`, on the raw target and before any entry is read: a per-example list
 * (or list of paths) must have `n` entries. A 10-million-entry list for 2 examples is refused at
 * once instead of being checked entry by entry. Other forms pass (their checks come later).
 */
export function checkTargetSize(value: unknown, n: number, path = 'target'): Result<void> {
  let list: unknown = undefined;
  if (Array.isArray(value)) list = value;
  else if (typeof value === 'object' && value !== null && !isTensor(value)) {
    try {
      const v = value as { kind?: unknown; paths?: unknown };
      if (v.kind === 'perExamplePath' && Array.isArray(v.paths)) list = v.paths;
    } catch {
      // unreadable: checkTarget reports it
    }
  }
  if (list === undefined) return ok(undefined);
  const count = lengthOf(list);
  return count === undefined || count === n ? ok(undefined) : fail({ _tag: 'TargetCountMismatch', path, samples: n, targets: count });
}

/** Synchronous check of a target's form; every problem is reported. */
export function checkTarget(value: unknown, path = 'target'): Result<CheckedTarget> {
  if (value === undefined || value === null) return ok({ kind: 'none' });
  if (typeof value === 'number') {
    const i = checkIndex(value, path);
    return i._tag === 'Left' ? i : ok({ kind: 'path', indices: [i.right] });
  }
  if (Array.isArray(value)) {
    const indices = checkIndexList(value, path);
    return indices._tag === 'Left' ? indices : ok({ kind: 'perExample', indices: indices.right });
  }
  if (isTensor(value)) {
    if (value.isDisposed) return fail({ _tag: 'TensorDisposed', path });
    if (value.dtype !== 'int32') return fail({ _tag: 'DtypeUnsupported', path, expected: 'int32 (class indices)', got: value.dtype });
    return ok({ kind: 'tensor', tensor: hold(value) });
  }
  if (typeof value === 'object') {
    const form = readFields(value, path, ['kind', 'indices', 'paths', 'fn']);
    if (form._tag === 'Left') return form;
    const { kind, indices, paths, fn } = form.right;
    const at = (field: string) => `${path}.${field}`;
    const built =
      kind === 'path'
        ? checkIndexList(indices, at('indices'))
        : kind === 'perExamplePath'
          ? checkPathList(paths, at('paths'))
          : kind === 'reduce'
            ? checkReducer(fn, at('fn'))
            : undefined;
    if (built === undefined) return fail({ _tag: 'TargetTypeInvalid', path, got: describeValue(value) });
    if (built._tag === 'Left') return built;
    if (kind === 'path') return ok({ kind, indices: built.right as number[] });
    if (kind === 'perExamplePath') return ok({ kind, paths: built.right as number[][] });
    return ok({ kind: 'reduce', fn: built.right as (output: tf.Tensor) => tf.Tensor });
  }
  return fail({ _tag: 'TargetTypeInvalid', path, got: describeValue(value) });
}

/** Reads a tensor target's values (async, so it works on WebGPU); other forms pass through. */
export async function readTarget(checked: CheckedTarget): Promise<ResolvedTarget> {
  if (checked.kind !== 'tensor') return checked;
  const values = Array.from(await checked.tensor.data());
  return { kind: 'tensorValues', values, shape: checked.tensor.shape };
}

/** A value built by {@link resolveTarget} (or by hand) that {@link applyTarget} can trust. */
export function checkResolvedTarget(value: unknown, path: string): Result<ResolvedTarget> {
  const expected = "a resolved target (from resolveTarget): { kind: 'none' | 'path' | 'perExample' | 'perExamplePath' | 'tensorValues' | 'reduce', ... }";
  if (typeof value !== 'object' || value === null || isTensor(value)) return fail({ _tag: 'InvalidArgument', path, expected, got: describeValue(value) });
  const form = readFields(value, path, ['kind', 'indices', 'paths', 'values', 'shape', 'fn']);
  if (form._tag === 'Left') return form;
  const { kind, indices, paths, values, shape, fn } = form.right;
  const at = (field: string) => `${path}.${field}`;
  switch (kind) {
    case 'none':
      return ok({ kind });
    case 'path':
    case 'perExample': {
      const checked = checkIndexList(indices, at('indices'));
      return checked._tag === 'Left' ? checked : ok({ kind, indices: checked.right });
    }
    case 'perExamplePath': {
      const checked = checkPathList(paths, at('paths'));
      return checked._tag === 'Left' ? checked : ok({ kind, paths: checked.right });
    }
    case 'tensorValues': {
      const v = checkIndexList(values, at('values'));
      const s = checkIndexList(shape, at('shape'));
      if (v._tag === 'Left' || s._tag === 'Left') return allOf([v, s]) as Result<never>;
      const size = s.right.reduce((a, b) => a * b, 1);
      if (s.right.some((d) => d < 0) || size !== v.right.length) {
        return fail({ _tag: 'InvalidArgument', path: at('shape'), expected: `a shape of ${v.right.length} elements`, got: `[${s.right.join(',')}]` });
      }
      return ok({ kind, values: v.right, shape: s.right });
    }
    case 'reduce': {
      const checked = checkReducer(fn, at('fn'));
      return checked._tag === 'Left' ? checked : ok({ kind, fn: checked.right });
    }
  }
  return fail({ _tag: 'InvalidArgument', path: at('kind'), expected, got: describeValue(kind) });
}

const unexpected =
  (where: string) =>
  (e: unknown): AttributionError => ({ _tag: 'Unexpected', path: where, message: errorText(e) });

/**
 * Checks a target and reads its tensor values, giving plain data that {@link applyTarget} applies
 * synchronously (e.g. inside `tf.grads`). Resolve once, apply many times.
 *
 * @example
 * const resolved = await resolveTarget(tf.tensor1d([2, 0], 'int32'));
 * // Right({ kind: 'tensorValues', values: [2, 0], shape: [2] })
 */
export function resolveTarget(value: Target, path = 'target'): Promise<Result<ResolvedTarget>> {
  return attemptAsync(async () => {
    const checked = checkTarget(value, typeof path === 'string' ? path : 'target');
    return checked._tag === 'Left' ? checked : ok(await readTarget(checked.right));
  }, unexpected('resolveTarget'));
}

/**
 * Captum's `_validate_target`: a per-example target (a list, or a tensor of more than one element)
 * must have one entry per example. Other forms are not checked here.
 */
export function checkTargetCount(n: number, t: ResolvedTarget, path = 'target'): Result<ResolvedTarget> {
  const count =
    t.kind === 'perExample'
      ? t.indices.length
      : t.kind === 'perExamplePath'
        ? t.paths.length
        : t.kind === 'tensorValues' && t.values.length > 1
          ? (t.shape[0] ?? 0)
          : n;
  return count === n ? ok(t) : fail({ _tag: 'TargetCountMismatch', path, samples: n, targets: count });
}

/**
 * Captum's `_validate_target`: for `n` examples, a per-example target (a list, or a tensor of more
 * than one element) must have `n` entries; other forms pass.
 *
 * @example
 * const t = await resolveTarget([0, 2, 1]);
 * if (t._tag === 'Right') {
 *   validateTarget(3, t.right); // Right
 *   validateTarget(4, t.right); // Left: resolved: expected one target per example (4), got 3
 * }
 */
export function validateTarget(n: number, resolved: ResolvedTarget): Result<ResolvedTarget> {
  return attempt(() => {
    const count: Result<number> =
      typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? ok(n) : fail({ _tag: 'InvalidArgument', path: 'n', expected: 'a number of examples (an integer >= 0)', got: describeValue(n) });
    const checked = checkResolvedTarget(resolved, 'resolved');
    if (count._tag === 'Left' || checked._tag === 'Left') return allOf<unknown>([count, checked]) as Result<never>;
    return checkTargetCount(count.right, checked.right, 'resolved');
  }, unexpected('validateTarget'));
}
