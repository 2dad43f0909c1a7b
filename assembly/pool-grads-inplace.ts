// Pooling gradients on NHWC float32 tensors, read and written where tfjs-backend-wasm keeps them
// (this module imports its memory: see row-sums-inplace.ts). `dx` is an output tensor the backend
// allocated (zeroed by JavaScript wherever a kernel does not write it); nothing else is written.

/**
 * The gradient of a max pool: each window's dy goes to the FIRST maximum of x in the window, in
 * row-major window order (a strict `>` from -Infinity: NaN never wins, and a window of NaN or
 * -Infinity passes nothing on).
 *
 * Overlapping windows (stride < filter) add into `dx`, which the caller zeroed: dx[at] += dy. When
 * they do not overlap (`tiles`: stride >= filter on both axes) every input pixel lies in at most one
 * window, so each window's pixels are WRITTEN instead (dy at the first maximum, 0 elsewhere) and
 * the caller need not zero `dx` where windows cover it; per four channels that is a second pass
 * over the window with a mask, `v == best` and not yet taken by an earlier pixel, only where
 * something won (`best > -Infinity`): no scalar scatter, no read-modify-write of dx.
 */
export function maxPoolGradF32(
  x: usize, dy: usize, dx: usize, batch: i32, inH: i32, inW: i32, c: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, filterH: i32, filterW: i32, top: i32, left: i32, tiles: bool,
): void {
  const pixel = <usize>c << 2;
  let dyAt = dy;
  for (let b = 0; b < batch; b++) {
    const xBatch = x + <usize>b * <usize>inH * <usize>inW * pixel;
    const dxBatch = dx + (xBatch - x);
    for (let p = 0; p < outH; p++) {
      const r0 = p * strideH - top;
      const rFrom = max(0, r0);
      const rTo = min(inH, r0 + filterH);
      for (let q = 0; q < outW; q++) {
        const c0 = q * strideW - left;
        const cFrom = max(0, c0);
        const cTo = min(inW, c0 + filterW);
        let k = 0;
        if (ASC_FEATURE_SIMD) {
          for (; k + 4 <= c; k += 4) {
            const lane = <usize>k << 2;
            let best = f32x4.splat(-Infinity);
            let at = i32x4.splat(-1);
            for (let r = rFrom; r < rTo; r++) {
              for (let col = cFrom; col < cTo; col++) {
                const off = (<usize>r * <usize>inW + <usize>col) * pixel + lane;
                const v = v128.load(xBatch + off);
                const better = f32x4.gt(v, best);
                best = v128.bitselect(v, best, better);
                at = v128.bitselect(i32x4.splat(<i32>off), at, better);
              }
            }
            const g = v128.load(dyAt + lane);
            if (tiles) {
              let open = f32x4.gt(best, f32x4.splat(-Infinity)); // lanes whose gradient is still to place
              for (let r = rFrom; r < rTo; r++) {
                for (let col = cFrom; col < cTo; col++) {
                  const off = (<usize>r * <usize>inW + <usize>col) * pixel + lane;
                  const here = v128.and(f32x4.eq(v128.load(xBatch + off), best), open);
                  v128.store(dxBatch + off, v128.and(g, here));
                  open = v128.andnot(open, here);
                }
              }
            } else {
              // A lane's `at` is the byte offset of its channel k+lane; -1 where nothing won.
              scatter(dxBatch, i32x4.extract_lane(at, 0), 0, f32x4.extract_lane(g, 0));
              scatter(dxBatch, i32x4.extract_lane(at, 1), 4, f32x4.extract_lane(g, 1));
              scatter(dxBatch, i32x4.extract_lane(at, 2), 8, f32x4.extract_lane(g, 2));
              scatter(dxBatch, i32x4.extract_lane(at, 3), 12, f32x4.extract_lane(g, 3));
            }
          }
        }
        for (; k < c; k++) {
          const lane = <usize>k << 2;
          let best: f32 = -Infinity;
          let at: i32 = -1;
          for (let r = rFrom; r < rTo; r++) {
            for (let col = cFrom; col < cTo; col++) {
              const off = (<usize>r * <usize>inW + <usize>col) * pixel + lane;
              const v = load<f32>(xBatch + off);
              if (v > best) {
                best = v;
                at = <i32>off;
              }
            }
          }
          const g = load<f32>(dyAt + lane);
          if (tiles) {
            for (let r = rFrom; r < rTo; r++) {
              for (let col = cFrom; col < cTo; col++) {
                const off = (<usize>r * <usize>inW + <usize>col) * pixel + lane;
                store<f32>(dxBatch + off, <i32>off == at ? g : 0);
              }
            }
          } else if (at >= 0) {
            store<f32>(dxBatch + <usize>at, load<f32>(dxBatch + <usize>at) + g);
          }
        }
        dyAt += pixel;
      }
    }
  }
}

/** Adds `g` at byte offset `at + lane` of `base`, unless the window had no maximum (`at` is -1). */
// @ts-ignore: decorator
@inline
function scatter(base: usize, at: i32, lane: i32, g: f32): void {
  if (at >= 0) {
    const to = base + <usize>(at + lane);
    store<f32>(to, load<f32>(to) + g);
  }
}

/** dx[pixel in window] += dy[window] * scale for every window position inside the input. */
export function avgPoolGradF32(
  dy: usize, dx: usize, batch: i32, inH: i32, inW: i32, c: i32, outH: i32, outW: i32,
  strideH: i32, strideW: i32, filterH: i32, filterW: i32, top: i32, left: i32, scale: f32,
): void {
  const pixel = <usize>c << 2;
  let dyAt = dy;
  for (let b = 0; b < batch; b++) {
    const dxBatch = dx + <usize>b * <usize>inH * <usize>inW * pixel;
    for (let p = 0; p < outH; p++) {
      const r0 = p * strideH - top;
      const rFrom = max(0, r0);
      const rTo = min(inH, r0 + filterH);
      for (let q = 0; q < outW; q++) {
        const c0 = q * strideW - left;
        const cFrom = max(0, c0);
        const cTo = min(inW, c0 + filterW);
        for (let r = rFrom; r < rTo; r++) {
          for (let col = cFrom; col < cTo; col++) {
            const to = dxBatch + (<usize>r * <usize>inW + <usize>col) * pixel;
            let k = 0;
            if (ASC_FEATURE_SIMD) {
              const s = f32x4.splat(scale);
              for (; k + 4 <= c; k += 4) {
                const lane = <usize>k << 2;
                v128.store(to + lane, f32x4.add(v128.load(to + lane), f32x4.mul(v128.load(dyAt + lane), s)));
              }
            }
            for (; k < c; k++) {
              const lane = <usize>k << 2;
              store<f32>(to + lane, load<f32>(to + lane) + load<f32>(dyAt + lane) * scale);
            }
          }
        }
        dyAt += pixel;
      }
    }
  }
}
