// The bench's compute ceiling of WebAssembly SIMD on this CPU (not part of the library): twelve
// independent f32x4 multiply-add chains (a = a * m + c; 128-bit SIMD has no fused multiply-add), as
// many as the registers hold, so the loop is bound by the arithmetic units, not by latency or
// memory. Built by `npm run bench` into build/bench/peak-simd.wasm.

/** Runs `iterations` rounds of 12 x 4 multiply-adds (96 flops per round); returns a value that depends on all of them. */
export function multiplyAdds(iterations: i32): f32 {
  const m = f32x4.splat(0.999);
  const c = f32x4.splat(0.001);
  let a0 = f32x4.splat(0.1);
  let a1 = f32x4.splat(0.2);
  let a2 = f32x4.splat(0.3);
  let a3 = f32x4.splat(0.4);
  let a4 = f32x4.splat(0.5);
  let a5 = f32x4.splat(0.6);
  let a6 = f32x4.splat(0.7);
  let a7 = f32x4.splat(0.8);
  let a8 = f32x4.splat(0.9);
  let a9 = f32x4.splat(1.0);
  let a10 = f32x4.splat(1.1);
  let a11 = f32x4.splat(1.2);
  for (let i = 0; i < iterations; i++) {
    a0 = f32x4.add(f32x4.mul(a0, m), c);
    a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c);
    a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c);
    a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c);
    a7 = f32x4.add(f32x4.mul(a7, m), c);
    a8 = f32x4.add(f32x4.mul(a8, m), c);
    a9 = f32x4.add(f32x4.mul(a9, m), c);
    a10 = f32x4.add(f32x4.mul(a10, m), c);
    a11 = f32x4.add(f32x4.mul(a11, m), c);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))),
    f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)),
  );
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
