// One loading path for every WebAssembly binary (our kernels and the tfjs wasm backend):
// a pre-compiled WebAssembly.Module is used as is (the only form Cloudflare Workers allow);
// bytes are compiled; a URL is read first (file: through the runtime's fs where it has one,
// anything else through fetch).

/**
 * A WebAssembly binary: compiled, as bytes, or where to find it.
 *
 * @example
 * const sources: WasmSource[] = [new URL('https://example.com/k.wasm'), new Uint8Array([0, 97, 115, 109])];
 * await configureKernels({ variant: 'scalar', scalar: sources[1] }); // bad bytes: Right({ variant: 'js', reason: ... })
 * await configureKernels();
 */
export type WasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | string;

/** Whether `value` is one of the {@link WasmSource} forms. */
export const isWasmSource = (value: unknown): value is WasmSource =>
  value instanceof WebAssembly.Module || value instanceof ArrayBuffer || ArrayBuffer.isView(value) || value instanceof URL || typeof value === 'string';

interface FsPromises {
  readFile(path: URL): Promise<Uint8Array>;
}
interface BuiltinModules {
  getBuiltinModule?: (id: string) => unknown;
}

/** Node >= 20.16 and Deno expose their fs without an import; a feature test keeps the core runtime-neutral. */
function runtimeFs(): FsPromises | undefined {
  const proc = (globalThis as { process?: BuiltinModules }).process;
  const fs = proc?.getBuiltinModule?.('fs/promises') as FsPromises | undefined;
  return typeof fs?.readFile === 'function' ? fs : undefined;
}

export async function readBytes(url: URL): Promise<ArrayBuffer | Uint8Array> {
  const fs = url.protocol === 'file:' ? runtimeFs() : undefined;
  if (fs !== undefined) return fs.readFile(url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`fetching ${url.href} failed with HTTP ${response.status}`);
  return response.arrayBuffer();
}

/** A compiled module from any {@link WasmSource}; rejects with a readable reason. */
export async function compileWasm(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source as BufferSource);
  const url = typeof source === 'string' ? new URL(source, import.meta.url) : source;
  return WebAssembly.compile((await readBytes(url)) as BufferSource);
}

// (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt)): valid only where SIMD is.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** Whether this runtime's WebAssembly has fixed-width SIMD (v128). */
export const hasWasmSimd = (): boolean => {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
};
