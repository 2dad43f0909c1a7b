// Reductions for tfjs-attribution. JavaScript owns the memory: it grows it,
// writes inputs from heapBase() on, calls a kernel and reads the f64 results.
export { rowSumsF32, rowSumsI32 } from './row-sums';
export { addInto, convergenceDelta } from './delta';

/** First byte JavaScript may use for data (after AssemblyScript's static data). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~<usize>15;
}
