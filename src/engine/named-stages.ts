// A forward function cut into named stages: the documented way to give a plain function layers that
// layer and neuron methods can reach. The result is itself a forward function, so it is accepted
// wherever a model is; the stages stay private to this module (a WeakMap), so nothing can spoof them.
import type * as tf from '@tensorflow/tfjs-core';
import { ModelFailure } from './model.js';
import { describeValue, isTensor, readArray, readFields } from '../core/arguments.js';
import type { AttributionError } from '../core/errors.js';
import { failAll, ok, type Result } from '../core/validation.js';
import type { ForwardFunction } from './model.js';

/**
 * One stage of a {@link namedStages} model. The first stage is called as `fn(...inputs, ...args)`,
 * every later one as `fn(...previous, ...args)`, where `previous` is what the stage before returned
 * (a tensor, or an array of tensors spread into the call) and `args` are the method's
 * `additionalForwardArgs`. A stage without a `name` cannot be reached by name (only as an object).
 *
 * @example
 * const fc1: Stage = { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x, tf.ones([3, 4])) };
 */
export interface Stage {
  readonly name?: string;
  /** The stage's computation: stage 0 gets the inputs and the extra arguments, each later stage the previous output and the extra arguments. */
  readonly fn: (...args: never[]) => tf.Tensor | tf.Tensor[];
}

/**
 * Options of {@link namedStages}.
 *
 * @example
 * const options: NamedStagesOptions = { inputs: 2 }; // the first two arguments are inputs, the rest extra args
 */
export interface NamedStagesOptions {
  /** How many leading arguments of a call are inputs (the rest are `additionalForwardArgs`); default 1. */
  readonly inputs?: number;
}

/**
 * A forward function made of named stages (see {@link namedStages}).
 *
 * @example
 * const r = namedStages([{ name: 'double', fn: (x: tf.Tensor) => tf.mul(x, 2) }]);
 * if (r._tag === 'Right') { const model: StagedModel = r.right; model(tf.ones([1, 2])); } // tensor [[2, 2]]
 */
export type StagedModel = ForwardFunction & { readonly stageNames: readonly (string | undefined)[] };

/** What the engine knows of a staged model. */
export interface StageList {
  readonly stages: readonly { readonly name: string | undefined; readonly fn: Stage['fn'] }[];
  /** The stage objects as the caller gave them, for reaching a stage by object. */
  readonly originals: readonly unknown[];
  readonly inputCount: number;
}

const registry = new WeakMap<object, StageList>();

/** The stages of a model made by {@link namedStages}, or `undefined` for any other model. */
export const stagesOf = (model: unknown): StageList | undefined =>
  typeof model === 'function' ? registry.get(model) : undefined;

const usable = (t: unknown): t is tf.Tensor => isTensor(t) && !t.isDisposed && (t.dtype === 'float32' || t.dtype === 'int32');

/**
 * Calls one stage; a stage must return a live float32 or int32 tensor, or a non-empty array of them
 * (as a model must). Anything else is `ModelOutputInvalid` naming the stage. What the stage throws
 * propagates (the model call reports it as `ModelThrew`).
 */
export function runStage(stage: StageList['stages'][number], index: number, values: readonly tf.Tensor[], args: readonly unknown[]): tf.Tensor[] {
  const out: unknown = (stage.fn as (...a: unknown[]) => unknown)(...values, ...args);
  if (usable(out)) return [out];
  if (Array.isArray(out) && out.length > 0 && out.every(usable)) return [...out];
  throw new ModelFailure({
    _tag: 'ModelOutputInvalid',
    path: 'model',
    expected: `stage ${index}${stage.name === undefined ? '' : ` ('${stage.name}')`} to return a live float32 or int32 tensor, or an array of them`,
    got: Array.isArray(out) ? `an array (${out.map(describeValue).slice(0, 3).join(', ')})` : describeValue(out),
  });
}

/** Runs stages `from..` on `values`, the input of stage `from`; returns the last stage's output. */
export function runStagesFrom(list: StageList, from: number, values: readonly tf.Tensor[], args: readonly unknown[]): tf.Tensor[] {
  let current = [...values];
  for (let i = from; i < list.stages.length; i++) current = runStage(list.stages[i]!, i, current, args);
  return current;
}

