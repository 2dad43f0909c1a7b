// Plain-JS reference for the AssemblyScript kernels: the same maths, f64 accumulation, in order.
// Used as the third variant (where no WebAssembly binary can be loaded) and as the oracle in tests.

/** Per-row sums of a row-major `[rows, cols]` matrix, accumulated in f64. */
export function rowSumsReference(data: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const sums = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let total = 0;
    const start = r * cols;
    for (let c = 0; c < cols; c++) total += data[start + c] as number;
    sums[r] = total;
  }
  return sums;
}

/** `dst[i] += src[i]`. */
export function addIntoReference(dst: Float64Array, src: Float64Array): void {
  for (let i = 0; i < dst.length; i++) dst[i] = (dst[i] as number) + (src[i] as number);
}

/** `attributionTotal[i] - (endSums[i] - startSums[i])`, Captum's per-example convergence delta. */
export function convergenceDeltaReference(attributionTotal: Float64Array, endSums: Float64Array, startSums: Float64Array): Float64Array {
  const delta = new Float64Array(attributionTotal.length);
  for (let i = 0; i < delta.length; i++) {
    delta[i] = (attributionTotal[i] as number) - ((endSums[i] as number) - (startSums[i] as number));
  }
  return delta;
}
