// Layer-wise relevance propagation (Captum's LRP), written as an explicit relevance recursion over
// the layers of a tf.LayersModel's graph or over the stages of a namedStages model: no hooks, no
// patched weights. Going backwards from the target-selected output (seed: its gradient), each layer
// turns the relevance `r` that reaches its output into the relevance at its input by its rule:
//   - epsilon / gamma / alpha1beta0: z = layer'(a) (layer' = the layer with the rule's weights),
//     g = r / (z + ε·s(z)) (s = sign, 0 -> +1), c = VJP of layer' at a applied to g, r_in = a ⊙ c;
//   - identity: r_in = r (Captum's IdentityRule);
//   - passThrough: r_in = r (Captum's rule-less ReLU, Tanh, Dropout);
//   - gradient: r_in = the ordinary VJP (functional code in Captum: flatten, reshape, concatenation).
import * as tf from '@tensorflow/tfjs-core';
import { requireScalarPerExample } from './gradients.js';
import { describeValue, readFields } from '../core/arguments.js';
import type { AttributionError } from '../core/errors.js';
import { failAll, fail, ok, type Result } from '../core/validation.js';
import { selectResolved } from '../target/select-target.js';
import type { ResolvedTarget } from '../target/target.js';
import { asModel, graphValues, withoutLayers } from './layer-reach.js';
import { type Graph, graphOf, type LayerLike, type NodeLike } from './layers-graph.js';
import { ModelFailure } from './model.js';
import { runStage, stagesOf, type StageList } from './named-stages.js';
import type { ModelCall } from './run-forward.js';

/**
 * A relevance rule for one layer (Captum's `lrp_rules`):
 * - `epsilon`: `EpsilonRule(epsilon = 1e-9)`;
 * - `gamma`: `GammaRule(gamma = 0.25, setBiasToZero = false)`, weights `W + γ·max(W, 0)`;
 * - `alpha1beta0`: `Alpha1_Beta0_Rule(setBiasToZero = false)`, weights `max(W, 0)`;
 * - `identity`: `IdentityRule`, the relevance passes the layer unchanged;
 * - `passThrough`: what Captum does for ReLU, Tanh and Dropout (no rule, relevance unchanged);
 * - `gradient`: the ordinary gradient, as Captum treats functional code (reshapes, concatenations).
 * Gamma and alpha1beta0 need the layer's weights: `Dense` and `Conv2D` layers of a `tf.LayersModel`.
 *
 * @example
 * const rules: Record<string, LrpRule> = { fc1: { rule: 'gamma', gamma: 0.5 }, fc2: { rule: 'epsilon', epsilon: 1e-6 } };
 */
export type LrpRule =
  | { readonly rule: 'epsilon'; readonly epsilon?: number }
  | { readonly rule: 'gamma'; readonly gamma?: number; readonly setBiasToZero?: boolean }
  | { readonly rule: 'alpha1beta0'; readonly setBiasToZero?: boolean }
  | { readonly rule: 'identity' }
  | { readonly rule: 'passThrough' }
  | { readonly rule: 'gradient' };

type Checked =
  | { readonly kind: 'epsilon'; readonly epsilon: number; readonly weights: 'same' | 'gamma' | 'alpha1beta0'; readonly gamma: number; readonly zeroBias: boolean }
  | { readonly kind: 'identity' | 'passThrough' | 'gradient' };

const RULES = ['epsilon', 'gamma', 'alpha1beta0', 'identity', 'passThrough', 'gradient'] as const;

