// Rule-aware non-linearities: the modified backward passes of DeepLift, GuidedBackprop and
// Deconvolution (Captum's module backward hooks), without patching anything global.
//
// A rule op behaves exactly as the plain tf op, except while one of those methods runs its
// gradient pass: the method opens a rule scope around its synchronous `tf.grads` call (set and
// restored in try/finally, so calls in flight concurrently never see each other's scope), and an op
// called inside it becomes a `tf.customGrad` op whose backward applies the method's rule.
//
// Captum's hook-ordering quirk (gradient-methods-spec §5.5) is reproduced through a side channel:
// when a rule op's input is the very tensor another rule op returned (adjacent modules A -> B), the
// backward of B records its ordinary VJP (`raw`) and its rule's result (`mod`); A then uses
// `dy - Σ mod + Σ raw` as its `grad_output`, i.e. the gradient its output would have received had
// B's rule not replaced it, exactly what Captum's output hook on A captures.
import * as tf from '@tensorflow/tfjs-core';
import { firstMaxPoolVjp, type PoolGeometry } from './max-pool-vjp.js';

/** The method whose rules a scope applies. */
export type RuleMethod = 'deepLift' | 'guidedBackprop' | 'deconvolution';

/** What a method's gradient pass sets for its rule ops. */
export interface RuleSettings {
  readonly method: RuleMethod;
  /** DeepLift: below this `|x - x_ref|` at a layer's input the plain gradient is used (Captum's eps). */
  readonly eps: number;
  /** DeepLift: the rows every rule op must see (2N: the N inputs, then their N baselines). */
  readonly rows: number;
}

/** One rule op call during a pass: what its backward left for the op that produced its input. */
interface OpRecord {
  readonly consumers: OpRecord[];
  raw?: tf.Tensor;
  mod?: tf.Tensor;
}

interface Scope extends RuleSettings {
  /** Rule-op outputs (tensor id) to the call that made them, for the adjacency side channel. */
  readonly producers: Map<number, OpRecord>;
}

let active: Scope | undefined;

/**
 * Runs `f` (synchronous: a gradient pass) with the rules of `settings` applied by every rule op it
 * calls. The previous scope is restored afterwards, whatever happens.
 */
export function withRules<T>(settings: RuleSettings, f: () => T): T {
  const previous = active;
  active = { ...settings, producers: new Map() };
  try {
    return f();
  } finally {
    active = previous;
  }
}

/**
 * Runs `f` with no rule scope: rule ops called in it are plain ops (their ordinary gradient). Used
 * where Captum's hook order leaves a module's rule out: the layer whose input a layer method replaces.
 */
export function withoutRules<T>(f: () => T): T {
  const previous = active;
  active = undefined;
  try {
    return f();
  } finally {
    active = previous;
  }
}

/** An op a rule can apply to: its plain forward and its ordinary backward, written out (no nested tf.grad in a gradFunc). */
interface RuleOp {
  /** For messages: `attributionOps.relu`. */
  readonly name: string;
  /** Captum's rule family: elementwise rescale, softmax (rescale then global mean), maxpool. */
  readonly family: 'nonlinear' | 'softmax' | 'maxpool';
  /** GuidedBackprop and Deconvolution override ReLU only. */
  readonly isRelu: boolean;
  forward(x: tf.Tensor): tf.Tensor;
  /** The ordinary VJP: the gradient at the input for `dy` at the output. */
  vjp(x: tf.Tensor, y: tf.Tensor, dy: tf.Tensor): tf.Tensor;
}

/** `concat[a - b, a - b]` for `t = concat[a, b]`: Captum's `_compute_diffs`. */
function halvesDifference(t: tf.Tensor): tf.Tensor {
  const [a, b] = tf.split(t, 2, 0) as [tf.Tensor, tf.Tensor]; // [N, ...] each: inputs, baselines
  const d = tf.sub(a, b);
  return tf.concat([d, d], 0); // [2N, ...]
}

/** `tf.where` on tensors of one shape, through 1-D views (webgpu's Select takes rank <= 4 only). */
function select(condition: tf.Tensor, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (condition.rank <= 4) return tf.where(condition, a, b);
  return tf.reshape(tf.where(tf.reshape(condition, [-1]), tf.reshape(a, [-1]), tf.reshape(b, [-1])), condition.shape);
}

