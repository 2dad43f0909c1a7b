// Reaching inside a model: the value of one of its layers (the tensors the layer returns, or the
// tensors it receives), and the model's output when that value is replaced. Two kinds of model have
// layers to reach:
//   - a tf.LayersModel (sequential or functional, branches included): its own graph is run by
//     layers-graph.ts, the value read by capture and replaced by feeding it (or, for a layer's
//     input, by replacing what the node receives); under a rule method the rule ops of
//     layers-walk.ts run as the graph's call hook;
//   - a forward function cut into named stages with `namedStages`.
// Evaluation is lazy: running "from" a replaced layer value computes only what the rest of the model
// needs (a branch that bypasses the layer still runs on the real inputs, as it does in Captum, where
// the hooked layer's own output is replaced).
import type * as tf from '@tensorflow/tfjs-core';
import { describeValue, isTensor } from '../core/arguments.js';
import type { AttributionError } from '../core/errors.js';
import { formatShape } from '../core/tensors.js';
import { errorText, fail, ok, type Result } from '../core/validation.js';
import { isModelFailure, ModelFailure } from './model.js';
import { runStage, runStagesFrom, type StageList, stagesOf } from './named-stages.js';
import { type RuleMethod, withoutRules } from './attribution-rules.js';
import { type Computed, type Graph, graphOf, type GraphHooks, inputFeeds, type NodeLike, runGraph } from './layers-graph.js';
import { ruleHook } from './layers-walk.js';
import type { ModelCall } from './run-forward.js';

/**
 * A layer to reach: its name, or the layer itself (a `tf.layers.Layer` of a `tf.LayersModel`, or a
 * stage object given to {@link namedStages}).
 *
 * @example
 * const byName: LayerRef = 'conv1';
 * const fc1 = { name: 'fc1', fn: (x: tf.Tensor) => tf.relu(x) };
 * const byObject: LayerRef = fc1; // as given to namedStages; for a tf.LayersModel, model.getLayer('conv1')
 */
export type LayerRef = string | object;

/** Which tensors of a layer: what it returns (Captum's default) or what it receives (`attribute_to_layer_input`). */
export type LayerSide = 'output' | 'input';

/** A layer found in a model, ready to be read and replaced. Every method is synchronous: run it inside `tf.tidy`. */
export interface ReachedLayer {
  readonly name: string;
  readonly side: LayerSide;
  /** The layer's tensors for this call (one per tensor the layer returns or receives). */
  valueOf(call: ModelCall): tf.Tensor[];
  /** The model's output when the layer's tensors are `value` (same count and shapes as {@link valueOf}'s). */
  runFrom(call: ModelCall, value: readonly tf.Tensor[]): tf.Tensor;
  /** Where the layer is, for replacing several layers at once ({@link reachJointly}). */
  readonly where: LayerPlace;
  /**
   * The same layer in the model as a rule method (DeepLift, GuidedBackprop, Deconvolution) sees it:
   * a tf.LayersModel's non-linear layers run as rule ops (active under `withRules`); a namedStages
   * model is unchanged (its stages mark their own ops with attributionOps).
   */
  ruled(method: RuleMethod): ReachedLayer;
}

/** Where a reached layer sits: a node of a tf.LayersModel's graph, or a stage of a namedStages model. */
export type LayerPlace =
  | { readonly kind: 'graph'; readonly graph: Graph; readonly node: NodeLike }
  | { readonly kind: 'stages'; readonly list: StageList; readonly index: number };

/**
 * Several layers of one model, read and replaced together (Captum's multi-layer hooks: every listed
 * layer's tensors are replaced in the same forward pass). Values are grouped per layer, in order.
 */
export interface ReachedLayers {
  readonly layers: readonly ReachedLayer[];
  /** Each layer's tensors for this call. */
  valueOf(call: ModelCall): tf.Tensor[][];
  /** The model's output when every layer's tensors are replaced by its group of `values`. */
  runFrom(call: ModelCall, values: readonly (readonly tf.Tensor[])[]): tf.Tensor;
}

// ---- checks shared by both kinds of model ----------------------------------------------------

/** Runs model code; anything it throws (other than our own failures) is the model's failure. */
export function asModel<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isModelFailure(e)) throw e;
    throw new ModelFailure({ _tag: 'ModelThrew', path: 'model', message: errorText(e) });
  }
}

