import { suite } from 'uvu';
import { getName } from '../../src/index.js';
import { loadCases } from '../support/fixtures.js';
import { assert, expectLeft, expectRight, parityCases } from '../support/harness.js';

parityCases('getName', loadCases('get_name.json'), async (c) => {
  const name = expectRight(getName(c.args['className'] as string));
  const want = (c.expected as { name: string }).name;
  assert(name === want, `getName(${String(c.args['className'])}) = '${name}', expected '${want}'`);
});

const s = suite('getName follows Captum rule');
s('puts a space before digits, underscores and capitals but not before the first character', () => {
  const cases: [string, string][] = [
    ['IntegratedGradients', 'Integrated Gradients'],
    ['LRP', 'L R P'],
    ['LayerLRP', 'Layer L R P'],
    ['Alpha1_Beta0', 'Alpha 1 _ Beta 0'],
    ['my_attr', 'my _attr'],
    ['XAI2Go', 'X A I 2 Go'],
    ['ÉcoleAttr', 'École Attr'],
    ['', ''],
  ];
  for (const [cls, want] of cases) {
    const got = expectRight(getName(cls));
    assert(got === want, `getName('${cls}') = '${got}', expected '${want}'`);
  }
});
s('treats a character outside the basic plane as one character', () => {
  assert(expectRight(getName('𝐀bc')) === '𝐀bc', 'first code point kept');
  assert(expectRight(getName('a𝐀')) === 'a 𝐀', 'astral capital gets one space');
});
s('returns a Left naming className for a non-string', () => {
  for (const bad of [null, undefined, 3, {}]) {
    const [e] = expectLeft(getName(bad as never), ['InvalidArgument']);
    assert(e?.path === 'className', 'path is className');
  }
});
s.run();