/** `where(|ΔX| < eps, fallback, value)`. */
const unlessNear = (dX: tf.Tensor, eps: number, fallback: tf.Tensor, value: tf.Tensor): tf.Tensor =>
  select(tf.less(tf.abs(dX), tf.scalar(eps)), fallback, value);

/** DeepLift's rule for one op (gradient-methods-spec §5.4). */
function deepLiftRule(op: RuleOp, eps: number, x: tf.Tensor, y: tf.Tensor, raw: tf.Tensor, captured: tf.Tensor): tf.Tensor {
  const dX = halvesDifference(x);
  if (op.family === 'maxpool') {
    const [o, r] = tf.split(y, 2, 0) as [tf.Tensor, tf.Tensor]; // outputs of the inputs' rows and of the baselines' rows
    const m = tf.maximum(o, r);
    const d = tf.concat([tf.sub(m, r), tf.sub(o, m)], 0); // [2N, ...]: the change routed through the input's or the baseline's argmax
    const unpooled = op.vjp(x, y, tf.mul(captured, d)); // [2N, ...input]: each row's argmax receives its share
    const [ui, ur] = tf.split(unpooled, 2, 0) as [tf.Tensor, tf.Tensor];
    const s = tf.add(ui, ur);
    const both = tf.concat([s, s], 0);
    const rows = raw.shape[0] as number;
    const row0 = tf.reshape(tf.tile(tf.reshape(tf.slice(raw, 0, 1), [1, -1]), [rows, 1]), raw.shape); // Captum's grad_input[0]: row 0 of the ordinary gradient, for every row (a rank-2 tile: webgpu tiles rank >= 5 on the CPU)
    return unlessNear(dX, eps, row0, tf.div(both, dX));
  }
  const dY = halvesDifference(y);
  const rescaled = unlessNear(dX, eps, raw, tf.div(tf.mul(captured, dY), dX)); // (grad_output·ΔY)/ΔX, as Captum evaluates it
  if (op.family === 'nonlinear') return rescaled;
  return tf.sub(rescaled, tf.div(tf.sum(rescaled), rescaled.size)); // softmax: minus the mean over the whole [2N, ...] tensor
}

/** The gradient Captum's output hook captures: `dy` as if adjacent rule ops downstream had passed their ordinary VJP on. */
function capturedGradient(dy: tf.Tensor, record: OpRecord): tf.Tensor {
  const done = record.consumers.filter((c) => c.raw !== undefined && c.mod !== undefined);
  if (done.length === 0) return dy;
  let g = dy;
  for (const c of done) g = tf.sub(g, c.mod!);
  for (const c of done) g = tf.add(g, c.raw!);
  return g;
}

/** The op under the active scope's rule, or plain. */
function applyRule(op: RuleOp, x: tf.Tensor): tf.Tensor {
  const scope = active;
  const ruled = scope !== undefined && (scope.method === 'deepLift' || op.isRelu);
  if (!ruled) return op.forward(x);
  if (!(x instanceof tf.Tensor)) throw new TypeError(`${op.name}: expected a tensor, got ${typeof x}`);
  if (scope.method === 'deepLift' && x.shape[0] !== scope.rows) {
    throw new Error(
      `${op.name}: DeepLift runs the model on ${scope.rows} rows (the ${scope.rows / 2} inputs, then their ${scope.rows / 2} baselines) ` +
        `and its rules need them on axis 0, but this op got shape [${x.shape.join(',')}]`,
    );
  }
  const record: OpRecord = { consumers: [] };
  scope.producers.get(x.id)?.consumers.push(record);
  const custom = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
    const value = op.forward(input);
    save([input, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ys] = saved as [tf.Tensor, tf.Tensor];
        const raw = op.vjp(xs, ys, dy); // Captum's grad_input
        const captured = capturedGradient(dy, record); // Captum's grad_output
        let mod: tf.Tensor;
        if (scope.method === 'deepLift') mod = deepLiftRule(op, scope.eps, xs, ys, raw, captured);
        else if (scope.method === 'guidedBackprop') mod = tf.relu(raw);
        else mod = tf.relu(captured);
        record.raw = raw;
        record.mod = tf.clone(mod); // the engine may dispose `mod` once it is accumulated
        return mod;
      },
    };
  }) as never) as (x: tf.Tensor) => tf.Tensor;
  const y = custom(x);
  scope.producers.set(y.id, record);
  return y;
}

// ---- the ops ------------------------------------------------------------------------------------

