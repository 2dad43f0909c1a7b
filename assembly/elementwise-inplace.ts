// Elementwise float32 kernels on tensors where tfjs-backend-wasm keeps them (this module imports its
// memory: see row-sums-inplace.ts). `out` is an output tensor the backend allocated; nothing else is
// written.

/** Binary ops of rowBroadcastF32 (tfjs's Add, Sub, Multiply on float32). */
const ADD = 0;
const SUB = 1;
// MUL = 2

/**
 * out[i, j] = x[i, j] op row[j] over m rows of c values (`swap`: row[j] op x[i, j]): a bias added
 * to [..., C]. The output is one flat pass with the row's offset wrapping at c, not a loop per row:
 * with C = 16 a row is four vectors, and a loop of its own per row costs more than the row.
 */
export function rowBroadcastF32(op: i32, x: usize, row: usize, out: usize, m: i32, c: i32, swap: bool): void {
  // One copy of the loop per op and order, each a constant there (inlined and folded).
  if (op == ADD) flat(ADD, x, row, out, m, c, false);
  else if (op == SUB) {
    if (swap) flat(SUB, x, row, out, m, c, true);
    else flat(SUB, x, row, out, m, c, false);
  } else flat(2, x, row, out, m, c, false);
}

// @ts-ignore: decorator
@inline
function flat(op: i32, x: usize, row: usize, out: usize, m: i32, c: i32, swap: bool): void {
  const rowBytes = <usize>c << 2;
  const total = <usize>m * rowBytes;
  if (ASC_FEATURE_SIMD && (c & 3) == 0) {
    // Whole vectors of the row: its offset `j` steps by 16 bytes and wraps to 0 at the row's end.
    let j: usize = 0;
    for (let at: usize = 0; at < total; at += 16) {
      const v = v128.load(x + at);
      const r = v128.load(row + j);
      v128.store(out + at, swap ? applyV(op, r, v) : applyV(op, v, r));
      j += 16;
      j = select<usize>(0, j, j == rowBytes);
    }
    return;
  }
  let j: usize = 0;
  for (let at: usize = 0; at < total; at += 4) {
    const v = load<f32>(x + at);
    const r = load<f32>(row + j);
    store<f32>(out + at, swap ? apply(op, r, v) : apply(op, v, r));
    j += 4;
    j = select<usize>(0, j, j == rowBytes);
  }
}

// @ts-ignore: decorator
@inline
function apply(op: i32, x: f32, y: f32): f32 {
  return op == ADD ? x + y : op == SUB ? x - y : x * y;
}

// @ts-ignore: decorator
@inline
function applyV(op: i32, x: v128, y: v128): v128 {
  return op == ADD ? f32x4.add(x, y) : op == SUB ? f32x4.sub(x, y) : f32x4.mul(x, y);
}

/**
 * out[j] = x[0, j] + x[1, j] + ... + x[r - 1, j] over r rows of c values: a sum over leading axes
 * (tfjs-backend-wasm transposes the tensor first to sum over the innermost ones). Each column is
 * added from 0 in row order in f32, as tfjs's own adds a row, so the sums are the same to the bit.
 * `out` (c values) stays in cache while the rows stream past it.
 */
export function sumLeadingF32(x: usize, out: usize, r: i32, c: i32): void {
  const bytes = <usize>c << 2;
  let rowAt = x;
  for (let i = 0; i < r; i++) {
    // The first row onto 0 (so -0 sums to +0, as from tfjs's 0), the others onto `out`.
    if (i == 0) accumulate(out, rowAt, bytes, true);
    else accumulate(out, rowAt, bytes, false);
    rowAt += bytes;
  }
}

/** out[j] = (first ? 0 : out[j]) + row[j] for `bytes` / 4 values. */
// @ts-ignore: decorator
@inline
function accumulate(out: usize, row: usize, bytes: usize, first: bool): void {
  let at: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const zero = f32x4.splat(0);
    for (; at + 32 <= bytes; at += 32) {
      const s0 = f32x4.add(first ? zero : v128.load(out + at), v128.load(row + at));
      const s1 = f32x4.add(first ? zero : v128.load(out + at, 16), v128.load(row + at, 16));
      v128.store(out + at, s0);
      v128.store(out + at, s1, 16);
    }
    if (at + 16 <= bytes) {
      v128.store(out + at, f32x4.add(first ? zero : v128.load(out + at), v128.load(row + at)));
      at += 16;
    }
  }
  for (; at < bytes; at += 4) store<f32>(out + at, (first ? <f32>0 : load<f32>(out + at)) + load<f32>(row + at));
}