function checkOutput(outputs: readonly tf.Tensor[]): tf.Tensor {
  const [out] = outputs;
  if (outputs.length !== 1 || out === undefined || !isTensor(out) || out.isDisposed) {
    const got = outputs.length !== 1 ? `${outputs.length} outputs (wrap the model to pick one)` : describeValue(out);
    throw new ModelFailure({ _tag: 'ModelOutputInvalid', path: 'model', expected: 'one tensor', got });
  }
  if (out.dtype !== 'float32' && out.dtype !== 'int32') {
    throw new ModelFailure({ _tag: 'ModelOutputInvalid', path: 'model', expected: 'a float32 or int32 tensor', got: `a ${out.dtype} tensor of shape ${formatShape(out.shape)}` });
  }
  return out;
}

/**
 * A layer's tensors must hold one row per example of the call (the methods attribute per row):
 * a layer of another batch size (a 0-d value, a constant the model keeps) is ModelOutputInvalid.
 */
function checkRows(values: tf.Tensor[], call: ModelCall, name: string): tf.Tensor[] {
  for (const v of values) {
    if (v.rank === 0 || v.shape[0] !== call.batchSize) {
      throw new ModelFailure({
        _tag: 'ModelOutputInvalid',
        path: 'model',
        expected: `layer '${name}' to give tensors of ${call.batchSize} rows (one per example), shape [${call.batchSize}, ...]`,
        got: `shape ${formatShape(v.shape)}`,
      });
    }
  }
  return values;
}

function checkValue(value: readonly tf.Tensor[], expected: number, name: string): void {
  if (value.length !== expected) throw new Error(`layer '${name}' has ${expected} tensor(s), got ${value.length} to replace them`);
}

// ---- the two kinds of reachable model ----------------------------------------------------------

/** The model's inputs (and tensor extra arguments) as feeds of its graph; throws a ModelFailure otherwise. */
function feedsOf(graph: Graph, call: ModelCall): Map<number, tf.Tensor> {
  {
    const all = [...call.inputs, ...call.args];
    const bad = all.find((a) => !isTensor(a));
    if (bad !== undefined) {
      throw new ModelFailure({
        _tag: 'InvalidArgument',
        path: 'additionalForwardArgs',
        expected: 'only tensors for a tf.LayersModel (they become extra model inputs); use a forward function for other arguments',
        got: describeValue(bad),
      });
    }
    if (all.length !== graph.inputs.length) {
      throw new ModelFailure({ _tag: 'ModelThrew', path: 'model', message: `the model takes ${graph.inputs.length} input tensor(s), got ${all.length} (inputs and tensor additionalForwardArgs)` });
    }
    return inputFeeds(graph, all as tf.Tensor[]);
  }
}

/** The graph's hooks under a rule method (none without). */
const rulesHooks = (rules: RuleMethod | undefined, hooks: GraphHooks = {}): GraphHooks => (rules === undefined ? hooks : { ...hooks, call: ruleHook(rules) });

/** Every tensor of the graph for this call (id -> value), computed as the model computes them. Synchronous. */
export function graphValues(graph: Graph, call: ModelCall): Map<number, tf.Tensor> {
  return asModel(() => {
    const memo = new Map<number, Computed>();
    runGraph(feedsOf(graph, call), graph.outputs, { memo });
    return new Map([...memo].map(([id, c]) => [id, c.t]));
  });
}

function reachInGraph(graph: Graph, node: NodeLike, side: LayerSide, rules?: RuleMethod): ReachedLayer {
  const name = node.outboundLayer.name;
  const own = side === 'output' ? node.outputTensors : node.inputTensors;
  return {
    name,
    side,
    where: { kind: 'graph', graph, node },
    valueOf: (call) => asModel(() => checkRows(runGraph(feedsOf(graph, call), own, rulesHooks(rules)), call, name)),
    runFrom: (call, value) =>
      asModel(() => {
        checkValue(value, own.length, name);
        const feeds = feedsOf(graph, call);
        if (side === 'input') return checkOutput(runGraph(feeds, graph.outputs, rulesHooks(rules, { replaceInputs: new Map([[node, value]]) })));
        own.forEach((st, i) => feeds.set(st.id, value[i]!));
        return checkOutput(runGraph(feeds, graph.outputs, rulesHooks(rules)));
      }),
    ruled: (method) => reachInGraph(graph, node, side, method),
  };
}

