// Trains the digits CNN on the first 1500 images and saves it to examples/data/digits-cnn.json,
// which `npm start` loads. Run: npm run train:digits (about 3 minutes on 2 cores). Seeded initial
// weights and a fixed data order; float summation order still makes runs differ in the last bits.
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { initBackend, message } from '../../src/index.js';
import { loadDigits, TRAIN_COUNT } from './data.js';
import { digitsCnn, toSaved, WEIGHTS_FILE } from './model.js';

const backend = await initBackend({ prefer: ['wasm', 'cpu'] });
if (backend._tag === 'Left') throw new Error(message(backend.left));
console.log(`training on ${backend.right.backend}`);

const digits = loadDigits();
const images = tf.tensor4d(digits.pixels, [digits.count, 8, 8, 1]);
const labels = tf.oneHot(tf.tensor1d(digits.labels, 'int32'), 10);
const [trainX, testX] = tf.split(images, [TRAIN_COUNT, digits.count - TRAIN_COUNT]);
const [trainY, testY] = tf.split(labels, [TRAIN_COUNT, digits.count - TRAIN_COUNT]);

const model = digitsCnn();
model.compile({ optimizer: 'adam', loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred), metrics: ['accuracy'] });
await model.fit(trainX!, trainY!, { epochs: 100, batchSize: 32, shuffle: false, verbose: 0,
  callbacks: { onEpochEnd: async (epoch, logs) => console.log(`epoch ${epoch + 1}: loss ${logs?.['loss']?.toFixed(4)}`) } });

const predicted = tf.argMax(model.predict(testX!) as tf.Tensor, 1);
const truth = tf.argMax(testY!, 1);
const accuracy = (await tf.mean(tf.cast(tf.equal(predicted, truth), 'float32')).data())[0] as number;
console.log(`test accuracy on the ${digits.count - TRAIN_COUNT} held-out digits: ${(accuracy * 100).toFixed(1)}%`);

await model.save(tf.io.withSaveHandler(async (artifacts) => {
  writeFileSync(WEIGHTS_FILE, JSON.stringify(toSaved(artifacts, accuracy)));
  return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
}));
console.log(`saved ${WEIGHTS_FILE.pathname}`);
