// Captum's batch expansions (`_expand_target`, `_expand_additional_forward_args`): when a method
// evaluates k copies of the batch at once, per-example targets and extra tensors are copied with it.
// Two row orders exist and parity depends on using the right one:
//   'repeat'     the whole batch k times:   row = j·N + i   (IG path points, perturbations)
//   'interleave' each example k times:      row = i·k + j   (noise samples, baseline pairs)
import * as tf from '@tensorflow/tfjs-core';
import { isTensor } from '../core/arguments.js';
import type { ResolvedTarget } from '../target/target.js';

export type RowOrder = 'repeat' | 'interleave';

function expandList<T>(list: readonly T[], k: number, order: RowOrder): T[] {
  const out: T[] = [];
  if (order === 'repeat') for (let j = 0; j < k; j++) out.push(...list);
  else for (const v of list) for (let j = 0; j < k; j++) out.push(v);
  return out;
}

/** A resolved target for the k-fold batch: per-example forms are copied, the rest apply as they are. */
export function expandTarget(resolved: ResolvedTarget, k: number, order: RowOrder): ResolvedTarget {
  switch (resolved.kind) {
    case 'perExample':
      return { kind: 'perExample', indices: expandList(resolved.indices, k, order) };
    case 'perExamplePath':
      return { kind: 'perExamplePath', paths: expandList(resolved.paths, k, order) };
    case 'tensorValues':
      // One element broadcasts like an int; N elements are per-example indices (Captum: numel > 1).
      return resolved.values.length <= 1 ? resolved : { kind: 'tensorValues', values: expandList(resolved.values, k, order), shape: [resolved.values.length * k] };
    default:
      return resolved;
  }
}

/** `[N, ...]` to `[k·N, ...]` in the given row order. Creates tensors: run inside `tf.tidy`. */
export function expandRows(t: tf.Tensor, k: number, order: RowOrder): tf.Tensor {
  if (k === 1) return t;
  const [n, ...rest] = t.shape as [number, ...number[]];
  if (order === 'repeat') return tf.concat(Array.from({ length: k }, () => t), 0); // [k·N, ...]
  // At rank 3 whatever the input's rank: tfjs-webgpu cannot tile at rank 5 without a synchronous read.
  const rows = tf.reshape(t, [n, 1, t.size / Math.max(n, 1)]); // [N, 1, D]
  return tf.reshape(tf.tile(rows, [1, k, 1]), [n * k, ...rest]); // [N, k, D] -> [N·k, ...]
}

/** Extra forward arguments for the k-fold batch: tensors of rank > 0 are expanded, everything else passes through. */
export function expandArgs(args: readonly unknown[], k: number, order: RowOrder): unknown[] {
  return args.map((a) => (isTensor(a) && a.rank > 0 ? expandRows(a, k, order) : a));
}
