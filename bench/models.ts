// The bench models (bench/vendor/bench_models.json: bench_mlp, bench_cnn) as tfjs forward functions,
// built from the same JSON the PyTorch peer reads, so both sides compute the same function.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';

type Nested = number | Nested[];
interface LayerSpec {
  readonly kind: 'dense' | 'relu' | 'conv2d' | 'maxpool2d' | 'flatten';
  readonly kernel?: Nested;
  readonly bias?: number[];
  readonly strides?: [number, number];
  readonly padding?: 'valid' | 'same';
  readonly pool?: [number, number];
}
export interface ModelSpec {
  readonly name: string;
  readonly inputShapes: number[][];
  readonly layers: LayerSpec[];
}

export const MODELS_PATH = new URL('../../bench/vendor/bench_models.json', import.meta.url);
export const modelSpecs = (): Record<string, ModelSpec> => JSON.parse(readFileSync(MODELS_PATH, 'utf8')) as Record<string, ModelSpec>;

const shapeOf = (n: Nested): number[] => (Array.isArray(n) ? [n.length, ...shapeOf(n[0] as Nested)] : []);
const flat = (n: Nested): number[] => (Array.isArray(n) ? n.flatMap(flat) : [n]);

/** The model as `x => logits` on the active backend; its weights are kept until `dispose`. */
export function buildModel(spec: ModelSpec): { forward: (x: tf.Tensor) => tf.Tensor; dispose: () => void } {
  const w = tf.tidy(() =>
    spec.layers.map((l) => ({
      kernel: l.kernel === undefined ? undefined : tf.keep(tf.tensor(flat(l.kernel), shapeOf(l.kernel))),
      bias: l.bias === undefined ? undefined : tf.keep(tf.tensor1d(l.bias)),
    })),
  );
  const forward = (input: tf.Tensor): tf.Tensor => {
    let x = input;
    spec.layers.forEach((l, i) => {
      const { kernel, bias } = w[i] ?? {};
      switch (l.kind) {
        case 'dense':
          x = tf.add(tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D), bias as tf.Tensor);
          break;
        case 'conv2d':
          x = tf.add(tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, l.strides ?? [1, 1], l.padding ?? 'valid'), bias as tf.Tensor);
          break;
        case 'relu':
          x = tf.relu(x);
          break;
        case 'maxpool2d':
          x = tf.maxPool(x as tf.Tensor4D, l.pool ?? [2, 2], l.strides ?? [2, 2], 'valid');
          break;
        case 'flatten':
          x = tf.reshape(x, [x.shape[0] as number, -1]);
          break;
      }
    });
    return x;
  };
  return { forward, dispose: () => w.forEach((l) => [l.kernel, l.bias].forEach((t) => t?.dispose())) };
}
