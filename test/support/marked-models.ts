// The reference models as forward functions whose non-linearities are the library's rule ops
// (attributionOps), as a user marks them for DeepLift, GuidedBackprop and Deconvolution. Same
// weights and layout as models.ts's forward functions.
import * as tf from '@tensorflow/tfjs-core';
import { attributionOps as ops, type Model, namedStages, type Stage } from '../../src/index.js';
import { type ModelSpec, modelSpecs } from './models.js';

type Nested = number | Nested[];
const shapeOf = (n: Nested): number[] => (Array.isArray(n) ? [n.length, ...shapeOf(n[0] as Nested)] : []);
const flat = (n: Nested): number[] => (Array.isArray(n) ? n.flatMap(flat) : [n]);

type Layer = ModelSpec['layers'][number];
interface Weights {
  kernel?: tf.Tensor;
  bias?: tf.Tensor;
}

function applyMarked(x: tf.Tensor, l: Layer, w: Weights): tf.Tensor {
  const n = x.shape[0] as number;
  switch (l.kind) {
    case 'dense':
      return tf.add(tf.matMul(x as tf.Tensor2D, w.kernel as tf.Tensor2D), w.bias as tf.Tensor);
    case 'conv2d':
      return tf.add(tf.conv2d(x as tf.Tensor4D, w.kernel as tf.Tensor4D, l.strides ?? [1, 1], l.padding ?? 'valid'), w.bias as tf.Tensor);
    case 'relu':
      return ops.relu(x);
    case 'sigmoid':
      return ops.sigmoid(x);
    case 'tanh':
      return ops.tanh(x);
    case 'softmax':
      return ops.softmax(x);
    case 'maxpool2d':
      return ops.maxPool(x, l.pool ?? [2, 2], l.strides ?? [2, 2], 'valid');
    case 'avgpool2d':
      return tf.avgPool(x as tf.Tensor4D, l.pool ?? [2, 2], l.strides ?? [2, 2], 'valid');
    case 'flatten':
      return tf.reshape(x, [n, -1]);
    case 'reshape':
      return tf.reshape(x, [n, ...(l.shape ?? [])]);
  }
}

function markedWeights(spec: ModelSpec): Weights[] {
  return tf.tidy(() =>
    spec.layers.map((l) => ({
      ...(l.kernel === undefined ? {} : { kernel: tf.keep(tf.tensor(flat(l.kernel as Nested), shapeOf(l.kernel as Nested))) }),
      ...(l.bias === undefined ? {} : { bias: tf.keep(tf.tensor1d(l.bias)) }),
    })),
  );
}

const stagedCache = new Map<string, Model>();
/** A reference model as a namedStages model (one stage per layer, named as the layer) written with attributionOps. */
export function markedStagesFor(name: string): Model {
  let m = stagedCache.get(name);
  if (m === undefined) {
    const spec = modelSpecs[name];
    if (spec === undefined) throw new Error(`no model ${name}`);
    const w = markedWeights(spec);
    const k = spec.inputShapes.length;
    const stages: Stage[] = [];
    if (k > 1) stages.push({ fn: ((...args: tf.Tensor[]) => tf.concat(args.slice(0, k).map((t) => tf.reshape(t, [t.shape[0] as number, -1])), 1)) as never });
    spec.layers.forEach((l, i) => stages.push({ ...(l.name ? { name: l.name } : {}), fn: ((x: tf.Tensor) => applyMarked(x, l, w[i] ?? {})) as never }));
    stages.push({ fn: ((x: tf.Tensor, scale?: unknown) => (typeof scale === 'number' || scale instanceof tf.Tensor ? tf.mul(x, scale) : x)) as never });
    const r = namedStages(stages, { inputs: k });
    if (r._tag === 'Left') throw new Error(`stages of ${name}`);
    m = r.right;
    stagedCache.set(name, m);
  }
  return m;
}

function markedOf(name: string): Model {
  const spec = modelSpecs[name];
  if (spec === undefined) throw new Error(`no model ${name}`);
  const w: Weights[] = tf.tidy(() =>
    spec.layers.map((l) => ({
      ...(l.kernel === undefined ? {} : { kernel: tf.keep(tf.tensor(flat(l.kernel as Nested), shapeOf(l.kernel as Nested))) }),
      ...(l.bias === undefined ? {} : { bias: tf.keep(tf.tensor1d(l.bias)) }),
    })),
  );
  const k = spec.inputShapes.length;
  const forward = (...args: unknown[]): tf.Tensor => {
    const inputs = args.slice(0, k) as tf.Tensor[];
    let x = k === 1 ? inputs[0]! : tf.concat(inputs.map((t) => tf.reshape(t, [t.shape[0] as number, -1])), 1);
    spec.layers.forEach((l, i) => {
      x = applyMarked(x, l, w[i] ?? {});
    });
    const scale = args[k];
    if (typeof scale === 'number' || scale instanceof tf.Tensor) x = tf.mul(x, scale);
    return x;
  };
  return forward as unknown as Model;
}

const cache = new Map<string, Model>();
/** A reference model as a forward function written with attributionOps, built once per process. */
export function markedModelFor(name: string): Model {
  let m = cache.get(name);
  if (m === undefined) {
    m = markedOf(name);
    cache.set(name, m);
  }
  return m;
}
