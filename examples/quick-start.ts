// Quick start: pick a backend, attribute a small conv net's prediction with a Riemann
// integrated-gradients sum built from computeGradients, check it with convergenceDelta, and
// upsample a conv layer's activation map to the input size with interpolate.
// Run: npm start
import * as tf from '@tensorflow/tfjs-core';
import { computeGradients, convergenceDelta, initBackend, interpolate, message, type Result } from '../src/index.js';

function must<A>(r: Result<A>): A {
  if (r._tag === 'Left') throw new Error(message(r.left));
  return r.right;
}

const backend = must(await initBackend());
console.log(`backend: ${backend.backend} (${backend.detail})`);
for (const [name, why] of Object.entries(backend.passedOver)) console.log(`  passed over ${name}: ${why}`);

// A tiny conv net on 8x8 one-channel images, with seeded weights: conv 3x3x4 -> relu -> flatten -> dense 3.
const kernel = tf.randomNormal([3, 3, 1, 4], 0, 0.5, 'float32', 1);
const dense = tf.randomNormal([6 * 6 * 4, 3], 0, 0.2, 'float32', 2);
const convLayer = (x: tf.Tensor) => tf.relu(tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'valid'));
const model = (x: tf.Tensor) => tf.matMul(tf.reshape(convLayer(x), [x.shape[0] as number, -1]), dense as tf.Tensor2D);

// Two "images": a diagonal stroke and a box.
const images = tf.tidy(() => {
  const diagonal = tf.reshape(tf.eye(8), [8, 8, 1]);
  const box = tf.pad(tf.ones([4, 4, 1]), [[2, 2], [2, 2], [0, 0]]);
  return tf.stack([diagonal, box]);
});
const target = 1;

// Integrated gradients, midpoint rule, baseline 0: (x - 0) * mean over alpha of dF/dx(alpha x).
const steps = 32;
let gradientSum = tf.zerosLike(images);
for (let k = 0; k < steps; k++) {
  const scaled = tf.mul(images, (k + 0.5) / steps);
  const g = must(await computeGradients(model, scaled, target)) as tf.Tensor;
  const next = tf.add(gradientSum, g);
  tf.dispose([scaled, g, gradientSum]);
  gradientSum = next;
}
const attributions = tf.tidy(() => tf.mul(images, tf.div(gradientSum, steps)));

const delta = must(await convergenceDelta(model, { attributions, endPoint: images, target }));
console.log(`\nconvergence delta per image (sum of attributions - (F(x) - F(0))): ${Array.from(await delta.data(), (d) => d.toExponential(2)).join(', ')}`);

// The conv layer's activation, summed over channels ([2,6,6,1]), upsampled to the 8x8 input.
const activation = tf.tidy(() => tf.sum(convLayer(images), 3, true));
const map = must(interpolate(activation, [8, 8], 'bilinear'));
const values = (await map.array()) as number[][][][];
const shades = ' .:-=+*#%@';
const top = Math.max(...values.flat(3), 1e-9);
console.log('\nconv activation upsampled to 8x8 (bilinear), image 0 | image 1:');
for (let row = 0; row < 8; row++) {
  const line = (img: number) => values[img]![row]!.map((v) => shades[Math.min(9, Math.floor((v[0]! / top) * 9.99))]).join('');
  console.log(`  ${line(0)} | ${line(1)}`);
}

tf.dispose([kernel, dense, images, gradientSum, attributions, delta, activation, map]);
console.log(`\ntensors left: ${tf.memory().numTensors}`);
