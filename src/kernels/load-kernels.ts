// Choosing and loading the kernel variant: SIMD where WebAssembly.validate says v128 works, else
// scalar, else (no binary reachable, e.g. a Worker given no modules) the JS reference, with the reason kept.
import { prebundledPackageFile } from '../backends/served-files.js';
import { compileWasm, hasWasmSimd, isWasmSource, type WasmSource } from '../backends/wasm-source.js';
import { describeValue, readFields } from '../core/arguments.js';
import { all, fail, ok, type Result } from '../core/validation.js';
import { type Kernels, type KernelVariant, referenceKernels, wasmKernels } from './kernels.js';
import { configureInPlace } from './wasm-inplace.js';

/**
 * Where the kernel binaries come from, and which variant to use.
 *
 * @example
 * const options: KernelOptions = { variant: 'auto' };
 * await configureKernels(options); // { variant: 'simd' } where SIMD validates
 */
export interface KernelOptions {
  /** `auto` (default): SIMD if the runtime validates it, else scalar, else JS. */
  readonly variant?: 'auto' | KernelVariant;
  /** The SIMD binary: a compiled module (required on Cloudflare Workers), bytes or a URL. */
  readonly simd?: WasmSource;
  /** The scalar binary, likewise. */
  readonly scalar?: WasmSource;
  /**
   * On the wasm backend, sum float32 tensors where tfjs-backend-wasm keeps them (default `true`), by
   * kernels built to import its memory; `false` reads them back and copies them, as on cpu.
   */
  readonly inPlace?: boolean;
  /** The in-place SIMD binary (`attribution-kernels-inplace.simd.wasm`): a compiled module on Cloudflare Workers. */
  readonly simdInPlace?: WasmSource;
  /** The in-place scalar binary, likewise. */
  readonly scalarInPlace?: WasmSource;
}

/**
 * The kernel variant in use and, when it is not the fastest, why.
 *
 * @example
 * const status: KernelStatus = await kernelStatus();
 * console.log(status.variant); // 'simd'
 */
export interface KernelStatus {
  readonly variant: KernelVariant;
  /** Why a faster variant was not used, when one was not. */
  readonly reason?: string;
}

/** What to do when the binaries beside the module cannot be loaded (a bundle whose wasm/ folder is not served). */
const SERVE_HINT =
  "the kernels ran as the slower JS reference instead: serve tfjs-attribution's dist/wasm/ folder as wasm/ next to the folder of the module or bundle, or hand the binaries over with configureKernels({ simd, scalar })";

/** The binaries beside this module (`../wasm/`), after the package's own copy where a dev server pre-bundled this module. */
const defaultSources = (variant: 'simd' | 'scalar'): URL[] => {
  const file = `attribution-kernels.${variant}.wasm`;
  // The literal `new URL(template, import.meta.url)` form lets bundlers (vite build) emit the binaries.
  return [...prebundledPackageFile(import.meta.url, 'tfjs-attribution/dist/wasm', file), new URL(`../wasm/attribution-kernels.${variant}.wasm`, import.meta.url)];
};

/** The first source that compiles; the error names every place tried. */
async function compileFirst(sources: readonly URL[]): Promise<WebAssembly.Module> {
  const failures: string[] = [];
  for (const source of sources) {
    try {
      return await compileWasm(source);
    } catch (e) {
      failures.push(sources.length > 1 ? `${source.href}: ${e instanceof Error ? e.message : String(e)}` : e instanceof Error ? e.message : String(e));
    }
  }
  throw new Error(failures.join('; '));
}

/** Instantiates one variant; rejects if its binary cannot be loaded. */
export async function loadKernels(variant: KernelVariant, source?: WasmSource): Promise<Kernels> {
  if (variant === 'js') return referenceKernels;
  const module = source !== undefined ? await compileWasm(source) : await compileFirst(defaultSources(variant));
  return wasmKernels(await WebAssembly.instantiate(module, {}), variant);
}

