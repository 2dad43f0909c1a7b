// A TypeDoc plugin: names each module of the reference by the specifier users import it with
// (`tfjs-attribution`, `tfjs-attribution/wasm`, ...), read from package.json's "exports" map,
// instead of its path under src/.
import { readFileSync } from 'node:fs';

/** Source path under src/ without `.ts` (as TypeDoc names modules) -> import specifier. */
export function entryNames(pkg) {
  const names = new Map();
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const types = typeof target === 'object' ? target.types : undefined;
    if (typeof types !== 'string') continue;
    const source = types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '').replace(/\/index$/, '') || 'index';
    names.set(source, subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`);
  }
  return names;
}

export function load(app) {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const names = entryNames(pkg);
  // 'resolveBegin' is Converter.EVENT_RESOLVE_BEGIN, named without importing typedoc: build-docs.mjs
  // imports this file before it installs TypeDoc.
  // Entry points live under src/ and node/, so TypeDoc names modules from the repository root
  // ('src', 'src/backends/wasm-backend', 'node'); the keys are paths under dist/ ('index', 'backends/wasm-backend', 'node').
  const key = (name) => (name === 'src' ? 'index' : name.replace(/^src\//, ''));
  app.converter.on('resolveBegin', (context) => {
    for (const module of context.project.children ?? []) module.name = names.get(key(module.name)) ?? module.name;
  });
}
