// The one place that executes a tf.LayersModel's graph: node by node, on concrete tensors, with each
// layer's own `call` and weights, as tfjs-layers' `runInternalGraph` does (call arguments and masks
// passed along). Nothing of the model is rebuilt, patched or added to, and no symbolic tensor or
// sub-model outlives a run. Evaluation is lazy, from the tensors wanted back to the fed ones, so a
// run from a replaced value computes only what the rest of the model needs. Hooks serve the two
// families that run a model themselves:
//   - `call`: runs a node in place of its layer's own call (the rule methods' rule ops, layers-walk.ts);
//   - `replaceInputs`: what some nodes receive (a layer's input replaced, layer-reach.ts);
//   - feeds: any tensor of the graph given its value (a layer's output replaced);
//   - `memo`: every value computed, by tensor id (a layer's value read, LRP's forward pass).
// tfjs-layers is not a dependency of this library: models are recognised by their structure.
import type * as tf from '@tensorflow/tfjs-core';

export interface SymbolicLike {
  readonly id: number;
  readonly sourceLayer: LayerLike;
  readonly nodeIndex: number;
}
export interface NodeLike {
  readonly inputTensors: readonly SymbolicLike[];
  readonly outputTensors: readonly SymbolicLike[];
  readonly outboundLayer: LayerLike;
  readonly callArgs?: Record<string, unknown> | null;
}
export interface LayerLike {
  readonly name: string;
  readonly inboundNodes: readonly NodeLike[];
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
  computeMask?(inputs: tf.Tensor | tf.Tensor[], mask: unknown): unknown;
  getClassName?(): string;
}
export interface Graph {
  readonly inputs: readonly SymbolicLike[];
  readonly outputs: readonly SymbolicLike[];
  /** Every node the outputs depend on, inputs first. */
  readonly nodes: readonly NodeLike[];
}

const nodeOf = (t: SymbolicLike): NodeLike | undefined => t.sourceLayer?.inboundNodes?.[t.nodeIndex];

/** The graph of a `tf.LayersModel`-like object (its inputs, outputs and the nodes between), or undefined if it has none. Never throws. */
export function graphOf(model: unknown): Graph | undefined {
  try {
    if (typeof model !== 'object' || model === null) return undefined;
    const m = model as { inputs?: unknown; outputs?: unknown; apply?: unknown };
    if (typeof m.apply !== 'function' || !Array.isArray(m.inputs) || !Array.isArray(m.outputs)) return undefined;
    const inputs = m.inputs as SymbolicLike[];
    const outputs = m.outputs as SymbolicLike[];
    const inputIds = new Set(inputs.map((t) => t.id));
    const nodes: NodeLike[] = [];
    const seen = new Set<NodeLike>();
    const visit = (t: SymbolicLike): void => {
      if (inputIds.has(t.id)) return;
      const node = nodeOf(t);
      if (node === undefined || seen.has(node)) return;
      seen.add(node);
      for (const x of node.inputTensors) if (x.id !== t.id) visit(x);
      nodes.push(node);
    };
    for (const t of outputs) visit(t);
    return { inputs, outputs, nodes };
  } catch {
    return undefined;
  }
}

/** A computed tensor of the graph, with the mask the layer that made it gives (or null). */
export interface Computed {
  readonly t: tf.Tensor;
  readonly mask: unknown;
}

/** How a run of a graph departs from the model's own forward pass. */
export interface GraphHooks {
  /** What some nodes receive instead of their inputs' values (a layer's input replaced). */
  readonly replaceInputs?: ReadonlyMap<NodeLike, readonly tf.Tensor[]>;
  /**
   * Runs a node in place of its layer's own call: its output tensors, or undefined for the layer's
   * own call. `inputReplaced` says the node's inputs come from `replaceInputs`.
   */
  readonly call?: (node: NodeLike, inputs: tf.Tensor[], kwargs: Record<string, unknown>, inputReplaced: boolean) => tf.Tensor[] | undefined;
  /** Receives every value computed (and fed), by tensor id. */
  readonly memo?: Map<number, Computed>;
}

const toList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/**
 * The tensors `wanted`, computed from `feeds` (tensor id -> value: the model's inputs, or any tensor
 * of the graph given a value) the way tfjs-layers' own `runInternalGraph` computes them, pulling only
 * what is needed, with `hooks`. Synchronous; throws what the layers throw.
 */
export function runGraph(feeds: ReadonlyMap<number, tf.Tensor>, wanted: readonly SymbolicLike[], hooks: GraphHooks = {}): tf.Tensor[] {
  const memo = hooks.memo ?? new Map<number, Computed>();
  for (const [id, t] of feeds) memo.set(id, { t, mask: null });
  const value = (st: SymbolicLike): Computed => {
    const known = memo.get(st.id);
    if (known !== undefined) return known;
    const node = nodeOf(st);
    if (node === undefined) throw new Error(`the model's graph has no node for tensor ${st.id}`);
    run(node);
    const computed = memo.get(st.id);
    if (computed === undefined) throw new Error(`layer '${node.outboundLayer.name}' did not compute tensor ${st.id}`);
    return computed;
  };
  const run = (node: NodeLike): void => {
    const replaced = hooks.replaceInputs?.get(node);
    const ins: Computed[] = replaced !== undefined ? replaced.map((t) => ({ t, mask: null })) : node.inputTensors.map(value);
    const layer = node.outboundLayer;
    const kwargs: Record<string, unknown> = { ...(node.callArgs ?? {}) };
    let outs: tf.Tensor[];
    let masks: unknown[];
    const hooked = hooks.call?.(node, ins.map((c) => c.t), { ...kwargs }, replaced !== undefined);
    if (hooked !== undefined) {
      outs = hooked;
      masks = [];
    } else if (ins.length === 1) {
      const [{ t, mask }] = ins as [Computed];
      if (kwargs['mask'] == null) kwargs['mask'] = mask;
      outs = toList(layer.call(t, kwargs));
      masks = typeof layer.computeMask === 'function' ? toList(layer.computeMask(t, mask)) : [];
    } else {
      const ts = ins.map((c) => c.t);
      if (kwargs['mask'] == null) kwargs['mask'] = ins.map((c) => c.mask);
      outs = toList(layer.call(ts, kwargs));
      masks = typeof layer.computeMask === 'function' ? toList(layer.computeMask(ts, ins.map((c) => c.mask))) : [];
    }
    node.outputTensors.forEach((st, i) => {
      const t = outs[i];
      if (t !== undefined) memo.set(st.id, { t, mask: masks[i] ?? null });
    });
  };
  return wanted.map((st) => value(st).t);
}

/** The graph's inputs fed with `tensors`, in order (the caller checks the count). */
export const inputFeeds = (graph: Graph, tensors: readonly tf.Tensor[]): Map<number, tf.Tensor> => new Map(graph.inputs.map((st, i) => [st.id, tensors[i]!]));