function reachInStages(list: StageList, index: number, side: LayerSide): ReachedLayer {
  const reached = stagesReach(list, index, side);
  return { ...reached, ruled: () => reachInStages(list, index, side) };
}

function stagesReach(list: StageList, index: number, side: LayerSide): Omit<ReachedLayer, 'ruled'> {
  const name = list.stages[index]!.name ?? `stage ${index}`;
  const split = (call: ModelCall): { inputs: tf.Tensor[]; args: unknown[] } => {
    const all = [...call.inputs, ...call.args];
    return { inputs: all.slice(0, list.inputCount) as tf.Tensor[], args: all.slice(list.inputCount) };
  };
  // The stage whose input is the layer value: this one for its input, the next for its output.
  const from = side === 'output' ? index + 1 : index;
  const upTo = (call: ModelCall): tf.Tensor[] => {
    const { inputs, args } = split(call);
    const prefix: StageList = { ...list, stages: list.stages.slice(0, from) };
    return runStagesFrom(prefix, 0, inputs, args);
  };
  return {
    name,
    side,
    where: { kind: 'stages', list, index },
    valueOf: (call) => asModel(() => checkRows(upTo(call), call, name)),
    runFrom: (call, value) =>
      asModel(() => {
        const { args } = split(call);
        if (side === 'output' || from >= list.stages.length) return checkOutput(runStagesFrom(list, from, value, args));
        // The stage whose input is replaced runs without rules, as Captum's hook order leaves it (see ruleHook).
        const first = withoutRules(() => runStage(list.stages[from]!, from, value, args));
        return checkOutput(runStagesFrom(list, from + 1, first, args));
      }),
  };
}

/** The refusal of a model that is neither a tf.LayersModel nor a namedStages model (`what` says what was needed). */
export function withoutLayers(model: unknown, what: string): Result<never> {
  return fail({
    _tag: 'InvalidArgument',
    path: 'model',
    expected: `${what}: a tf.LayersModel, or a forward function cut into stages with namedStages([...])`,
    got: typeof model === 'function' ? 'a forward function without named stages' : describeValue(model),
  });
}

const layerNameOf = (layer: unknown): string => {
  try {
    const n = (layer as { name?: unknown }).name;
    return typeof n === 'string' ? n : '';
  } catch {
    return '';
  }
};

function notFound(path: string, layer: unknown, names: readonly string[]): Result<never> {
  const list = names.length === 0 ? 'the model has no named layers' : `one of the model's layers: ${names.join(', ')}`;
  const got = typeof layer === 'string' ? `'${layer}', which is not one of them` : typeof layer === 'object' && layer !== null ? `a layer object that is not in the model${layerNameOf(layer) ? ` ('${layerNameOf(layer)}')` : ''}` : describeValue(layer);
  return fail({ _tag: 'InvalidArgument', path, expected: `a layer name or layer object: ${list}`, got });
}

/**
 * Finds `layer` in `model` and returns how to read and replace its tensors (`side`). The model
 * must be a `tf.LayersModel` or a {@link namedStages} model. Errors name `path`: a name that is not
 * there lists the available layers; a layer the model calls more than once (a shared layer) is
 * refused, since which call is meant is ambiguous (Captum's hooks would keep the last call's tensor).
 */
