// Every `@example` in src/ runs: each block is taken from the doc comments, compiled from TypeScript
// and executed with `tf` and the whole public API in scope. What the comments say each line gives
// is checked by the suite of that function; here every example must run to the end without throwing.
import { readdirSync, readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { transformSync } from 'esbuild';
import { suite } from 'uvu';
import * as api from '../../src/index.js';
import { assert, backendName } from '../support/harness.js';

const srcRoot = new URL('../../../src/', import.meta.url);

function sourceFiles(dir: URL): URL[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(new URL(`${e.name}/`, dir)) : e.name.endsWith('.ts') ? [new URL(e.name, dir)] : [],
  );
}

/** `@example` blocks with the name of the export they document. */
function examples(file: URL): { name: string; code: string }[] {
  const text = readFileSync(file, 'utf8');
  const found: { name: string; code: string }[] = [];
  for (const m of text.matchAll(/\/\*\*([\s\S]*?)\*\/\s*export\s+(?:async\s+)?(?:function|const|type|interface|class)\s+(\w+)/g)) {
    const [, comment = '', name = ''] = m;
    const at = comment.indexOf('@example');
    if (at < 0) continue;
    const body = comment.slice(at + '@example'.length).split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
    found.push({ name, code: body.join('\n').trim() });
  }
  return found;
}

const names = Object.keys(api).filter((k) => k !== 'default');
/** Every name src/index.ts exports, types included, with the source name it re-exports. */
const exported = [...readFileSync(new URL('index.ts', srcRoot), 'utf8').matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)].flatMap((m) =>
  (m[1] ?? '')
    .split(',')
    .map((part) => part.replace(/\btype\s+/, '').trim())
    .filter((part) => part !== '')
    .map((part) => {
      const [source = '', alias] = part.split(/\s+as\s+/);
      return { source: source.trim(), name: (alias ?? source).trim() };
    }),
);
const publicSourceNames = new Set(exported.map((e) => e.source));
const all = sourceFiles(srcRoot)
  .flatMap((f) => examples(f).map((e) => ({ ...e, file: f.pathname.split('/src/')[1] })))
  .filter((e) => publicSourceNames.has(e.name));
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;

const s = suite('doc examples');
s('every export of src/index.ts (functions, constants and types) is documented with an example', () => {
  const documented = new Set(all.map((e) => e.name));
  const missing = exported.filter((e) => !documented.has(e.source)).map((e) => e.name);
  assert(exported.length > 40, `parsed the export list (${exported.length} names)`);
  assert(missing.length === 0, `exports without an @example: ${missing.join(', ')}`);
  const unexported = names.filter((n) => !exported.some((e) => e.name === n));
  assert(unexported.length === 0, `runtime exports the parser missed: ${unexported.join(', ')}`);
});
for (const e of all) {
  s(`${e.file}: ${e.name}`, async () => {
    const js = transformSync(e.code, { loader: 'ts', format: 'esm' }).code;
    // `console` is shadowed so the examples' output does not clutter the test log.
    const run = new AsyncFunction('tf', 'api', 'console', `const { ${names.join(', ')} } = api;\n${js}`);
    await run(tf, api, { log: () => undefined, error: () => undefined });
  });
}
// initBackend's example may switch backends: the next example runs on the backend under test again.
s.after.each(async () => {
  if (tf.getBackend() !== backendName) await tf.setBackend(backendName);
});
s.run();
