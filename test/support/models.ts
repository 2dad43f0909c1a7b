// The reference models (fixtures/reference/models.json) rebuilt on TF.js ops: as forward functions
// (Captum's convention, extra args included) and, where tfjs-layers can express them, as tf.LayersModels.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadJson } from './fixtures.js';

type Nested = number | Nested[];
interface LayerSpec {
  readonly kind: 'dense' | 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'conv2d' | 'maxpool2d' | 'avgpool2d' | 'flatten' | 'reshape';
  readonly name?: string;
  readonly kernel?: Nested;
  readonly bias?: number[];
  readonly strides?: [number, number];
  readonly padding?: 'valid' | 'same';
  readonly pool?: [number, number];
  readonly shape?: number[];
}
export interface ModelSpec {
  readonly name: string;
  readonly inputShapes: number[][];
  readonly layers: LayerSpec[];
}

export const modelSpecs = loadJson<Record<string, ModelSpec>>('models.json');

const shapeOf = (n: Nested): number[] => (Array.isArray(n) ? [n.length, ...shapeOf(n[0] as Nested)] : []);
const flat = (n: Nested): number[] => (Array.isArray(n) ? n.flatMap(flat) : [n]);

/** Weights as tensors, made once and kept for the whole run (they are not part of any leak check). */
function weights(spec: ModelSpec): { kernel?: tf.Tensor; bias?: tf.Tensor }[] {
  return tf.tidy(() =>
    spec.layers.map((l) => ({
      ...(l.kernel === undefined ? {} : { kernel: tf.keep(tf.tensor(flat(l.kernel), shapeOf(l.kernel))) }),
      ...(l.bias === undefined ? {} : { bias: tf.keep(tf.tensor1d(l.bias)) }),
    })),
  );
}

/** The non-linear ops a reference model is written with: plain tf ops, or the library's rule ops (attributionOps, for the rule methods). */
export interface ModelOps {
  relu(x: tf.Tensor): tf.Tensor;
  sigmoid(x: tf.Tensor): tf.Tensor;
  tanh(x: tf.Tensor): tf.Tensor;
  softmax(x: tf.Tensor): tf.Tensor;
  maxPool(x: tf.Tensor, filterSize: [number, number], strides: [number, number], pad: 'valid'): tf.Tensor;
}
const plainOps: ModelOps = {
  relu: tf.relu,
  sigmoid: tf.sigmoid,
  tanh: tf.tanh,
  softmax: (x) => tf.softmax(x),
  maxPool: (x, filterSize, strides, pad) => tf.maxPool(x as tf.Tensor4D, filterSize, strides, pad),
};

function applyLayer(x: tf.Tensor, l: LayerSpec, w: { kernel?: tf.Tensor; bias?: tf.Tensor }, ops: ModelOps): tf.Tensor {
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
      return tf.reshape(x, [n, -1]); // NHWC row-major, like tf.layers.flatten
    case 'reshape':
      return tf.reshape(x, [n, ...(l.shape ?? [])]);
  }
}

/**
 * The same forward function cut into stages named as the spec's layers (for layer and neuron
 * methods): with several inputs an unnamed first stage flattens and concatenates them, so the first
 * layer's input is the concatenation (as in Captum); an unnamed last stage applies the extra factor.
 */
export function stagesOf(name: string, ops: ModelOps = plainOps): { name?: string; fn: (...args: never[]) => tf.Tensor }[] {
  const spec = modelSpecs[name];
  if (spec === undefined) throw new Error(`no model ${name}`);
  const w = weights(spec);
  const k = spec.inputShapes.length;
  const stages: { name?: string; fn: (...args: never[]) => tf.Tensor }[] = [];
  if (k > 1) {
    stages.push({
      fn: ((...args: tf.Tensor[]) => tf.concat(args.slice(0, k).map((t) => tf.reshape(t, [t.shape[0] as number, -1])), 1)) as never,
    });
  }
  spec.layers.forEach((l, i) => stages.push({ ...(l.name ? { name: l.name } : {}), fn: ((x: tf.Tensor) => applyLayer(x, l, w[i] ?? {}, ops)) as never }));
  stages.push({
    fn: ((x: tf.Tensor, scale?: unknown) => (typeof scale === 'number' || scale instanceof tf.Tensor ? tf.mul(x, scale) : x)) as never,
  });
  return stages;
}

