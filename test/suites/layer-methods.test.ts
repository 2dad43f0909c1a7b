// Layer methods against Captum's numbers (algorithms.json), through forward functions cut into named
// stages and through the same models as tf.LayersModels (layers named as in the spec).
import { suite } from 'uvu';
import {
  internalInfluence,
  layerActivation,
  layerConductance,
  layerGradCam,
  layerGradientXActivation,
  layerIntegratedGradients,
} from '../../src/index.js';
import { loadCases } from '../support/fixtures.js';
import { parityCases } from '../support/harness.js';
import { stagedModelFor } from '../support/layer-models.js';
import { checkMethodCase, layersModelFor, type MethodCall, runsAsLayersModel } from '../support/method-cases.js';

const cases = loadCases('algorithms.json');
export const LAYER_METHODS: Readonly<Record<string, MethodCall>> = {
  LayerActivation: (m, x, o) => layerActivation(m, x, o as never),
  LayerGradientXActivation: (m, x, o) => layerGradientXActivation(m, x, o as never),
  LayerGradCam: (m, x, o) => layerGradCam(m, x, o as never),
  LayerConductance: (m, x, o) => layerConductance(m, x, o as never),
  LayerIntegratedGradients: (m, x, o) => layerIntegratedGradients(m, x, o as never),
  InternalInfluence: (m, x, o) => internalInfluence(m, x, o as never),
};
for (const [op, call] of Object.entries(LAYER_METHODS)) {
  const mine = cases.filter((c) => c.op === op);
  parityCases(`${op}[stages]`, mine, (c) => checkMethodCase(c, stagedModelFor(c), call));
  parityCases(`${op}[LayersModel]`, mine.filter(runsAsLayersModel), (c) => checkMethodCase(c, layersModelFor(c.model as string)!, call));
}

const s = suite('layer methods');
s.run();