function checkRule(value: unknown, path: string): Result<Checked> {
  const f = readFields(value, path, ['rule', 'epsilon', 'gamma', 'setBiasToZero']);
  if (f._tag === 'Left') return f;
  const { rule, epsilon, gamma, setBiasToZero } = f.right;
  const errors: AttributionError[] = [];
  if (typeof value !== 'object' || value === null || !(RULES as readonly unknown[]).includes(rule)) {
    return fail({ _tag: 'InvalidArgument', path: `${path}.rule`, expected: `one of ${RULES.map((r) => `'${r}'`).join(', ')}`, got: describeValue(rule) });
  }
  const num = (v: unknown, key: string, fallback: number): number => {
    if (v === undefined) return fallback;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
    errors.push({ _tag: 'InvalidArgument', path: `${path}.${key}`, expected: 'a finite number >= 0', got: describeValue(v) });
    return fallback;
  };
  const zeroBias = setBiasToZero === undefined ? false : setBiasToZero === true;
  if (setBiasToZero !== undefined && typeof setBiasToZero !== 'boolean') errors.push({ _tag: 'InvalidArgument', path: `${path}.setBiasToZero`, expected: 'a boolean', got: describeValue(setBiasToZero) });
  let checked: Checked;
  if (rule === 'epsilon') checked = { kind: 'epsilon', epsilon: num(epsilon, 'epsilon', 1e-9), weights: 'same', gamma: 0, zeroBias: false };
  else if (rule === 'gamma') checked = { kind: 'epsilon', epsilon: 1e-9, weights: 'gamma', gamma: num(gamma, 'gamma', 0.25), zeroBias };
  else if (rule === 'alpha1beta0') checked = { kind: 'epsilon', epsilon: 1e-9, weights: 'alpha1beta0', gamma: 0, zeroBias };
  else checked = { kind: rule as 'identity' | 'passThrough' | 'gradient' };
  return failAll(errors) ?? ok(checked);
}

/** Checks `options.rules`: an object from layer (or stage) names to {@link LrpRule}s. */
export function checkLrpRules(value: unknown, path = 'options.rules'): Result<ReadonlyMap<string, Checked>> {
  if (value === undefined) return ok(new Map());
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail({ _tag: 'InvalidArgument', path, expected: 'an object from layer names to LRP rules', got: describeValue(value) });
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch {
    return fail({ _tag: 'InvalidArgument', path, expected: 'an object whose keys can be listed', got: 'an object that throws' });
  }
  const f = readFields(value, path, keys);
  if (f._tag === 'Left') return f;
  const map = new Map<string, Checked>();
  const errors: AttributionError[] = [];
  for (const k of keys) {
    const r = checkRule((f.right as Record<string, unknown>)[k], `${path}.${k}`);
    if (r._tag === 'Left') errors.push(...r.left);
    else map.set(k, r.right);
  }
  return failAll(errors) ?? ok(map);
}

// ---- one relevance step ------------------------------------------------------------------------

const signNonZero = (z: tf.Tensor): tf.Tensor => tf.where(tf.equal(z, 0), tf.onesLike(z), tf.sign(z));

/** `r_in = a ⊙ VJP(layer', a)(r / (z + ε s(z)))`, `z = layer'(a)`. */
function epsilonStep(apply: (a: tf.Tensor) => tf.Tensor, a: tf.Tensor, r: tf.Tensor, epsilon: number): tf.Tensor {
  const z = apply(a);
  const g = tf.div(r, tf.add(z, tf.mul(signNonZero(z), epsilon)));
  const [c] = tf.grads((x: tf.Tensor) => apply(x))([a], g);
  return tf.mul(a, c!);
}

function vjp(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: readonly tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  return tf.grads((...a: tf.Tensor[]) => {
    const y = f(...a);
    return a.includes(y) ? tf.clone(y) : y; // a layer that returns its input (a no-op stage) still passes the gradient
  })([...xs], dy);
}

// ---- tf.LayersModel layers -----------------------------------------------------------------------

interface LayerInfo {
  readonly className: string;
  readonly config: Record<string, unknown>;
}

function infoOf(layer: LayerLike): LayerInfo {
  const l = layer as unknown as { getClassName(): string; getConfig(): Record<string, unknown> };
  return { className: l.getClassName(), config: l.getConfig() };
}

