// The reference models in the two forms layer and neuron methods can reach inside: tf.LayersModels
// (layers named as in the spec) and forward functions cut into named stages.
import { type Model, namedStages } from '../../src/index.js';
import type { ReferenceCase } from './fixtures.js';
import { expectRight } from './harness.js';
import { modelSpecs, stagesOf } from './models.js';

const staged = new Map<string, Model>();
/** The case's model as a namedStages forward function, built once per process. */
export function stagedModelFor(c: ReferenceCase): Model {
  const name = c.model as string;
  let m = staged.get(name);
  if (m === undefined) {
    m = expectRight(namedStages(stagesOf(name), { inputs: modelSpecs[name]!.inputShapes.length }), `stages of ${name}`);
    staged.set(name, m);
  }
  return m;
}
