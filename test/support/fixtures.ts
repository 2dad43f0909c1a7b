// Decoding the vendored Captum reference cases (test/fixtures/reference, format in its README).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { target, type Target } from '../../src/index.js';

export interface TensorJson {
  readonly shape: number[];
  readonly data: number[];
  readonly dtype?: 'int64';
}
export interface ItemsJson {
  readonly tuple: boolean;
  readonly items: TensorJson[];
}
export type ValueJson = { readonly tensor: TensorJson } | { readonly number: number } | { readonly string: string };
export type TargetJson =
  | null
  | { readonly int: number }
  | { readonly tuple: number[] }
  | { readonly list: number[] }
  | { readonly listOfTuples: number[][] }
  | { readonly tensor: TensorJson };

export interface ReferenceCase {
  readonly id: string;
  readonly op: string;
  readonly model: string | null;
  readonly args: Record<string, unknown>;
  readonly expected?: Record<string, unknown>;
  readonly error?: string;
  readonly captumMessage?: string;
}

const root = new URL('../../../test/fixtures/reference/', import.meta.url);

export function loadCases(file: string): ReferenceCase[] {
  return JSON.parse(readFileSync(new URL(file, root), 'utf8')) as ReferenceCase[];
}

export function loadJson<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(file, root), 'utf8')) as T;
}

/** Captum's int64 tensors become int32 (TF.js has no int64); floats are float32, as in Captum. */
export const toTensor = (t: TensorJson): tf.Tensor => tf.tensor(t.data, t.shape, t.dtype === 'int64' ? 'int32' : 'float32');

/** A single tensor, or an array when Captum got a tuple. */
export function toItems(items: ItemsJson): tf.Tensor | tf.Tensor[] {
  const tensors = items.items.map(toTensor);
  return items.tuple ? tensors : (tensors[0] as tf.Tensor);
}

export function toValue(v: ValueJson): tf.Tensor | number | string {
  if ('tensor' in v) return toTensor(v.tensor);
  if ('number' in v) return v.number;
  return v.string;
}

/** Baselines / start points: null, a value, or a tuple of values. */
export function toBaselines(b: unknown): unknown {
  if (b === null || b === undefined) return undefined;
  const o = b as { tuple?: ValueJson[] };
  if (Array.isArray(o.tuple)) return o.tuple.map(toValue);
  return toValue(b as ValueJson);
}

/** Captum's target forms onto the Target union. */
export function toTarget(t: TargetJson): Target {
  if (t === null) return undefined;
  if ('int' in t) return t.int;
  if ('tuple' in t) return target.path(...t.tuple);
  if ('list' in t) return t.list;
  if ('listOfTuples' in t) return target.perExamplePath(t.listOfTuples);
  return toTensor(t.tensor);
}

/** Additional forward args: null, a tuple (spread), or one bare value (passed as one argument). */
export function toArgs(a: unknown): unknown {
  if (a === null || a === undefined) return undefined;
  if (Array.isArray(a)) return a.map((v) => toValue(v as ValueJson));
  return toValue(a as ValueJson);
}

/** Every tensor reachable in a decoded value, for disposal after a case. */
export function tensorsIn(value: unknown): tf.Tensor[] {
  if (value instanceof tf.Tensor) return [value];
  if (Array.isArray(value)) return value.flatMap(tensorsIn);
  return [];
}
