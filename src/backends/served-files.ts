// Where a browser finds the package's binaries when a dev server has moved its modules. Vite's dev
// server pre-bundles dependencies into `<root>/node_modules/.vite/deps/`, where the package's
// `../wasm/` folder is not (and it rewrites `new URL(`../wasm/${name}`, import.meta.url)` there to
// a lookup that yields `undefined`); the installed packages themselves are still served under
// `<root>/node_modules/`. Given the URL of the running module, these are the places to try first.

const PREBUNDLED = /node_modules\/\.vite\/(?:deps|deps_temp[^/]*)\//;

/**
 * URLs of `file` inside the installed package `pkg` (e.g. `tfjs-attribution/dist/wasm`), when
 * `moduleUrl` is a dev server's pre-bundled copy under `node_modules/.vite/`; else none.
 */
export function prebundledPackageFile(moduleUrl: string, pkg: string, file: string): URL[] {
  const at = moduleUrl.search(PREBUNDLED);
  return at < 0 ? [] : [new URL(`${moduleUrl.slice(0, at)}node_modules/${pkg}/${file}`)];
}
