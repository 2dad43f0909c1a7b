// A tf.LayersModel (sequential or functional, nested models included) as a forward function whose
// non-linear layers are rule ops (engine/attribution-rules.ts): the model's own graph is run by
// layers-graph.ts with the rules as its call hook (`ruleHook`, also what layer-reach.ts uses when a
// layer is reached under a rule method), each layer computed by its own `call` with its own
// weights. Nothing of the model is changed or copied:
// - activation layers (Activation, ReLU, LeakyReLU, ELU, Softmax) and max-pooling layers become
//   rule ops whose forward is the layer's own computation;
// - an activation fused into a dense or convolution layer is split off: the layer's `call` runs on
//   a view of the layer (`Object.create(layer)`) whose `activation` is the identity, and the
//   activation follows as a rule op, as Captum sees `nn.Linear` then `nn.ReLU`;
// - every other layer runs its own `call`, with plain gradients (Captum: no rule).
// tfjs-layers is not a dependency: the model is recognised by its shape (`inputs`, `outputs` and
// the layers' inbound nodes).
import type * as tf from '@tensorflow/tfjs-core';
import * as tfc from '@tensorflow/tfjs-core';
import { describeValue, isTensor } from '../core/arguments.js';
import { fail, ok, type Result } from '../core/validation.js';
import { activationRuleOp, applyRuleOp, leakyReluRuleOp, maxPoolRuleOp, reluRuleOp, type RuleMethod } from './attribution-rules.js';
import type { PoolGeometry } from './max-pool-vjp.js';
import { type Graph, graphOf, type GraphHooks, inputFeeds, runGraph } from './layers-graph.js';
import type { ForwardFunction, Model } from './model.js';

interface ActivationLike {
  getClassName(): string;
  apply(x: tf.Tensor, ...rest: unknown[]): tf.Tensor;
}
/** A layer as the rules read it: its class, its fused activation and its configuration fields. */
interface RuledLayer {
  readonly name: string;
  getClassName(): string;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
  readonly activation?: ActivationLike | null;
  readonly [key: string]: unknown;
}

