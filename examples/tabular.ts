// Tabular attribution on the Wisconsin breast-cancer data (examples/data/breast_cancer.csv): train a
// small tfjs-layers classifier in a few seconds, then explain a few of its test predictions with
// Shapley value sampling and feature ablation, printed as ranked tables with the features' names.
// Run: npm run example:tabular
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { featureAblation, initBackend, message, type Result, shapleyValueSampling } from '../src/index.js';

function must<A>(r: Result<A>): A {
  if (r._tag === 'Left') throw new Error(message(r.left));
  return r.right;
}

const backend = must(await initBackend({ prefer: ['wasm', 'cpu'] }));
console.log(`backend: ${backend.backend}`);

// ---- the data: 569 rows of 30 features and the class (0 = malignant, 1 = benign) ----------------
const BASE = ['radius', 'texture', 'perimeter', 'area', 'smoothness', 'compactness', 'concavity', 'concave points', 'symmetry', 'fractal dimension'];
const NAMES = ['mean', 'se', 'worst'].flatMap((kind) => BASE.map((b) => `${kind} ${b}`));
const lines = readFileSync(new URL('../../examples/data/breast_cancer.csv', import.meta.url), 'utf8').trim().split('\n');
const rows = lines.slice(1).map((l) => l.split(',').map(Number));
const isTest = (i: number) => i % 5 === 0; // every fifth row is held out
const train = rows.filter((_, i) => !isTest(i));
const test = rows.filter((_, i) => isTest(i));

// Standardise with the training means and deviations; the baseline (all zeros) is then the mean patient.
const mean = NAMES.map((_, j) => train.reduce((a, r) => a + r[j]!, 0) / train.length);
const std = NAMES.map((_, j) => Math.sqrt(train.reduce((a, r) => a + (r[j]! - mean[j]!) ** 2, 0) / train.length));
const features = (rs: number[][]) => tf.tensor2d(rs.map((r) => NAMES.map((_, j) => (r[j]! - mean[j]!) / std[j]!)));
const labels = (rs: number[][]) => tf.tensor2d(rs.map((r) => [r[30]!]));
const [xTrain, yTrain, xTest, yTest] = [features(train), labels(train), features(test), labels(test)];

// ---- a small classifier, seeded so that every run trains the same one ---------------------------
const model = tfl.sequential({
  layers: [
    tfl.layers.dense({ inputShape: [30], units: 16, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
    tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }), name: 'logit' }),
    tfl.layers.activation({ activation: 'sigmoid' }),
  ],
});
model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
const started = Date.now();
await model.fit(xTrain, yTrain, { epochs: 25, batchSize: 64, shuffle: false, verbose: 0 });
const [, accuracy] = model.evaluate(xTest, yTest) as tf.Scalar[];
console.log(`trained on ${train.length} patients in ${((Date.now() - started) / 1000).toFixed(1)} s; test accuracy ${((await accuracy!.data())[0]! * 100).toFixed(1)}% on ${test.length}`);

// ---- explain three test patients --------------------------------------------------------------
// The attributions explain the log-odds of "benign" (the layer before the sigmoid), where effects add
// up; a saturated probability would hide them. The baseline is the mean patient (all zeros).
const logOdds = tfl.model({ inputs: model.inputs, outputs: model.getLayer('logit').output as tfl.SymbolicTensor });
const allProbs = await (model.predict(xTest) as tf.Tensor).data();
const uncertain = Array.from(allProbs).reduce((best, p, i) => (Math.abs(p - 0.5) < Math.abs(allProbs[best]! - 0.5) ? i : best), 0);
const picks = [test.findIndex((r) => r[30] === 0), test.findIndex((r) => r[30] === 1), uncertain];
const x = tf.gather(xTest, picks);
const probs = await (model.predict(x) as tf.Tensor).data();
const logits = await (logOdds.predict(x) as tf.Tensor).data();
const base = await (logOdds.predict(tf.zeros([1, 30])) as tf.Tensor).data();

const options = { target: 0, baselines: 0, perturbationsPerEval: 30 };
const t0 = Date.now();
const shapley = must(await shapleyValueSampling(logOdds, x, { ...options, nSamples: 50, seed: 1 }));
const t1 = Date.now();
const ablation = must(await featureAblation(logOdds, x, options));
const t2 = Date.now();
console.log(`Shapley value sampling (50 permutations of 30 features: 1500 evaluations per patient) in ${((t1 - t0) / 1000).toFixed(1)} s; feature ablation in ${((t2 - t1) / 1000).toFixed(1)} s`);
const [sv, fa] = [(await shapley.array()) as number[][], (await ablation.array()) as number[][]];

const pad = (s: string, n: number) => s.padEnd(n);
const num = (v: number) => (v >= 0 ? '+' : '') + v.toFixed(4);
picks.forEach((row, k) => {
  const truth = test[row]![30] === 1 ? 'benign' : 'malignant';
  const total = sv[k]!.reduce((a, b) => a + b, 0);
  console.log(`\npatient ${row} of the test set (${truth}): P(benign) = ${probs[k]!.toFixed(3)}, log-odds ${num(logits[k]!)} (mean patient ${num(base[0]!)})`);
  console.log(`  the Shapley values sum to ${num(total)} = log-odds - log-odds of the mean patient = ${num(logits[k]! - base[0]!)}`);
  console.log(`  ${pad('rank', 5)}${pad('feature', 26)}${pad('value', 10)}${pad('Shapley', 10)}ablation`);
  const order = NAMES.map((_, j) => j).sort((a, b) => Math.abs(sv[k]![b]!) - Math.abs(sv[k]![a]!));
  order.slice(0, 8).forEach((j, r) => {
    console.log(`  ${pad(String(r + 1), 5)}${pad(NAMES[j]!, 26)}${pad(String(test[row]![j]), 10)}${pad(num(sv[k]![j]!), 10)}${num(fa[k]![j]!)}`);
  });
});
tf.dispose([xTrain, yTrain, xTest, yTest, x, shapley, ablation, accuracy!]);
