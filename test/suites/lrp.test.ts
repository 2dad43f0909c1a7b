// LRP and LayerLRP against Captum's numbers (algorithms_stochastic.json; deterministic, no draws),
// through tf.LayersModels (rules by layer type, as Captum assigns them) and through forward functions
// cut into named stages (rules given by stage name).
import * as tf from '@tensorflow/tfjs-core';
import { suite } from 'uvu';
import { layerLrp, lrp, type LrpRule, type Model, message, namedStages } from '../../src/index.js';
import { type ItemsJson, type ReferenceCase, loadCases, toItems } from '../support/fixtures.js';
import { assert, assertClose, disposeAll, expectLeft, expectRight, parityCases, withoutLeaks } from '../support/harness.js';
import { stagedModelFor } from '../support/layer-models.js';
import { checkMethodCase, layersModelFor, type MethodCall, runsAsLayersModel } from '../support/method-cases.js';
import { modelSpecs } from '../support/models.js';

const cases = loadCases('algorithms_stochastic.json');

/** Captum's default rule for each kind of reference layer, given by stage name (stages have no types). */
function stageRules(c: ReferenceCase): Record<string, LrpRule> {
  const rules: Record<string, LrpRule> = {};
  for (const l of modelSpecs[c.model as string]!.layers) {
    if (l.name === undefined || l.name === null) continue;
    if (['dense', 'conv2d', 'maxpool2d', 'avgpool2d'].includes(l.kind)) rules[l.name] = { rule: 'epsilon' };
    else if (['relu', 'tanh'].includes(l.kind)) rules[l.name] = { rule: 'passThrough' };
  }
  return rules;
}

/** Captum's `lrp-no-rule` is a Left naming the model, listing the layer without a rule. */
async function checkNoRule(c: ReferenceCase, model: Model, call: MethodCall): Promise<void> {
  const x = toItems(c.args['inputs'] as ItemsJson) as tf.Tensor;
  await withoutLeaks(c.id, async () => {
    const [e] = expectLeft(await call(model, x, { target: 3 }), ['InvalidArgument']);
    assert(e?.path === 'model' && /no rule/.test(message([e])), message([e!]));
  });
  x.dispose();
}

const METHODS: Readonly<Record<string, MethodCall>> = {
  LRP: (m, x, o) => lrp(m, x, o as never),
  LayerLRP: (m, x, o) => layerLrp(m, x, o as never),
};
for (const [op, call] of Object.entries(METHODS)) {
  const mine = cases.filter((c) => c.op === op);
  const valid = mine.filter((c) => c.error === undefined);
  parityCases(`${op}[stages]`, valid, (c) => checkMethodCase(c, stagedModelFor(c), (m, x, o) => call(m, x, { ...o, rules: stageRules(c) })));
  parityCases(`${op}[LayersModel]`, mine.filter(runsAsLayersModel), (c) =>
    c.error === 'lrp-no-rule' ? checkNoRule(c, layersModelFor(c.model as string)!, call) : checkMethodCase(c, layersModelFor(c.model as string)!, call),
  );
}

const s = suite('lrp');
s('rules are checked: unknown layers, unknown rules, weight rules on stages; gamma and alpha1beta0 on Dense layers change the relevance', async () => {
  const model = layersModelFor('mlp')!;
  const x = tf.tensor2d([[0.5, -1, 2, 0.1, 0.3, -0.2]]);
  await withoutLeaks('lrp rules', async () => {
    const errors = expectLeft(await lrp(model, x, { target: 0, rules: { fc9: { rule: 'epsilon' }, fc1: { rule: 'simpson' } as never } }), ['InvalidArgument']);
    assert(errors.some((e) => e.path === 'options.rules.fc1.rule'), message(errors));
    const eps = expectRight(await lrp(model, x, { target: 0, returnConvergenceDelta: true }));
    for (const rule of [{ rule: 'gamma', gamma: 0.25 }, { rule: 'alpha1beta0' }] as const) {
      const other = expectRight(await lrp(model, x, { target: 0, rules: { fc1: rule, fc2: rule } }));
      const a = await other.data();
      const b = await eps.attributions.data();
      assert(Array.from(a).some((v, i) => Math.abs(v - b[i]!) > 1e-6), `${rule.rule} changes the relevance`);
      other.dispose();
    }
    // The weights of the model are untouched.
    const again = expectRight(await lrp(model, x, { target: 0 }));
    assertClose(await again.data(), await eps.attributions.data(), { atol: 0, rtol: 0 });
    disposeAll(eps, again);
  });
  x.dispose();
});
s('a model with one output per example needs no target: the whole [N, 1] output is explained (epsilon rule on a linear model: x·w)', async () => {
  const staged: Model = expectRight(namedStages([
    { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x as tf.Tensor2D, tf.ones([3, 2])) },
    { name: 'fc2', fn: (h: tf.Tensor) => tf.matMul(h as tf.Tensor2D, tf.ones([2, 1])) },
  ]));
  const x = tf.tensor2d([[1, 2, 3], [-1, 0.5, 2]]);
  await withoutLeaks('lrp without a target', async () => {
    const r = expectRight(await lrp(staged, x, { rules: { fc1: { rule: 'epsilon' }, fc2: { rule: 'epsilon' } }, returnConvergenceDelta: true }));
    assertClose(await r.attributions.data(), [2, 4, 6, -2, 1, 4], { atol: 1e-5, rtol: 1e-5 }, 'relevance = 2x');
    assertClose(await r.delta.data(), [0, 0], { atol: 1e-4, rtol: 0 }, 'delta');
    disposeAll(r);
  });
  x.dispose();
});
s.run();