/** Layers whose `activation` is applied last in their `call`, so it can be split off. */
const SPLITTABLE = new Set(['Dense', 'Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'Conv3DTranspose', 'DepthwiseConv2D', 'SeparableConv1D', 'SeparableConv2D']);
const IDENTITY: ActivationLike & { getConfig(): object } = { getClassName: () => 'linear', apply: (x) => x, getConfig: () => ({}) };

const pair = (v: unknown, k: number): number[] => (Array.isArray(v) ? (v as number[]) : Array.from({ length: k }, () => v as number));

/** The max-pool geometry of a tfjs-layers pooling layer, in tfjs's channels-last pool layout. */
function poolGeometry(layer: RuledLayer): PoolGeometry | undefined {
  const cls = layer.getClassName();
  const pad = layer['padding'] === 'same' ? 'same' : 'valid';
  const first = layer['dataFormat'] === 'channelsFirst';
  if (cls === 'MaxPooling1D') {
    const p = pair(layer['poolSize'], 1)[0]!;
    const s = pair(layer['strides'], 1)[0]!;
    return { spatialRank: 2, filterSize: [p, 1], strides: [s, 1], pad, toPool: (t) => tfc.expandDims(t, 2), fromPool: (t) => tfc.squeeze(t, [2]) };
  }
  if (cls === 'MaxPooling2D') {
    return {
      spatialRank: 2,
      filterSize: pair(layer['poolSize'], 2),
      strides: pair(layer['strides'], 2),
      pad,
      ...(first ? { toPool: (t: tf.Tensor) => tfc.transpose(t, [0, 2, 3, 1]), fromPool: (t: tf.Tensor) => tfc.transpose(t, [0, 3, 1, 2]) } : {}),
    };
  }
  if (cls === 'MaxPooling3D') {
    return {
      spatialRank: 3,
      filterSize: pair(layer['poolSize'], 3),
      strides: pair(layer['strides'], 3),
      pad,
      ...(first ? { toPool: (t: tf.Tensor) => tfc.transpose(t, [0, 2, 3, 4, 1]), fromPool: (t: tf.Tensor) => tfc.transpose(t, [0, 4, 1, 2, 3]) } : {}),
    };
  }
  return undefined;
}

/** How one layer runs under a rule scope: `rule` says whether a rule applies to it for `method`. */
function layerRule(layer: RuledLayer, kwargs: Record<string, unknown>, method: RuleMethod): ((x: tf.Tensor) => tf.Tensor) | undefined {
  const cls = layer.getClassName();
  const reluOnly = method !== 'deepLift';
  const run = (x: tf.Tensor): tf.Tensor => layer.call(x, kwargs) as tf.Tensor;
  const activationRule = (activation: ActivationLike | null | undefined) => {
    const name = activation?.getClassName();
    if (name === undefined || (reluOnly && name !== 'relu')) return undefined;
    return activationRuleOp(name);
  };
  if (cls === 'Activation') {
    const op = activationRule(layer.activation);
    return op && ((x) => applyRuleOp({ ...op, forward: run }, x));
  }
  if (cls === 'ReLU') return layer['maxValue'] == null ? (x) => applyRuleOp({ ...reluRuleOp, forward: run }, x) : undefined;
  if (reluOnly) {
    if (!SPLITTABLE.has(cls)) return undefined;
  } else {
    if (cls === 'LeakyReLU') return (x) => applyRuleOp({ ...leakyReluRuleOp(Number(layer['alpha'])), forward: run }, x);
    if (cls === 'ELU') return Number(layer['alpha'] ?? 1) === 1 ? (x) => applyRuleOp({ ...activationRuleOp('elu')!, forward: run }, x) : undefined;
    if (cls === 'Softmax') {
      const axis = layer['axis'];
      const single = typeof axis === 'number' ? axis : Array.isArray(axis) && axis.length === 1 ? (axis[0] as number) : undefined;
      if (single === undefined || kwargs['mask'] != null) return undefined;
      return (x) => applyRuleOp({ ...activationRuleOp('softmax', single)!, forward: run }, x);
    }
    const geometry = poolGeometry(layer);
    if (geometry !== undefined) return (x) => applyRuleOp(maxPoolRuleOp(`layer '${layer.name}'`, geometry, run), x);
  }
  if (SPLITTABLE.has(cls)) {
    const op = activationRule(layer.activation);
    if (op === undefined) return undefined;
    const linear = Object.create(layer, { activation: { value: IDENTITY } }) as RuledLayer; // the layer's own call and weights, activation left out
    return (x) => applyRuleOp(op, layer.call.call(linear, x, kwargs) as tf.Tensor);
  }
  return undefined;
}

const listOf = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const classOf = (layer: unknown): string | undefined => {
  const l = layer as Partial<RuledLayer>;
  return typeof l.getClassName === 'function' ? l.getClassName() : undefined;
};

/** Runs `graph` on concrete tensors with the rules of `method` (under the active scope). */
function walk(graph: Graph, inputs: readonly tf.Tensor[], method: RuleMethod): tf.Tensor[] {
  if (inputs.length !== graph.inputs.length) throw new Error(`the model takes ${graph.inputs.length} inputs, got ${inputs.length}`);
  return runGraph(inputFeeds(graph, inputs), graph.outputs, { call: ruleHook(method) });
}

/** Layers under a DeepLift rule that the graph calls more than once (nested models included), with their counts. */
function reusedRuleLayers(graph: Graph, counts = new Map<RuledLayer, number>()): Map<RuledLayer, number> {
  for (const node of graph.nodes) {
    const layer = node.outboundLayer as unknown as RuledLayer;
    const cls = classOf(layer);
    if (cls === undefined || cls === 'InputLayer') continue;
    const nested = graphOf(layer);
    if (nested !== undefined) reusedRuleLayers(nested, counts);
    else if (node.inputTensors.length === 1 && layerRule(layer, {}, 'deepLift') !== undefined) counts.set(layer, (counts.get(layer) ?? 0) + 1);
  }
  return counts;
}

/**
 * The model to differentiate under `method`'s rules: a tfjs-layers model becomes a forward function
 * walking its graph with rule ops; any other model is used as it is (a forward function sees the
 * rules through {@link attributionOps}; a predict() model gets plain gradients). Refuses, as
 * Captum does, a DeepLift non-linear layer called at more than one place, and extra arguments
 * that are not tensors for a tfjs-layers model.
 */
export function ruleModel(model: Model, method: RuleMethod, args: readonly unknown[]): Result<Model> {
  const graph = graphOf(model);
  if (graph === undefined) return ok(model);
  const notTensor = args.find((a) => !isTensor(a));
  if (args.length > 0 && notTensor !== undefined) {
    return fail({
      _tag: 'InvalidArgument',
      path: 'additionalForwardArgs',
      expected: 'only tensors for a tf.LayersModel or predict() model (they become extra model inputs); use a forward function for other arguments',
      got: describeValue(notTensor),
    });
  }
  if (method === 'deepLift') {
    for (const [layer, count] of reusedRuleLayers(graph)) {
      if (count > 1) {
        return fail({
          _tag: 'InvalidArgument',
          path: 'model',
          expected: 'each non-linear layer called once (DeepLift keeps one input/output record per layer; Captum raises RuntimeError for a reused module)',
          got: `layer '${layer.name}' (${layer.getClassName()}) called at ${count} places; give each place its own layer`,
        });
      }
    }
  }
  const forward = (...tensors: tf.Tensor[]): tf.Tensor | tf.Tensor[] => {
    const outs = walk(graph, tensors, method);
    return outs.length === 1 ? outs[0]! : outs;
  };
  return ok(forward as unknown as ForwardFunction);
}

/**
 * The graph call hook of `method`'s rules (see layers-graph.ts), for every code that runs a
 * tfjs-layers graph under a rule method: a nested model is walked with the rules, a layer with a
 * rule runs as its rule op; undefined (the layer's own `call`) when the layer has no rule.
 */
export function ruleHook(method: RuleMethod): NonNullable<GraphHooks['call']> {
  return (node, inputs, kwargs, inputReplaced) => {
    const layer = node.outboundLayer as unknown as RuledLayer;
    const cls = classOf(layer);
    if (cls === undefined || cls === 'InputLayer') return undefined;
    // Captum: a layer method's pre-hook replaces the layer's input after the rule's own pre-hook has
    // hooked the original, so a rule acting on that input is left out (a fused activation, which acts
    // on the layer's linear output, keeps its rule).
    if (inputReplaced && !SPLITTABLE.has(cls)) return undefined;
    const nested = graphOf(layer);
    if (nested !== undefined) return walk(nested, inputs, method);
    const rule = inputs.length === 1 ? layerRule(layer, kwargs, method) : undefined;
    return rule === undefined ? undefined : listOf(rule(inputs[0]!));
  };
}