const elementwise = (name: string, isRelu: boolean, forward: (x: tf.Tensor) => tf.Tensor, vjp: RuleOp['vjp']): RuleOp => ({
  name: `attributionOps.${name}`,
  family: 'nonlinear',
  isRelu,
  forward,
  vjp,
});

const RELU = elementwise('relu', true, (x) => tf.relu(x), (x, _y, dy) => tf.mul(dy, tf.step(x))); // step(0) = 0, like torch
const SIGMOID = elementwise('sigmoid', false, (x) => tf.sigmoid(x), (_x, y, dy) => tf.mul(dy, tf.mul(y, tf.sub(1, y))));
const TANH = elementwise('tanh', false, (x) => tf.tanh(x), (_x, y, dy) => tf.mul(dy, tf.sub(1, tf.square(y))));
const ELU = elementwise('elu', false, (x) => tf.elu(x), (x, y, dy) => select(tf.greater(x, 0), dy, tf.mul(dy, tf.add(y, 1))));
const SOFTPLUS = elementwise('softplus', false, (x) => tf.softplus(x), (x, _y, dy) => tf.mul(dy, tf.sigmoid(x)));
const leakyReluOp = (alpha: number): RuleOp =>
  elementwise('leakyRelu', false, (x) => tf.leakyRelu(x, alpha), (x, _y, dy) => select(tf.greater(x, 0), dy, tf.mul(dy, alpha)));
const softmaxOp = (axis: number): RuleOp => ({
  name: 'attributionOps.softmax',
  family: 'softmax',
  isRelu: false,
  forward: (x) => tf.softmax(x, axis),
  vjp: (_x, y, dy) => tf.mul(y, tf.sub(dy, tf.sum(tf.mul(dy, y), axis, true))),
});

/** The ordinary max-pool VJP in the op's own layout. */
function maxPoolVjp(g: PoolGeometry, x: tf.Tensor, y: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const to = g.toPool ?? ((t: tf.Tensor) => t);
  const from = g.fromPool ?? ((t: tf.Tensor) => t);
  return from(firstMaxPoolVjp(g, to(x), to(y), to(dy)));
}

/** A max-pool rule op: `forward` computes the pool as the model does; the VJP follows `geometry`. */
export function maxPoolRuleOp(name: string, geometry: PoolGeometry, forward: (x: tf.Tensor) => tf.Tensor): RuleOp {
  return { name, family: 'maxpool', isRelu: false, forward, vjp: (x, y, dy) => maxPoolVjp(geometry, x, y, dy) };
}

/** Applies a rule op built elsewhere (the tfjs-layers walk) under the active scope. */
export const applyRuleOp = applyRule;

/** The rule op for a tfjs-layers activation name (`'relu'`, `'sigmoid'`, ...), or undefined where Captum has no rule. */
export function activationRuleOp(name: string, axis = -1): RuleOp | undefined {
  switch (name) {
    case 'relu':
      return RELU;
    case 'sigmoid':
      return SIGMOID;
    case 'tanh':
      return TANH;
    case 'elu':
      return ELU;
    case 'softplus':
      return SOFTPLUS;
    case 'softmax':
      return softmaxOp(axis);
    default:
      return undefined;
  }
}

/** Rule ops for ReLU with a slope and for softmax on an axis (tfjs-layers' LeakyReLU and Softmax layers). */
export const leakyReluRuleOp = leakyReluOp;
export const reluRuleOp = RELU;

const as4d = (x: tf.Tensor): tf.Tensor => (x.rank === 3 ? tf.expandDims(x, 0) : x);
const back3d = (rank: number) => (t: tf.Tensor): tf.Tensor => (rank === 3 ? tf.squeeze(t, [0]) : t);