async function choose(options: KernelOptions): Promise<{ kernels: Kernels; status: KernelStatus }> {
  const wanted = options.variant ?? 'auto';
  if (wanted === 'js') return { kernels: referenceKernels, status: { variant: 'js' } };
  const reasons: string[] = [];
  const candidates: ('simd' | 'scalar')[] = wanted === 'auto' ? ['simd', 'scalar'] : [wanted];
  for (const variant of candidates) {
    if (variant === 'simd' && !hasWasmSimd()) {
      reasons.push('simd: this runtime does not validate WebAssembly SIMD');
      continue;
    }
    try {
      const kernels = await loadKernels(variant, options[variant]);
      return { kernels, status: reasons.length ? { variant, reason: reasons.join('; ') } : { variant } };
    } catch (e) {
      reasons.push(`${variant}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const shipped = candidates.some((v) => options[v] === undefined) ? `; ${SERVE_HINT}` : '';
  return { kernels: referenceKernels, status: { variant: 'js', reason: reasons.join('; ') + shipped } };
}

let current: Promise<{ kernels: Kernels; status: KernelStatus }> | undefined;

/** The kernels in use, loaded on first call with the default options. Never rejects. */
export async function getKernels(): Promise<Kernels> {
  current ??= choose({});
  return (await current).kernels;
}

/**
 * Picks the kernel binaries (e.g. modules imported on Cloudflare Workers) and the variant, and
 * reports what is now in use. Without it, the binaries next to this module are found on first use.
 *
 * @example
 * // On Cloudflare Workers, hand over the binaries imported as wasm modules:
 * //   import simd from 'tfjs-attribution/kernels/attribution-kernels.simd.wasm';
 * //   await configureKernels({ simd });
 * await configureKernels({ variant: 'scalar' }); // Right({ variant: 'scalar' })
 * await configureKernels();                      // the default again: Right({ variant: 'simd' }) where SIMD validates
 * await configureKernels({ variant: 'gpu' } as never); // Left: options.variant: expected auto, simd, scalar, js
 */
export async function configureKernels(options: KernelOptions = {}): Promise<Result<KernelStatus>> {
  const fields = readFields(options, 'options', ['variant', 'simd', 'scalar', 'inPlace', 'simdInPlace', 'scalarInPlace']);
  if (fields._tag === 'Left') return fields;
  const { variant, simd, scalar, inPlace, simdInPlace, scalarInPlace } = fields.right;
  const variants = ['auto', 'simd', 'scalar', 'js'];
  const source = (value: unknown, path: string): Result<unknown> =>
    value === undefined || isWasmSource(value) ? ok(value) : fail({ _tag: 'InvalidArgument', path, expected: 'a WebAssembly.Module, bytes or a URL', got: describeValue(value) });
  const checked = all({
    variant: variant === undefined || variants.includes(variant as string) ? ok(variant) : fail({ _tag: 'InvalidArgument', path: 'options.variant', expected: variants.join(', '), got: describeValue(variant) }),
    simd: source(simd, 'options.simd'),
    scalar: source(scalar, 'options.scalar'),
    inPlace: inPlace === undefined || typeof inPlace === 'boolean' ? ok(inPlace) : fail({ _tag: 'InvalidArgument', path: 'options.inPlace', expected: 'a boolean', got: describeValue(inPlace) }),
    simdInPlace: source(simdInPlace, 'options.simdInPlace'),
    scalarInPlace: source(scalarInPlace, 'options.scalarInPlace'),
  });
  if (checked._tag === 'Left') return checked;
  const c = checked.right as KernelOptions;
  configureInPlace({ enabled: c.inPlace ?? true, ...(c.simdInPlace === undefined ? {} : { simd: c.simdInPlace }), ...(c.scalarInPlace === undefined ? {} : { scalar: c.scalarInPlace }) });
  current = choose(c);
  return ok((await current).status);
}

/**
 * The variant in use and, if it is not the fastest, why. Loads the kernels if needed.
 *
 * @example
 * await kernelStatus(); // { variant: 'simd' } in Node, Deno and browsers
 */
export async function kernelStatus(): Promise<KernelStatus> {
  current ??= choose({});
  return (await current).status;
}
