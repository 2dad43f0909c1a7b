import { suite } from 'uvu';
import { describeMethod, type MethodName, methodFamilies, methodNames, describeNoiseTunnel } from '../../src/index.js';
import { assert, expectLeft, expectRight } from '../support/harness.js';

const s = suite('method descriptors follow Captum spec 3.7');
s('gives the family bases Captum abstract classes report', () => {
  assert(!methodFamilies.gradient.multipliesByInputs && !methodFamilies.gradient.hasConvergenceDelta, 'GradientAttribution: false, false');
  assert(methodFamilies.perturbation.multipliesByInputs && !methodFamilies.perturbation.hasConvergenceDelta, 'PerturbationAttribution: true, false');
  assert(!methodFamilies.layer.multipliesByInputs && !methodFamilies.layer.hasConvergenceDelta, 'LayerAttribution: false, false');
  assert(!methodFamilies.neuron.multipliesByInputs && !methodFamilies.neuron.hasConvergenceDelta, 'NeuronAttribution: false, false');
  assert(methodFamilies.gradient.name === 'Gradient Attribution', 'names come from getName');
});
s('matches the flag table for every Captum method', () => {
  // [class, multipliesByInputs, hasConvergenceDelta], transcribed from the spec's table (observed in Captum 0.8)
  const table: [MethodName, boolean, boolean][] = [
    ['IntegratedGradients', true, true], ['DeepLift', true, true], ['DeepLiftShap', true, true], ['GradientShap', true, true],
    ['InputBaselineXGradient', true, true], ['LRP', true, true],
    ['LayerConductance', true, true], ['LayerIntegratedGradients', true, true], ['LayerDeepLift', true, true], ['LayerDeepLiftShap', true, true],
    ['LayerGradientShap', true, true], ['LayerInputBaselineXGradient', true, true], ['LayerLRP', true, true],
    ['InputXGradient', true, false], ['LayerActivation', true, false], ['LayerGradientXActivation', true, false],
    ['Saliency', false, false], ['GuidedBackprop', false, false], ['Deconvolution', false, false], ['GuidedGradCam', false, false],
    ['InternalInfluence', false, false], ['LayerGradCam', false, false], ['NeuronGradient', false, false],
    ['NeuronGuidedBackprop', false, false], ['NeuronDeconvolution', false, false],
    ['NeuronIntegratedGradients', true, false], ['NeuronConductance', true, false], ['NeuronDeepLift', true, false],
    ['NeuronDeepLiftShap', true, false], ['NeuronGradientShap', true, false],
    ['FeatureAblation', true, false], ['FeaturePermutation', true, false], ['Occlusion', true, false], ['ShapleyValueSampling', true, false],
    ['ShapleyValues', true, false], ['LayerFeatureAblation', true, false], ['LayerFeaturePermutation', true, false], ['NeuronFeatureAblation', true, false],
    ['Lime', false, false], ['KernelShap', false, false], ['DataLoaderAttribution', false, false],
  ];
  assert(table.length === methodNames.length, `every method covered (${table.length} of ${methodNames.length})`);
  for (const [cls, mbi, hcd] of table) {
    const d = expectRight(describeMethod(cls), cls);
    assert(d.multipliesByInputs === mbi && d.hasConvergenceDelta === hcd, `${cls}: got ${d.multipliesByInputs}/${d.hasConvergenceDelta}, expected ${mbi}/${hcd}`);
  }
});
s('flips multipliesByInputs where Captum takes multiply_by_inputs, and refuses it where it does not', () => {
  for (const cls of ['IntegratedGradients', 'DeepLift', 'DeepLiftShap', 'GradientShap', 'LayerIntegratedGradients', 'LayerGradientXActivation', 'LayerDeepLift', 'LayerGradientShap', 'NeuronIntegratedGradients', 'NeuronConductance', 'NeuronDeepLift', 'NeuronGradientShap'] as MethodName[]) {
    assert(!expectRight(describeMethod(cls, { multiplyByInputs: false })).multipliesByInputs, `${cls} configurable`);
  }
  expectLeft(describeMethod('LRP', { multiplyByInputs: false }), ['InvalidArgument']);
  expectLeft(describeMethod('LayerConductance', { multiplyByInputs: false }), ['InvalidArgument']);
  expectLeft(describeMethod('NoSuchMethod' as MethodName), ['InvalidArgument']);
});
s('lets NoiseTunnel copy both flags of the wrapped method', () => {
  const ig = expectRight(describeMethod('IntegratedGradients', { multiplyByInputs: false }));
  const nt = expectRight(describeNoiseTunnel(ig));
  assert(nt.className === 'NoiseTunnel' && nt.name === 'Noise Tunnel', 'named NoiseTunnel');
  assert(!nt.multipliesByInputs && nt.hasConvergenceDelta, 'copies false / true');
  const sal = expectRight(describeNoiseTunnel(expectRight(describeMethod('Saliency'))));
  assert(!sal.multipliesByInputs && !sal.hasConvergenceDelta, 'copies false / false');
  expectLeft(describeNoiseTunnel(null as never), ['InvalidArgument']);
});
s.run();
