// Helpers for the layer and neuron methods built on sampling and perturbation: a sampler that turns
// a GradientShap-style method into a path integral (identity checks), and a sweep of hostile values
// through every option of a method.
import * as tf from '@tensorflow/tfjs-core';
import type { Model, Result, Sampler } from '../../src/index.js';
import { approximationParameters } from '../../src/core/approximation-methods.js';
import { disposeAll, expectRight } from './harness.js';

/**
 * A sampler with no noise, baseline row 0 for every draw and, for sample `s`, the alpha of step `s`
 * of a Riemann rule with `nSteps` points (Captum's float32 alphas): a GradientShap-style method with
 * `nSamples: nSteps` then averages the gradient at the rule's points, each with weight 1/nSteps.
 */
export function riemannSampler(method: 'riemann_left' | 'riemann_right' | 'riemann_middle', nSteps: number): Sampler {
  const { alphas } = expectRight(approximationParameters(method, nSteps));
  return {
    noise: (r) => new Float32Array(r.examples * r.samples * r.shape.reduce((a, b) => a * b, 1)),
    alphas: (r) => Float32Array.from({ length: r.examples * r.samples }, (_, row) => alphas[r.firstSample + (row % r.samples)]!),
    baselineIndices: (r) => new Int32Array(r.count),
  };
}

/** Hostile values for options, each made fresh. */
export const HOSTILE_VALUES: readonly (readonly [string, () => unknown])[] = [
  ['null', () => null],
  ['NaN', () => NaN],
  ['-1', () => -1],
  ['1.5', () => 1.5],
  ["'x'", () => 'x'],
  ['true', () => true],
  ['a symbol', () => Symbol('h')],
  ['{}', () => ({})],
  ['a function', () => () => 1],
  ['[]', () => []],
  ['[[1,2],[3,4]]', () => [[1, 2], [3, 4]]],
  ['a throwing proxy', () => new Proxy({}, { get() { throw new Error('hostile property trap'); } })],
  ['a NaN tensor', () => tf.tensor2d([[NaN, 1, 2], [2, 3, 4]])],
  ['a scalar', () => tf.scalar(3)],
  ['ones([3,5])', () => tf.ones([3, 5])],
  ['a disposed tensor', () => { const t = tf.ones([2, 3]); t.dispose(); return t; }],
];

export type AnyMethod = (model: Model, inputs: tf.Tensor | tf.Tensor[], options: Record<string, unknown>) => Promise<Result<unknown>>;

/** The paths a Left may name when option `key` is hostile. */
const prefixesFor = (key: string): string[] =>
  key === 'target' ? ['options.target', 'model']
  : key === 'additionalForwardArgs' ? ['options.additionalForwardArgs', 'model']
  : key === 'sampler' ? ['options.sampler', 'options.seed']
  : key === 'layer' ? ['options.layer', 'model']
  : [`options.${key}`];

/**
 * Every option of `keys` (and the model, inputs and options themselves) gets every hostile value in
 * turn, the others staying `valid`: the call must settle (no throw), a Left must name the hostile
 * argument, a Right is disposed, and nothing may leak. Returns the misbehaving combinations.
 */
export async function hostileSweep(name: string, call: AnyMethod, model: Model, x: tf.Tensor, valid: Record<string, unknown>, keys: readonly string[]): Promise<string[]> {
  const failures: string[] = [];
  const slots: [string, readonly string[], (v: unknown) => [unknown, unknown, unknown]][] = [
    ['model', ['model', 'options.layer'], (v) => [v, x, valid]],
    ['inputs', ['inputs', 'model', 'options.baselines', 'options.layerBaselines', 'options.layerMask', 'options.featureMask'], (v) => [model, v, valid]],
    ['options', ['options', 'target'], (v) => [model, x, v]],
    ...keys.map((k): [string, readonly string[], (v: unknown) => [unknown, unknown, unknown]] => [`options.${k}`, prefixesFor(k), (v) => [model, x, { ...valid, [k]: v }]]),
  ];
  for (const [slot, prefixes, build] of slots) {
    for (const [label, make] of HOSTILE_VALUES) {
      const before = tf.memory().numTensors;
      const value = make();
      try {
        const [m, i, o] = build(value);
        const r = await call(m as Model, i as tf.Tensor, o as Record<string, unknown>);
        if (r._tag === 'Left') {
          const off = r.left.filter((e) => !prefixes.some((p) => e.path.startsWith(p)));
          if (off.length > 0) failures.push(`${name}(${slot} <- ${label}): Left at ${off.map((e) => `${e.path} (${e._tag})`).join(', ')}`);
        } else disposeAll(r.right);
      } catch (e) {
        failures.push(`${name}(${slot} <- ${label}): threw ${e instanceof Error ? e.message : String(e)}`);
      }
      if (typeof value === 'object' && value !== null && Object.prototype.isPrototypeOf.call(tf.Tensor.prototype, value)) (value as tf.Tensor).dispose();
      const after = tf.memory().numTensors;
      if (after !== before) failures.push(`${name}(${slot} <- ${label}): ${after - before} tensors leaked`);
    }
  }
  return failures;
}
