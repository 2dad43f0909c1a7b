// The reference models as forward functions whose non-linearities are the library's rule ops
// (attributionOps), as a user marks them for DeepLift, GuidedBackprop and Deconvolution: models.ts's
// forward functions and stages, with attributionOps in place of the plain tf ops.
import { attributionOps, type Model, namedStages } from '../../src/index.js';
import { forwardOf, type ModelOps, modelSpecs, stagesOf } from './models.js';

const ops: ModelOps = {
  relu: (x) => attributionOps.relu(x),
  sigmoid: (x) => attributionOps.sigmoid(x),
  tanh: (x) => attributionOps.tanh(x),
  softmax: (x) => attributionOps.softmax(x),
  maxPool: (x, filterSize, strides, pad) => attributionOps.maxPool(x, filterSize, strides, pad),
};

const stagedCache = new Map<string, Model>();
/** A reference model as a namedStages model (one stage per layer, named as the layer) written with attributionOps. */
export function markedStagesFor(name: string): Model {
  let m = stagedCache.get(name);
  if (m === undefined) {
    const r = namedStages(stagesOf(name, ops), { inputs: modelSpecs[name]?.inputShapes.length ?? 1 });
    if (r._tag === 'Left') throw new Error(`stages of ${name}`);
    m = r.right;
    stagedCache.set(name, m);
  }
  return m;
}

const cache = new Map<string, Model>();
/** A reference model as a forward function written with attributionOps, built once per process. */
export function markedModelFor(name: string): Model {
  let m = cache.get(name);
  if (m === undefined) {
    m = forwardOf(name, ops) as unknown as Model;
    cache.set(name, m);
  }
  return m;
}
