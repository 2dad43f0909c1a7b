// npm start: explain a real model. Loads the digits CNN (trained by examples/digits/train.ts on the
// UCI handwritten digits), picks test digits it has not seen, and asks why it predicted what it did:
// saliency, integrated gradients (with convergence deltas), SmoothGrad (a noise tunnel over
// saliency) and Grad-CAM of the last conv layer upsampled to the input. Prints a summary and writes
// one PNG per digit and method to output/digits/.
import { mkdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { type AttributionError, initBackend, integratedGradients, interpolate, layerGradCam, message, noiseTunnel, type Result, type RgbaImage, saliency, sideBySide, type VisualizeSign, visualizeImageAttr } from '../src/index.js';
import { writePng } from 'tfjs-attribution/node'; // the Node-only entry point, by the package's own name
import { loadDigits, TRAIN_COUNT } from './digits/data.js';
import { loadDigitsCnn } from './digits/model.js';

function must<A>(r: Result<A>): A {
  if (r._tag === 'Left') throw new Error(message(r.left));
  return r.right;
}
const step = (text: string) => process.stdout.write(`${text}\n`);
/** A progress line: redrawn in place on a terminal, written once when finished otherwise. */
const progress = (label: string, unit: string) => ({ done, total }: { done: number; total: number }) => {
  if (process.stdout.isTTY) process.stdout.write(`\r  ${label} ... ${done}/${total} ${unit}${done === total ? '\n' : ''}`);
  else if (done === total) step(`  ${label} ... ${done}/${total} ${unit}`);
};

const started = performance.now();
const backend = must(await initBackend());
step(`backend: ${backend.backend} (${backend.detail})`);
for (const [name, why] of Object.entries(backend.passedOver)) step(`  passed over ${name}: ${why}`);

const { model, testAccuracy } = await loadDigitsCnn();
const digits = loadDigits();
step(`model: digits CNN (conv-relu-pool-conv-relu-global pool-dense), ${(testAccuracy * 100).toFixed(1)}% on the ${digits.count - TRAIN_COUNT} held-out digits`);

// The first held-out example of four different digits, and the first one the model gets wrong.
const test = Array.from({ length: digits.count - TRAIN_COUNT }, (_, k) => TRAIN_COUNT + k);
const images = tf.tensor4d(digits.pixels.subarray(TRAIN_COUNT * 64), [test.length, 8, 8, 1]);
const predictions = tf.tidy(() => tf.argMax(model.predict(images) as tf.Tensor, 1));
const predicted = Array.from(await predictions.data());
tf.dispose([images, predictions]);
const chosen: number[] = [];
for (const wanted of [0, 3, 7, 9]) {
  const k = test.findIndex((i) => digits.labels[i] === wanted && predicted[i - TRAIN_COUNT] === wanted);
  if (k >= 0) chosen.push(test[k]!);
}
const wrong = test.find((i) => predicted[i - TRAIN_COUNT] !== digits.labels[i]);
if (wrong !== undefined) chosen.push(wrong);

const x = tf.tensor4d(Float32Array.from(chosen.flatMap((i) => Array.from(digits.pixels.subarray(i * 64, i * 64 + 64)))), [chosen.length, 8, 8, 1]);
const logits = model.predict(x) as tf.Tensor2D;
const probabilities = (await tf.softmax(logits).array()) as number[][];
const target = probabilities.map((p) => p.indexOf(Math.max(...p))); // explain each digit's predicted class
logits.dispose();

step(`\nexplaining ${chosen.length} digits (the predicted class of each):`);
step('  saliency ...');
const sal = must(await saliency(model, x, { target }));
const nSteps = 64;
const ig = must(
  await integratedGradients(model, x, {
    target,
    nSteps,
    internalBatchSize: 128,
    returnConvergenceDelta: true,
    onProgress: progress('integrated gradients', 'steps'),
  }),
);
// SmoothGrad: saliency averaged over 32 noisy copies of each digit (noise 0.15 on pixels in [0, 1]), seeded.
const smoothGrad = noiseTunnel(saliency);
const nSamples = 32;
const smooth = must(
  await smoothGrad(model, x, {
    target,
    ntType: 'smoothgrad',
    nSamples,
    nSamplesBatchSize: 8,
    stdevs: 0.15,
    seed: 7,
    onProgress: progress('smoothgrad (noise tunnel over saliency)', 'samples'),
  }),
);
// Grad-CAM: conv2's channels weighted by their mean gradient, summed and relu'd (Captum's
// relu_attributions), [N, 4, 4, 1] after the 2x2 pool; then upsampled to the 8x8 input with
// interpolate (bilinear, as torch computes it).
step('  grad-cam (conv2, 4x4 upsampled to 8x8) ...');
const cam = must(await layerGradCam(model, x, { layer: 'conv2', target, reluAttributions: true })) as tf.Tensor;
const camUp = must(interpolate(cam, [8, 8], 'bilinear'));
cam.dispose();
const deltas = Array.from(await ig.delta.data());
const igValues = (await ig.attributions.array()) as number[][][][];

step('\n  digit  label  predicted  confidence  IG delta    most influential pixels (row,col: IG attribution)');
chosen.forEach((index, k) => {
  const p = probabilities[k]!;
  const cells = igValues[k]!.flatMap((row, r) => row.map((v, c) => ({ r, c, v: v[0]! })));
  const top = cells.sort((a, b) => Math.abs(b.v) - Math.abs(a.v)).slice(0, 3).map((e) => `${e.r},${e.c}: ${e.v >= 0 ? '+' : ''}${e.v.toFixed(2)}`);
  const label = digits.labels[index]!;
  step(`  #${String(index).padEnd(5)} ${String(label).padEnd(6)} ${String(target[k]).padEnd(10)} ${(p[target[k]!]! * 100).toFixed(1).padStart(6)}%   ${deltas[k]!.toExponential(1).padStart(8)}    ${top.join('   ')}${label !== target[k] ? '   (misclassified)' : ''}`);
});
// One PNG per digit and method: the digit, the attribution as a heat map, and the heat map blended over the digit.
const outDir = new URL('../../output/digits/', import.meta.url);
mkdirSync(outDir, { recursive: true });
const methods: { name: string; attributions: tf.Tensor; sign: VisualizeSign }[] = [
  { name: 'saliency', attributions: sal, sign: 'absolute_value' }, // |gradient|: blues
  { name: 'integrated-gradients', attributions: ig.attributions, sign: 'all' }, // signed: green for, red against
  { name: 'smoothgrad', attributions: smooth, sign: 'absolute_value' },
  { name: 'grad-cam', attributions: camUp, sign: 'positive' }, // relu'd, upsampled from conv2's 4x4: greens
];
step(`\nimages (digit | heat map | blended), in ${outDir.pathname}:`);
for (const [k, index] of chosen.entries()) {
  const digit = tf.tidy(() => tf.mul(tf.slice(x, [k, 0, 0, 0], [1, -1, -1, -1]), 255)); // [1, 8, 8, 1] in 0..255
  const input = must(await visualizeImageAttr(null, digit, { method: 'original_image' }));
  for (const m of methods) {
    const map = tf.slice(m.attributions, [k, 0, 0, 0], [1, -1, -1, -1]);
    const heatResult = await visualizeImageAttr(map, null, { method: 'heat_map', sign: m.sign });
    const blendedResult = await visualizeImageAttr(map, digit, { method: 'blended_heat_map', sign: m.sign, alphaOverlay: 0.6 });
    map.dispose();
    if (heatResult._tag === 'Left' || blendedResult._tag === 'Left') {
      // e.g. a Grad-CAM map that the relu made all zero: nothing to scale
      step(`  (no ${m.name} image for digit #${index}: ${message(heatResult._tag === 'Left' ? heatResult.left : (blendedResult as unknown as { left: AttributionError[] }).left)})`);
      continue;
    }
    const heat = heatResult.right;
    const blended = blendedResult.right;
    const panel: RgbaImage = must(sideBySide([input, heat, blended], { scale: 24, gap: 8 }));
    const file = new URL(`digit-${index}-label-${digits.labels[index]}-${m.name}.png`, outDir);
    const written = must(await writePng(file.pathname, panel));
    step(`  ${written.path.slice(outDir.pathname.length)}`);
  }
  digit.dispose();
}
tf.dispose([x, sal, smooth, camUp, ig.attributions, ig.delta]);
model.dispose();
step(`\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s`);
