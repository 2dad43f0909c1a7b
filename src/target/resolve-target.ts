// Checking a Target's form and reading tensor targets into plain numbers (an async GPU readback).
import * as tf from '@tensorflow/tfjs-core';
import { describeValue, isTensor } from '../core/tensors.js';
import { allOf, fail, ok, type Result } from '../core/validation.js';
import type { ResolvedTarget, Target } from './target.js';

/** A checked target whose tensor (if any) has not been read yet. */
export type CheckedTarget = ResolvedTarget | { readonly kind: 'tensor'; readonly tensor: tf.Tensor };

const checkIndex = (value: unknown, path: string): Result<number> =>
  typeof value === 'number' && Number.isSafeInteger(value)
    ? ok(value)
    : fail({ _tag: 'InvalidArgument', path, expected: 'an integer index', got: describeValue(value) });

const checkIndexList = (value: unknown, path: string): Result<number[]> =>
  Array.isArray(value)
    ? allOf(value.map((v: unknown, i) => checkIndex(v, `${path}[${i}]`)))
    : fail({ _tag: 'InvalidArgument', path, expected: 'an array of integer indices', got: describeValue(value) });

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
    if (value.dtype !== 'int32') {
      return fail({ _tag: 'DtypeUnsupported', path, expected: 'int32 (class indices)', got: value.dtype });
    }
    return ok({ kind: 'tensor', tensor: value });
  }
  if (typeof value === 'object') {
    const form = value as { kind?: unknown; indices?: unknown; paths?: unknown; fn?: unknown };
    switch (form.kind) {
      case 'path': {
        const indices = checkIndexList(form.indices, `${path}.indices`);
        return indices._tag === 'Left' ? indices : ok({ kind: 'path', indices: indices.right });
      }
      case 'perExamplePath': {
        if (!Array.isArray(form.paths)) {
          return fail({ _tag: 'InvalidArgument', path: `${path}.paths`, expected: 'an array of index arrays', got: describeValue(form.paths) });
        }
        const paths = allOf(form.paths.map((p: unknown, i) => checkIndexList(p, `${path}.paths[${i}]`)));
        if (paths._tag === 'Left') return paths;
        const lengths = new Set(paths.right.map((p) => p.length));
        if (lengths.size > 1) {
          return fail({
            _tag: 'InvalidArgument',
            path: `${path}.paths`,
            expected: 'index arrays of one length (the selected blocks are stacked)',
            got: `lengths ${[...lengths].join(', ')}`,
          });
        }
        return ok({ kind: 'perExamplePath', paths: paths.right });
      }
      case 'reduce':
        return typeof form.fn === 'function'
          ? ok({ kind: 'reduce', fn: form.fn as (output: tf.Tensor) => tf.Tensor })
          : fail({ _tag: 'InvalidArgument', path: `${path}.fn`, expected: 'a function', got: describeValue(form.fn) });
    }
  }
  return fail({ _tag: 'TargetTypeInvalid', path, got: describeValue(value) });
}

/** Reads a tensor target's values (async, so it works on WebGPU); other forms pass through. */
export async function readTarget(checked: CheckedTarget): Promise<ResolvedTarget> {
  if (checked.kind !== 'tensor') return checked;
  const values = Array.from(await checked.tensor.data());
  return { kind: 'tensorValues', values, shape: checked.tensor.shape };
}

/**
 * Checks a target and reads its tensor values, giving plain data that {@link applyTarget} applies
 * synchronously (e.g. inside `tf.grads`). Resolve once, apply many times.
 *
 * @example
 * const resolved = await resolveTarget(tf.tensor1d([2, 0], 'int32'));
 * // Right({ kind: 'tensorValues', values: [2, 0], shape: [2] })
 */
export async function resolveTarget(value: Target, path = 'target'): Promise<Result<ResolvedTarget>> {
  const checked = checkTarget(value, path);
  return checked._tag === 'Left' ? checked : ok(await readTarget(checked.right));
}

/**
 * Captum's `_validate_target`: a per-example target (a list, or a tensor of more than one element)
 * must have one entry per example. Other forms are not checked here. Exported as `validateTarget`.
 *
 * @example
 * const t = await resolveTarget([0, 2, 1]);
 * if (t._tag === 'Right') {
 *   validateTarget(3, t.right); // Right
 *   validateTarget(4, t.right); // Left: target: expected one target per example (4), got 3
 * }
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
