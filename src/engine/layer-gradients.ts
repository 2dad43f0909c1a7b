// Gradients that involve a layer: Captum's `compute_layer_gradients_and_eval` (the selected output
// differentiated with respect to a layer's tensors) and `_neuron_gradients` (one neuron per example
// differentiated with respect to the inputs). Synchronous: run inside `tf.tidy`.
import * as tf from '@tensorflow/tfjs-core';
import { errorText } from '../core/validation.js';
import { selectResolved } from '../target/select-target.js';
import type { ResolvedTarget } from '../target/target.js';
import { releaseAbandonedTape, requireScalarPerExample } from './gradients.js';
import type { ReachedLayer, ReachedLayers } from './layer-reach.js';
import { isModelFailure, ModelFailure } from './model.js';
import { type CheckedSelector, selectNeuron } from './neuron-selector.js';
import type { ModelCall } from './run-forward.js';

function gradientsOrFail(f: () => tf.Tensor[], path: string, what: string): tf.Tensor[] {
  try {
    return f();
  } catch (e) {
    releaseAbandonedTape();
    if (isModelFailure(e)) throw e;
    throw new ModelFailure({ _tag: 'GradientUnavailable', path, message: `${what}${errorText(e)}` });
  }
}

/** The target-selected output when the layer's tensors are `value`: one scalar per example. */
export function selectedFrom(reached: ReachedLayer, call: ModelCall, resolved: ResolvedTarget, value: readonly tf.Tensor[]): tf.Tensor {
  const selected = selectResolved(reached.runFrom(call, value), resolved);
  if (selected._tag === 'Left') throw new ModelFailure(selected.left[0]);
  requireScalarPerExample(selected.right);
  // A layer whose value is the output itself: an op between them, so the gradient has a path to follow.
  return value.includes(selected.right) ? tf.clone(selected.right) : selected.right;
}

/**
 * The layer's tensors `a` for this call and `∂ Σ_rows F / ∂ a` (F the target-selected output, one
 * scalar per example), each a list with one entry per layer tensor.
 */
export function layerGradientsAndValues(reached: ReachedLayer, call: ModelCall, resolved: ResolvedTarget): { grads: tf.Tensor[]; values: tf.Tensor[] } {
  const values = reached.valueOf(call);
  const grads = gradientsOrFail(() => tf.grads((...a: tf.Tensor[]) => selectedFrom(reached, call, resolved, a))(values), 'options.layer', `layer '${reached.name}': `);
  return { grads, values };
}

/** `∂ Σ_rows F / ∂ value` for given layer tensors. */
export function layerGradientsAt(reached: ReachedLayer, call: ModelCall, resolved: ResolvedTarget, value: readonly tf.Tensor[]): tf.Tensor[] {
  return gradientsOrFail(() => tf.grads((...a: tf.Tensor[]) => selectedFrom(reached, call, resolved, a))([...value]), 'options.layer', `layer '${reached.name}': `);
}

/** `∂ Σ_rows a_n / ∂ x` for every input `x`, `a_n` the selected neuron of the layer. */
export function neuronGradientsOf(reached: ReachedLayer, call: ModelCall, selector: CheckedSelector): tf.Tensor[] {
  return gradientsOrFail(
    () => tf.grads((...xs: tf.Tensor[]) => selectNeuron(reached.valueOf({ ...call, inputs: xs }), selector))([...call.inputs]),
    'inputs',
    '',
  );
}

/** `∂ Σ_rows F / ∂ values` when several layers are replaced together (grouped per layer, as `values`). */
export function jointGradientsAt(reached: ReachedLayers, call: ModelCall, resolved: ResolvedTarget, values: readonly (readonly tf.Tensor[])[]): tf.Tensor[][] {
  const counts = values.map((g) => g.length);
  const regroup = (flat: readonly tf.Tensor[]): tf.Tensor[][] => {
    let at = 0;
    return counts.map((k) => flat.slice(at, (at += k)));
  };
  const names = reached.layers.map((l) => `'${l.name}'`).join(', ');
  const what = reached.layers.length === 1 ? `layer ${names}: ` : `layers ${names} (each listed layer must reach the output other than through another listed layer, as in Captum): `;
  const grads = gradientsOrFail(
    () =>
      tf.grads((...a: tf.Tensor[]) => {
        const selected = selectResolved(reached.runFrom(call, regroup(a)), resolved);
        if (selected._tag === 'Left') throw new ModelFailure(selected.left[0]);
        requireScalarPerExample(selected.right);
        return a.includes(selected.right) ? tf.clone(selected.right) : selected.right;
      })(values.flat()),
    'options.layer',
    what,
  );
  return regroup(grads);
}
