// The convergence-delta reduction, on per-example f64 sums.

/** dst[i] += src[i] for i < n: adds one attribution tensor's row sums into the running total. */
export function addInto(dst: usize, src: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 2 <= n; i += 2) {
      const at = <usize>i << 3;
      v128.store(dst + at, f64x2.add(v128.load(dst + at), v128.load(src + at)));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 3;
    store<f64>(dst + at, load<f64>(dst + at) + load<f64>(src + at));
  }
}

/** dst[i] = attributionTotal[i] - (endSums[i] - startSums[i]): Captum's per-example delta. */
export function convergenceDelta(attributionTotal: usize, endSums: usize, startSums: usize, n: i32, dst: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 2 <= n; i += 2) {
      const at = <usize>i << 3;
      const gap = f64x2.sub(v128.load(endSums + at), v128.load(startSums + at));
      v128.store(dst + at, f64x2.sub(v128.load(attributionTotal + at), gap));
    }
  }
  for (; i < n; i++) {
    const at = <usize>i << 3;
    store<f64>(dst + at, load<f64>(attributionTotal + at) - (load<f64>(endSums + at) - load<f64>(startSums + at)));
  }
}