export function reachLayer(model: unknown, layer: unknown, side: LayerSide, path = 'options.layer'): Result<ReachedLayer> {
  if (layer === undefined || (typeof layer !== 'string' && (typeof layer !== 'object' || layer === null))) {
    return fail({ _tag: 'InvalidArgument', path, expected: 'a layer: its name, or the layer object', got: describeValue(layer) });
  }
  const stages = stagesOf(model);
  if (stages !== undefined) {
    const names = stages.stages.flatMap((s) => (s.name === undefined ? [] : [s.name]));
    const index = typeof layer === 'string' ? stages.stages.findIndex((s) => s.name === layer) : stages.originals.indexOf(layer);
    return index < 0 ? notFound(path, layer, names) : ok(reachInStages(stages, index, side));
  }
  const graph = graphOf(model);
  if (graph === undefined) {
    return withoutLayers(model, 'a model with layers to reach');
  }
  let names: string[];
  let matches: NodeLike[];
  try {
    names = [...new Set(graph.nodes.map((n) => n.outboundLayer.name))];
    matches = graph.nodes.filter((n) => (typeof layer === 'string' ? n.outboundLayer.name === layer : n.outboundLayer === layer));
  } catch (e) {
    return fail({ _tag: 'InvalidArgument', path: 'model', expected: 'a tf.LayersModel whose graph can be read', got: `a model whose graph throws (${errorText(e)})` });
  }
  const [node] = matches;
  if (node === undefined) return notFound(path, layer, names);
  if (matches.length > 1) {
    const error: AttributionError = {
      _tag: 'InvalidArgument',
      path,
      expected: 'a layer the model calls once (reach a shared layer through a model that calls it once)',
      got: `layer '${node.outboundLayer.name}', which the model calls ${matches.length} times`,
    };
    return fail(error);
  }
  return ok(reachInGraph(graph, node, side));
}

/**
 * Layers of one model (all on the same side) read and replaced together, as Captum's hooks on a
 * list of layers replace every listed layer in one forward pass. A layer listed twice is refused
 * (which of its two replacements applies would be ambiguous). Errors name `options.layer[i]`.
 */
export function reachJointly(layers: readonly ReachedLayer[], path = 'options.layer'): Result<ReachedLayers> {
  const seen = new Map<unknown, number>();
  for (const [i, l] of layers.entries()) {
    const key = l.where.kind === 'graph' ? l.where.node : l.where.index;
    const first = seen.get(key);
    if (first !== undefined) {
      return fail({ _tag: 'InvalidArgument', path: `${path}[${i}]`, expected: 'each layer once in the list of layers', got: `layer '${l.name}' again (it is also ${path}[${first}])` });
    }
    seen.set(key, i);
  }
  const valueOf = (call: ModelCall): tf.Tensor[][] => layers.map((l) => l.valueOf(call));
  const [first] = layers;
  if (first === undefined) return fail({ _tag: 'InvalidArgument', path, expected: 'at least one layer', got: 'an empty array' });
  if (layers.length === 1) return ok({ layers, valueOf, runFrom: (call, values) => first.runFrom(call, values[0] ?? []) });
  const side = first.side;
  const where = first.where;
  if (where.kind === 'graph') {
    const graph = where.graph;
    const places = layers.map((l) => (l.where as { node: NodeLike }).node);
    return ok({
      layers,
      valueOf,
      runFrom: (call, values) =>
        asModel(() => {
          const feeds = feedsOf(graph, call);
          places.forEach((node, k) => {
            const own = side === 'output' ? node.outputTensors : node.inputTensors;
            checkValue(values[k] ?? [], own.length, node.outboundLayer.name);
            if (side === 'output') own.forEach((st, i) => feeds.set(st.id, values[k]![i]!));
          });
          const overrides = side === 'input' ? new Map(places.map((node, k) => [node, values[k]!] as const)) : undefined;
          return checkOutput(runGraph(feeds, graph.outputs, overrides === undefined ? {} : { replaceInputs: overrides }));
        }),
    });
  }
  const list = where.list;
  // The stage whose input each layer value is: the layer's own stage for its input, the next for its output.
  const boundaries = layers.map((l) => (l.where as { index: number }).index + (side === 'output' ? 1 : 0));
  return ok({
    layers,
    valueOf,
    runFrom: (call, values) =>
      asModel(() => {
        const args = [...call.inputs, ...call.args].slice(list.inputCount);
        const replaced = new Map(boundaries.map((b, k) => [b, values[k]!] as const));
        const start = Math.min(...boundaries);
        let current: readonly tf.Tensor[] = replaced.get(start)!;
        for (let i = start; i < list.stages.length; i++) {
          if (i !== start && replaced.has(i)) current = replaced.get(i)!; // what stage i-1 gave is discarded, as a hook's replacement discards it
          current = runStage(list.stages[i]!, i, current, args);
        }
        if (start !== list.stages.length && replaced.has(list.stages.length)) current = replaced.get(list.stages.length)!;
        return checkOutput([...current]);
      }),
  });
}