/**
 * Cuts a forward function into named stages, so that layer and neuron methods can reach a stage's
 * output (or input) by name, as they reach a `tf.LayersModel`'s layers. The result is a forward
 * function `(...inputs, ...additionalForwardArgs) => Tensor` accepted wherever a model is: stage 0
 * gets the inputs and the extra arguments, every later stage the previous stage's output and the
 * extra arguments; the last stage must return one tensor. `inputs` says how many leading
 * arguments are inputs (default 1). Names must be unique non-empty strings; a stage may be unnamed.
 * Invalid stages are a `Left` naming the stage.
 *
 * @example
 * const model = namedStages([
 *   { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -1], [2, 1]])) },
 *   { name: 'relu1', fn: (h: tf.Tensor) => tf.relu(h) },
 *   { name: 'fc2', fn: (h: tf.Tensor) => tf.sum(h, 1, true) },
 * ]);
 * if (model._tag === 'Right') {
 *   const r = await layerActivation(model.right, tf.tensor2d([[1, 1]]), { layer: 'fc1' }); // Right(tensor [[3, 0]])
 * }
 */
export function namedStages(stages: readonly Stage[], options?: NamedStagesOptions): Result<StagedModel> {
  const errors: AttributionError[] = [];
  const fields = readFields(options, 'options', ['inputs']);
  let inputCount = 1;
  if (fields._tag === 'Left') errors.push(...fields.left);
  else if (fields.right.inputs !== undefined) {
    const n = fields.right.inputs;
    if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 1) inputCount = n;
    else errors.push({ _tag: 'InvalidArgument', path: 'options.inputs', expected: 'an integer >= 1', got: describeValue(n) });
  }
  if (!Array.isArray(stages)) {
    errors.push({ _tag: 'InvalidArgument', path: 'stages', expected: 'an array of stages { name?, fn }', got: describeValue(stages) });
    return failAll(errors)!;
  }
  const copied = readArray(stages, 'stages');
  if (copied._tag === 'Left') return copied;
  if (copied.right.length === 0) errors.push({ _tag: 'InvalidArgument', path: 'stages', expected: 'at least one stage', got: 'an empty array' });
  const list: { name: string | undefined; fn: Stage['fn'] }[] = [];
  const seen = new Set<string>();
  for (const [i, stage] of copied.right.entries()) {
    const f = readFields(stage, `stages[${i}]`, ['name', 'fn']);
    if (f._tag === 'Left' || stage === undefined) {
      errors.push(...(f._tag === 'Left' ? f.left : [{ _tag: 'InvalidArgument' as const, path: `stages[${i}]`, expected: 'a stage { name?, fn }', got: 'undefined' }]));
      continue;
    }
    const { name, fn } = f.right;
    if (typeof fn !== 'function') errors.push({ _tag: 'InvalidArgument', path: `stages[${i}].fn`, expected: 'a function returning a tensor', got: describeValue(fn) });
    if (name !== undefined && (typeof name !== 'string' || name === '')) {
      errors.push({ _tag: 'InvalidArgument', path: `stages[${i}].name`, expected: 'a non-empty string (or no name)', got: describeValue(name) });
    } else if (typeof name === 'string') {
      if (seen.has(name)) errors.push({ _tag: 'InvalidArgument', path: `stages[${i}].name`, expected: 'a name no other stage has', got: `'${name}' again` });
      seen.add(name);
    }
    list.push({ name: name as string | undefined, fn: fn as Stage['fn'] });
  }
  const failed = failAll(errors);
  if (failed !== undefined) return failed;
  const registered: StageList = { stages: Object.freeze(list), originals: Object.freeze([...copied.right]), inputCount };
  const model = (...all: unknown[]): tf.Tensor => {
    const out = runStagesFrom(registered, 0, all.slice(0, inputCount) as tf.Tensor[], all.slice(inputCount));
    if (out.length !== 1) throw new Error(`the last stage returned ${out.length} tensors, expected one`);
    return out[0]!;
  };
  registry.set(model, registered);
  return ok(Object.assign(model, { stageNames: Object.freeze(list.map((s) => s.name)) }) as unknown as StagedModel);
}
