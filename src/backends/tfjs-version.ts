// The tfjs versions this library reaches inside: tfjs-backend-wasm's `BackendWasm` class and its
// emscripten bridge (`cwrap` names, the factory's `instantiateWasm` hook) are not public API. The
// range is the package's peer range (package.json), and the runtime tests install its oldest and
// newest releases; outside it, the wasm loader refuses to start with this reason.

/** The oldest and (exclusive) newest tfjs versions the library is tested with, as in the peer range `^4.20.0`. */
export const SUPPORTED_TFJS = { from: [4, 20, 0], below: [5, 0, 0], range: '^4.20.0' } as const;

const parse = (version: string): number[] | undefined => {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3])];
};
const compare = (a: readonly number[], b: readonly number[]): number => a.reduce((c, x, i) => c || x - (b[i] ?? 0), 0);

/**
 * Why the installed tfjs package `name` at `version` cannot be used, or `undefined` when it can.
 * `coreVersion`, when given, must be the same release (tfjs's backends pin their tfjs-core peer).
 */
export function unsupportedTfjs(name: string, version: unknown, coreVersion?: unknown): string | undefined {
  const fix = `install ${name}@${SUPPORTED_TFJS.range} at the same version as @tensorflow/tfjs-core`;
  if (typeof version !== 'string') return `${name} does not say its version (is it a tfjs 4 package?); tfjs-attribution needs ${SUPPORTED_TFJS.range}: ${fix}`;
  const v = parse(version);
  if (v === undefined || compare(v, SUPPORTED_TFJS.from) < 0 || compare(v, SUPPORTED_TFJS.below) >= 0) {
    return `${name} ${version} is not a version tfjs-attribution can work with (it needs ${SUPPORTED_TFJS.range}, because it builds that backend from its internals): ${fix}`;
  }
  if (typeof coreVersion === 'string' && coreVersion !== version) {
    return `${name} ${version} does not match @tensorflow/tfjs-core ${coreVersion} (two tfjs releases are installed, or bundled): ${fix}`;
  }
  return undefined;
}