/**
 * `f(x_1..x_k, ...extra)`: one input goes in as it is; several are flattened and concatenated.
 * The first extra argument (a number or a broadcastable tensor) multiplies the output; the rest are ignored.
 */
export function forwardOf(name: string, ops: ModelOps = plainOps): (...args: unknown[]) => tf.Tensor {
  const spec = modelSpecs[name];
  if (spec === undefined) throw new Error(`no model ${name}`);
  const w = weights(spec);
  const k = spec.inputShapes.length;
  return (...args: unknown[]) => {
    const inputs = args.slice(0, k) as tf.Tensor[];
    const extra = args.slice(k);
    let x =
      k === 1
        ? (inputs[0] as tf.Tensor)
        : tf.concat(
            inputs.map((t) => tf.reshape(t, [t.shape[0] as number, -1])),
            1,
          );
    spec.layers.forEach((l, i) => {
      x = applyLayer(x, l, w[i] ?? {}, ops);
    });
    const scale = extra[0];
    if (typeof scale === 'number' || scale instanceof tf.Tensor) x = tf.mul(x, scale);
    return x;
  };
}

const cachedForwards = new Map<string, (...args: unknown[]) => tf.Tensor>();
/** The forward function of a reference model, built once per process. */
export function referenceModel(name: string): (...args: unknown[]) => tf.Tensor {
  let f = cachedForwards.get(name);
  if (f === undefined) {
    f = forwardOf(name);
    cachedForwards.set(name, f);
  }
  return f;
}

/** One reference layer as a tfjs-layers layer named as in the spec (its own weights are set afterwards). */
function layerOf(l: LayerSpec): tfl.layers.Layer {
  const named = l.name === undefined || l.name === null ? {} : { name: l.name };
  switch (l.kind) {
    case 'dense':
      return tfl.layers.dense({ units: (l.bias ?? []).length, ...named });
    case 'conv2d': {
      const shape = shapeOf(l.kernel as Nested);
      return tfl.layers.conv2d({ filters: shape[3] as number, kernelSize: [shape[0] as number, shape[1] as number], strides: l.strides ?? [1, 1], padding: l.padding ?? 'valid', ...named });
    }
    case 'relu':
    case 'sigmoid':
    case 'tanh':
    case 'softmax':
      return tfl.layers.activation({ activation: l.kind, ...named });
    case 'maxpool2d':
      return tfl.layers.maxPooling2d({ poolSize: l.pool ?? [2, 2], strides: l.strides ?? [2, 2], padding: 'valid', ...named });
    case 'avgpool2d':
      return tfl.layers.averagePooling2d({ poolSize: l.pool ?? [2, 2], strides: l.strides ?? [2, 2], padding: 'valid', ...named });
    case 'flatten':
      return tfl.layers.flatten(named);
    case 'reshape':
      return tfl.layers.reshape({ targetShape: l.shape ?? [], ...named });
  }
}

/**
 * A reference model rebuilt with tfjs-layers (its own layers, our weights): a `tf.Sequential` for one
 * input; a functional model (each input flattened, then concatenated, as the reference forward does)
 * for several. Models with a rank-0 reshape (a 1-D output) have no tfjs-layers form.
 */
export function layersModelOf(name: string): tfl.LayersModel | undefined {
  const spec = modelSpecs[name];
  if (spec === undefined) return undefined;
  if (spec.layers.some((l) => l.kind === 'reshape' && (l.shape ?? []).length === 0)) return undefined;
  let model: tfl.LayersModel;
  if (spec.inputShapes.length === 1) {
    const seq = tfl.sequential();
    seq.add(tfl.layers.inputLayer({ inputShape: spec.inputShapes[0] as number[] }));
    for (const l of spec.layers) seq.add(layerOf(l));
    model = seq;
  } else {
    const inputs = spec.inputShapes.map((shape) => tfl.input({ shape }));
    const flat = inputs.map((x) => (x.shape.length > 2 ? (tfl.layers.flatten().apply(x) as tfl.SymbolicTensor) : x));
    let y = tfl.layers.concatenate({ axis: 1 }).apply(flat) as tfl.SymbolicTensor;
    for (const l of spec.layers) y = layerOf(l).apply(y) as tfl.SymbolicTensor;
    model = tfl.model({ inputs, outputs: y });
  }
  const w = weights(spec).flatMap((x) => [x.kernel, x.bias].filter((t): t is tf.Tensor => t !== undefined));
  model.setWeights(w);
  for (const t of w) t.dispose();
  return model;
}