/**
 * Non-linearities that DeepLift, DeepLiftShap, GuidedBackprop and Deconvolution can see inside a
 * forward function. Each is the plain tf op (`tf.relu`, `tf.sigmoid`, ...) with the same signature,
 * except during one of those methods' gradient passes, where it applies the method's rule in its
 * backward pass:
 * - DeepLift and DeepLiftShap: the rescale rule (`relu`, `elu`, `leakyRelu`, `sigmoid`, `tanh`,
 *   `softplus`), rescale minus the global mean (`softmax`), and the maxpool rule (`maxPool`,
 *   `maxPool3d`), as Captum's `nn.ReLU`, `nn.Softmax`, `nn.MaxPool2d`, ... modules;
 * - GuidedBackprop and Deconvolution: `relu` only (Captum hooks `nn.ReLU` only).
 *
 * **DeepLift's batch.** During DeepLift the forward function is called once on `2N` rows: rows
 * `0..N-1` are the inputs and rows `N..2N-1` their baselines, in the same order (extra tensor
 * arguments are repeated the same way). The rules compare the two halves, so the function must keep
 * the batch on axis 0, row for row, up to each rule op. Plain `tf.relu` and friends are not seen:
 * a function written only with them gets Captum's functional result, `(x - b) · ∇F(x)`.
 *
 * When one rule op's output goes straight into another (same tensor, e.g. `maxPool(relu(x))`),
 * Captum's hook order applies: the first op's rule sees the second op's ordinary gradient. Any op
 * in between (`tf.reshape`, `tf.mul(t, 1)`) separates them, as in Captum.
 *
 * @example
 * const { relu, sigmoid } = attributionOps;
 * const w = tf.tensor2d([[1, -1], [2, 1]]);
 * const model = (x: tf.Tensor) => sigmoid(tf.sum(relu(tf.matMul(x, w)), 1, true));
 * const x = tf.tensor2d([[1, 2], [-1, 0.5]]);
 * model(x);                                  // the plain forward: sigmoid(Σ relu(x·w))
 * const r = await deepLift(model, x, { returnConvergenceDelta: true }); // rules applied: delta ≈ 0
 */
export const attributionOps = {
  /** `tf.relu`; a rule op for all four methods. */
  relu: (x: tf.Tensor): tf.Tensor => applyRule(RELU, x),
  /** `tf.sigmoid`; DeepLift's rescale rule. */
  sigmoid: (x: tf.Tensor): tf.Tensor => applyRule(SIGMOID, x),
  /** `tf.tanh`; DeepLift's rescale rule. */
  tanh: (x: tf.Tensor): tf.Tensor => applyRule(TANH, x),
  /** `tf.elu`; DeepLift's rescale rule. */
  elu: (x: tf.Tensor): tf.Tensor => applyRule(ELU, x),
  /** `tf.softplus`; DeepLift's rescale rule. */
  softplus: (x: tf.Tensor): tf.Tensor => applyRule(SOFTPLUS, x),
  /** `tf.leakyRelu(x, alpha = 0.2)`; DeepLift's rescale rule. */
  leakyRelu: (x: tf.Tensor, alpha = 0.2): tf.Tensor => applyRule(leakyReluOp(alpha), x),
  /** `tf.softmax(x, axis = -1)`; DeepLift's softmax rule (rescale, minus the mean over the whole batch, both halves, as Captum). */
  softmax: (x: tf.Tensor, axis = -1): tf.Tensor => applyRule(softmaxOp(axis), x),
  /** `tf.maxPool(x, filterSize, strides, pad, dimRoundingMode?)` on `[N, H, W, C]`; DeepLift's maxpool rule. */
  maxPool: (
    x: tf.Tensor,
    filterSize: number | [number, number],
    strides: number | [number, number],
    pad: 'valid' | 'same' | number,
    dimRoundingMode?: 'floor' | 'round' | 'ceil',
  ): tf.Tensor => {
    const geometry: PoolGeometry = { spatialRank: 2, filterSize, strides, pad, ...(dimRoundingMode ? { dimRoundingMode } : {}), toPool: as4d, fromPool: back3d(x.rank) };
    return applyRule(
      maxPoolRuleOp('attributionOps.maxPool', geometry, (t) => tf.maxPool(t as tf.Tensor4D, filterSize, strides, pad, dimRoundingMode)),
      x,
    );
  },
  /** `tf.maxPool3d(x, filterSize, strides, pad, dimRoundingMode?)` on `[N, D, H, W, C]`; DeepLift's maxpool rule. */
  maxPool3d: (
    x: tf.Tensor,
    filterSize: number | [number, number, number],
    strides: number | [number, number, number],
    pad: 'valid' | 'same' | number,
    dimRoundingMode?: 'floor' | 'round' | 'ceil',
  ): tf.Tensor => {
    const geometry: PoolGeometry = { spatialRank: 3, filterSize, strides, pad, ...(dimRoundingMode ? { dimRoundingMode } : {}) };
    return applyRule(
      maxPoolRuleOp('attributionOps.maxPool3d', geometry, (t) => tf.maxPool3d(t as tf.Tensor5D, filterSize, strides, pad, dimRoundingMode)),
      x,
    );
  },
};
