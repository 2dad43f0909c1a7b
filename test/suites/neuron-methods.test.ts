// Neuron methods against Captum's numbers (algorithms.json), through forward functions cut into named
// stages and through the same models as tf.LayersModels.
import { suite } from 'uvu';
import { neuronConductance, neuronGradient, neuronIntegratedGradients } from '../../src/index.js';
import { loadCases } from '../support/fixtures.js';
import { parityCases } from '../support/harness.js';
import { stagedModelFor } from '../support/layer-models.js';
import { checkMethodCase, layersModelFor, type MethodCall, runsAsLayersModel } from '../support/method-cases.js';

const cases = loadCases('algorithms.json');
export const NEURON_METHODS: Readonly<Record<string, MethodCall>> = {
  NeuronGradient: (m, x, o) => neuronGradient(m, x, o as never),
  NeuronIntegratedGradients: (m, x, o) => neuronIntegratedGradients(m, x, o as never),
  NeuronConductance: (m, x, o) => neuronConductance(m, x, o as never),
};
for (const [op, call] of Object.entries(NEURON_METHODS)) {
  const mine = cases.filter((c) => c.op === op);
  parityCases(`${op}[stages]`, mine, (c) => checkMethodCase(c, stagedModelFor(c), call));
  parityCases(`${op}[LayersModel]`, mine.filter(runsAsLayersModel), (c) => checkMethodCase(c, layersModelFor(c.model as string)!, call));
}

const s = suite('neuron methods');
s.run();