const PASS_ACTIVATIONS = ['relu', 'tanh', 'linear'];
const WEIGHTED = ['Dense', 'Conv2D'];
const EPSILON_DEFAULT = ['Dense', 'Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'BatchNormalization'];

/** The rule a layer gets by default (Captum assigns by type), or why it has none. */
function defaultRule(info: LayerInfo): Checked | string {
  const { className, config } = info;
  if (EPSILON_DEFAULT.includes(className)) {
    const act = config['activation'];
    if (act !== undefined && act !== null && !PASS_ACTIVATIONS.includes(String(act))) return `${className} with a fused '${String(act)}' activation`;
    return { kind: 'epsilon', epsilon: 1e-9, weights: 'same', gamma: 0, zeroBias: false };
  }
  if (className === 'Activation') return PASS_ACTIVATIONS.includes(String(config['activation'])) ? { kind: 'passThrough' } : `an Activation '${String(config['activation'])}'`;
  if (className === 'ReLU' || className === 'Dropout') return { kind: 'passThrough' };
  if (['Flatten', 'Reshape', 'Concatenate', 'InputLayer', 'Permute'].includes(className)) return { kind: 'gradient' };
  return `a ${className} layer`;
}

/** The layer's linear part with the rule's weights (fused activations left out). */
function linearOf(layer: LayerLike, info: LayerInfo, rule: Extract<Checked, { kind: 'epsilon' }>): (a: tf.Tensor) => tf.Tensor {
  const { className, config } = info;
  if (!WEIGHTED.includes(className)) {
    if (rule.weights !== 'same') throw new ModelFailure({ _tag: 'InvalidArgument', path: 'options.rules', expected: 'gamma and alpha1beta0 rules on Dense and Conv2D layers only', got: `a ${rule.weights} rule on a ${className} layer` });
    return (a) => {
      const out = layer.call(a, {});
      return Array.isArray(out) ? out[0]! : out;
    };
  }
  const [kernel, bias] = (layer as unknown as { getWeights(): tf.Tensor[] }).getWeights();
  const k = rule.weights === 'gamma' ? tf.add(kernel!, tf.mul(tf.relu(kernel!), rule.gamma)) : rule.weights === 'alpha1beta0' ? tf.relu(kernel!) : kernel!;
  const b = bias === undefined || rule.zeroBias ? undefined : bias;
  if (className === 'Dense') {
    return (a) => {
      const y = a.rank === 2 ? tf.matMul(a as tf.Tensor2D, k as tf.Tensor2D) : tf.dot(a, k);
      return b === undefined ? y : tf.add(y, b);
    };
  }
  const strides = config['strides'] as [number, number];
  const dilations = config['dilationRate'] as [number, number];
  const padding = config['padding'] as 'valid' | 'same';
  return (a) => {
    const y = tf.conv2d(a as tf.Tensor4D, k as tf.Tensor4D, strides, padding, 'NHWC', dilations);
    return b === undefined ? y : tf.add(y, b);
  };
}

/** Relevance at the model inputs, at the output (`out`), and at a chosen layer, one entry per tensor. */
export interface Relevances {
  readonly inputs: tf.Tensor[];
  readonly out: tf.Tensor;
  readonly layerOutput?: tf.Tensor[];
  readonly layerInput?: tf.Tensor[];
}

/** A model ready for LRP: every layer has a rule. */
export interface LrpPlan {
  readonly layerNames: readonly string[];
  /** Synchronous; run inside `tf.tidy`. `layer` names the layer whose relevance to keep. */
  propagate(call: ModelCall, resolved: ResolvedTarget, layer?: string): Relevances;
}

/**
 * The selected output holds one value per example of the call: a 0-d output, another batch size or
 * several values per example (no target) are the model's or the target's problem, reported as such.
 */
export function checkSelectedRows(out: tf.Tensor, rows: number): void {
  requireScalarPerExample(out);
  if (out.shape[0] !== rows) {
    throw new ModelFailure({ _tag: 'ModelOutputInvalid', path: 'model', expected: `one value per example, shape [${rows}] or [${rows}, 1]`, got: `shape [${out.shape.join(',')}]` });
  }
}

function selectedAndSeed(output: tf.Tensor, resolved: ResolvedTarget): { out: tf.Tensor; seed: tf.Tensor } {
  const pick = (o: tf.Tensor): tf.Tensor => {
    const s = selectResolved(o, resolved);
    if (s._tag === 'Left') throw new ModelFailure(s.left[0]);
    return s.right;
  };
  const out = pick(output);
  // A target that keeps the whole output selects it as it is: no op for tf.grads to follow, and a seed of ones.
  if (out === output) return { out, seed: tf.onesLike(output) };
  const [seed] = tf.grads((o: tf.Tensor) => pick(o))([output]);
  return { out, seed: seed! };
}

function graphPlan(graph: Graph, rules: ReadonlyMap<string, Checked>): Result<LrpPlan> {
  const errors: AttributionError[] = [];
  const ruleOf = new Map<NodeLike, { rule: Checked; info: LayerInfo }>();
  const used = new Map<LayerLike, number>();
  for (const node of graph.nodes) used.set(node.outboundLayer, (used.get(node.outboundLayer) ?? 0) + 1);
  for (const node of graph.nodes) {
    const layer = node.outboundLayer;
    const info = infoOf(layer);
    if ((used.get(layer) ?? 0) > 1 && info.className !== 'InputLayer') {
      errors.push({ _tag: 'InvalidArgument', path: 'model', expected: 'layers called once (Captum: a module used more than once is not supported by LRP)', got: `layer '${layer.name}', called ${used.get(layer)} times` });
      continue;
    }
    const custom = rules.get(layer.name);
    const rule = custom ?? defaultRule(info);
    if (typeof rule === 'string') {
      errors.push({ _tag: 'InvalidArgument', path: 'model', expected: `an LRP rule for every layer (give one in options.rules['${layer.name}'])`, got: `layer '${layer.name}', ${rule}, which has no rule` });
      continue;
    }
    ruleOf.set(node, { rule, info });
  }
  const names = graph.nodes.map((n) => n.outboundLayer.name);
  for (const k of rules.keys()) if (!names.includes(k)) errors.push({ _tag: 'InvalidArgument', path: `options.rules.${k}`, expected: `a layer of the model: one of ${names.join(', ')}`, got: `'${k}'` });
  const failed = failAll(errors);
  if (failed !== undefined) return failed;
  return ok({
    layerNames: names,
    propagate: (call, resolved, layerName) => {
      const values = graphValues(graph, call);
      const output = values.get(graph.outputs[0]!.id)!;
      const { out, seed } = selectedAndSeed(output, resolved);
      const rel = new Map<number, tf.Tensor>([[graph.outputs[0]!.id, seed]]);
      let layerOutput: tf.Tensor[] | undefined;
      let layerInput: tf.Tensor[] | undefined;
      for (const node of [...graph.nodes].reverse()) {
        const { rule, info } = ruleOf.get(node)!;
        const ins = node.inputTensors.map((st) => values.get(st.id)!);
        const rOut = node.outputTensors.map((st) => rel.get(st.id) ?? tf.zerosLike(values.get(st.id)!));
        if (info.className === 'InputLayer') continue;
        const rIn = asModel(() => {
          if (rule.kind === 'passThrough' || rule.kind === 'identity') return [rOut[0]!];
          if (rule.kind === 'gradient') {
            return vjp((...xs) => {
              const y = node.outboundLayer.call(xs.length === 1 ? xs[0]! : xs, { ...(node.callArgs ?? {}) });
              return Array.isArray(y) ? y[0]! : y;
            }, ins, rOut[0]!);
          }
          const eps = rule as Extract<Checked, { kind: 'epsilon' }>;
          return [epsilonStep(linearOf(node.outboundLayer, info, eps), ins[0]!, rOut[0]!, eps.epsilon)];
        });
        if (node.outboundLayer.name === layerName) {
          layerOutput = rOut;
          layerInput = rIn;
        }
        node.inputTensors.forEach((st, i) => {
          const prev = rel.get(st.id);
          rel.set(st.id, prev === undefined ? rIn[i]! : tf.add(prev, rIn[i]!));
        });
      }
      const inputs = graph.inputs.map((st) => rel.get(st.id) ?? tf.zerosLike(values.get(st.id)!));
      return { inputs, out, ...(layerOutput === undefined ? {} : { layerOutput, layerInput: layerInput! }) };
    },
  });
}

function stagePlan(list: StageList, rules: ReadonlyMap<string, Checked>): Result<LrpPlan> {
  const errors: AttributionError[] = [];
  const names = list.stages.map((s) => s.name);
  for (const [k, r] of rules) {
    if (!names.includes(k)) errors.push({ _tag: 'InvalidArgument', path: `options.rules.${k}`, expected: `a stage of the model: one of ${names.filter((n) => n !== undefined).join(', ')}`, got: `'${k}'` });
    else if (r.kind === 'epsilon' && r.weights !== 'same') errors.push({ _tag: 'InvalidArgument', path: `options.rules.${k}`, expected: 'an epsilon, identity, passThrough or gradient rule (a stage has no weights to change)', got: `a ${r.weights} rule` });
  }
  const failed = failAll(errors);
  if (failed !== undefined) return failed;
  return ok({
    layerNames: names.filter((n): n is string => n !== undefined),
    propagate: (call, resolved, layerName) =>
      asModel(() => {
        const all = [...call.inputs, ...call.args];
        const args = all.slice(list.inputCount);
        const ins: tf.Tensor[][] = [];
        let current = all.slice(0, list.inputCount) as tf.Tensor[];
        list.stages.forEach((stage, i) => {
          ins.push(current);
          current = runStage(stage, i, current, args);
        });
        if (current.length !== 1) throw new Error(`the last stage returned ${current.length} tensors, expected one`);
        const { out, seed } = selectedAndSeed(current[0]!, resolved);
        let r = [seed];
        let layerOutput: tf.Tensor[] | undefined;
        let layerInput: tf.Tensor[] | undefined;
        for (let i = list.stages.length - 1; i >= 0; i--) {
          const stage = list.stages[i]!;
          const a = ins[i]!;
          const rule = (stage.name === undefined ? undefined : rules.get(stage.name)) ?? { kind: 'gradient' as const };
          const fn = (...xs: tf.Tensor[]): tf.Tensor => runStage(stage, i, xs, args)[0]!;
          let rIn: tf.Tensor[];
          if (rule.kind === 'passThrough' || rule.kind === 'identity') rIn = [r[0]!];
          else if (rule.kind === 'gradient') rIn = vjp(fn, a, r[0]!);
          else rIn = [epsilonStep((x) => fn(x), a[0]!, r[0]!, (rule as Extract<Checked, { kind: 'epsilon' }>).epsilon)];
          if (stage.name !== undefined && stage.name === layerName) {
            layerOutput = r;
            layerInput = rIn;
          }
          r = rIn;
        }
        return { inputs: r, out, ...(layerOutput === undefined ? {} : { layerOutput, layerInput: layerInput! }) };
      }),
  });
}

/** Checks that LRP can run on `model` with `rules` (every layer has a rule), reporting every problem. */
export function lrpPlan(model: unknown, rules: ReadonlyMap<string, Checked>): Result<LrpPlan> {
  const stages = stagesOf(model);
  if (stages !== undefined) return stagePlan(stages, rules);
  const graph = graphOf(model);
  if (graph === undefined) {
    return withoutLayers(model, 'a model whose layers LRP can walk');
  }
  try {
    return graphPlan(graph, rules);
  } catch (e) {
    return fail({ _tag: 'InvalidArgument', path: 'model', expected: 'a tf.LayersModel whose layers can be read', got: `a model whose layers throw (${e instanceof Error ? e.message : String(e)})` });
  }
}
