// The digits CNN: its architecture, and loading the weights that train.ts saved
// (examples/data/digits-cnn.json: tfjs-layers topology and weights, base64).
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export const WEIGHTS_FILE = new URL('../../../examples/data/digits-cnn.json', import.meta.url);

/**
 * 8x8x1 -> conv 3x3x16 (same) relu -> maxpool 2 -> conv 3x3x64 (same) relu -> global average pool -> dense 10 (logits).
 * The global pooling makes conv2's channels class evidence at every position, which is what Grad-CAM reads.
 */
export function digitsCnn(): tfl.Sequential {
  const init = (seed: number) => ({ kernelInitializer: tfl.initializers.glorotUniform({ seed }) }); // reproducible starting weights
  const model = tfl.sequential({ name: 'digits_cnn' });
  model.add(tfl.layers.conv2d({ name: 'conv1', inputShape: [8, 8, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', ...init(1) }));
  model.add(tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }));
  model.add(tfl.layers.conv2d({ name: 'conv2', filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', ...init(2) }));
  model.add(tfl.layers.globalAveragePooling2d({ name: 'pool2' }));
  model.add(tfl.layers.dense({ name: 'logits', units: 10, ...init(3) }));
  return model;
}

interface SavedModel {
  readonly modelTopology: object;
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightData: string; // base64
  readonly testAccuracy: number;
}

/** The trained model and the test accuracy recorded when it was trained. */
export async function loadDigitsCnn(file: URL = WEIGHTS_FILE): Promise<{ model: tfl.LayersModel; testAccuracy: number }> {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedModel;
  const bytes = Buffer.from(saved.weightData, 'base64');
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: saved.modelTopology, weightSpecs: saved.weightSpecs, weightData }));
  return { model, testAccuracy: saved.testAccuracy };
}

export function toSaved(artifacts: tf.io.ModelArtifacts, testAccuracy: number): SavedModel {
  const data = artifacts.weightData as ArrayBuffer;
  return { modelTopology: artifacts.modelTopology as object, weightSpecs: artifacts.weightSpecs ?? [], weightData: Buffer.from(data).toString('base64'), testAccuracy };
}
