// Row sums read where the data already lives: this module is built to IMPORT tfjs-backend-wasm's
// WebAssembly.Memory (env.memory), so `src` is a tensor's offset in the backend's heap and `dst` is
// scratch taken from the backend's own allocator (malloc). The module has no data segments, no
// globals in memory and no start function: it never writes anything of its own into that memory,
// only the `rows` f64 results into `dst`. Each row is summed by rowSumF32 (row-sum-f32.ts: f64
// accumulation, eight streams, near memory speed). One source builds the SIMD and scalar binaries.
import { rowSumF32 } from './row-sum-f32';

/** dst[r] = sum of the f32 row r of src (rows x cols, row-major), in f64. dst is f64[rows]. */
export function rowSumsF32InPlace(src: usize, rows: i32, cols: i32, dst: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    store<f64>(dst + (<usize>r << 3), rowSumF32(src + <usize>r * rowBytes, cols));
  }
}
