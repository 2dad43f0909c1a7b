// Convolutions on NHWC float32 tensors, read and written where tfjs-backend-wasm keeps them (this
// module imports its memory: see row-sums-inplace.ts). Each output value is computed whole and
// stored once; nothing else is written. For the shapes where tfjs-backend-wasm's XNNPACK measured
// slower (wasm-conv-kernels.ts says which), and the input gradient (tfjs-backend-wasm runs a naive
// loop; as a forward convolution over a spread, padded dy it multiplies the padding too). No FMA in
// SIMD128: each product is a mul then an add, summed in several accumulators so that the adds do not
// wait on each other, and neighbouring pixels share each filter vector loaded.

/**
 * y[b,oh,ow,:] = sum over taps (i,j) inside x and input channels c of x[b, oh*sh-top+i*dh, ow*sw-left+j*dw, c]
 * * f[i,j,c,:]. Vectorised over the output channels (f[i,j,c,:] is contiguous): one splat of x per
 * tap and channel feeds 16 outputs, for two neighbouring pixels with the same taps inside x at once.
 * The taps inside x are a range per output row and column (no test per tap); with dilation 1 a row
 * of taps reads kw*ci consecutive x values against kw*ci consecutive filter rows: one loop.
 * x: [batch,inH,inW,ci], f: [kh,kw,ci,co], y: [batch,outH,outW,co].
 */
export function conv2dF32(
  x: usize, f: usize, y: usize, batch: i32, inH: i32, inW: i32, ci: i32, outH: i32, outW: i32, co: i32,
  strideH: i32, strideW: i32, dilH: i32, dilW: i32, filterH: i32, filterW: i32, top: i32, left: i32,
): void {
  const xPixel = <usize>ci << 2;
  const row = <usize>co << 2; // f[i,j,c,:] in bytes
  const fRow = <usize>filterW * <usize>ci * row; // f[i,:,:,:] in bytes
  const wide = co & ~15; // output channels in chunks of 16
  let yAt = y;
  let done16 = false; // this pixel's chunks of 16 were computed with the previous one's
  for (let b = 0; b < batch; b++) {
    const xBatch = x + <usize>b * <usize>inH * <usize>inW * xPixel;
    for (let p = 0; p < outH; p++) {
      const r0 = p * strideH - top;
      const iFrom = first(r0, dilH);
      const iTo = min(filterH, first(r0 - inH, dilH));
      for (let q = 0; q < outW; q++) {
        const c0 = q * strideW - left;
        const jFrom = first(c0, dilW);
        const jTo = min(filterW, first(c0 - inW, dilW));
        // Runs of consecutive (j, c): one of (jTo-jFrom)*ci values with dilation 1, else one per j.
        const runs = jTo <= jFrom ? 0 : dilW == 1 ? 1 : jTo - jFrom;
        const runLen = dilW == 1 ? (jTo - jFrom) * ci : ci;
        const xStep = <usize>dilW * xPixel;
        const fStep = <usize>ci * row;
        const xFirst = xBatch + (<usize>c0 + <usize>jFrom * <usize>dilW) * xPixel; // c0 may be negative: wraps back in range
        const fFirst = f + <usize>jFrom * fStep;
        let k = done16 ? wide : 0;
        done16 = false;
        if (ASC_FEATURE_SIMD) {
          // Two neighbours with the same taps inside x: each filter vector loaded once serves both.
          const c1 = c0 + strideW;
          if (k == 0 && wide > 0 && q + 1 < outW && first(c1, dilW) == jFrom && min(filterW, first(c1 - inW, dilW)) == jTo) {
            const xNext = <usize>strideW * xPixel;
            for (; k < wide; k += 16) {
              const lane = <usize>k << 2;
              let a0 = f32x4.splat(0);
              let a1 = f32x4.splat(0);
              let a2 = f32x4.splat(0);
              let a3 = f32x4.splat(0);
              let e0 = f32x4.splat(0);
              let e1 = f32x4.splat(0);
              let e2 = f32x4.splat(0);
              let e3 = f32x4.splat(0);
              for (let i = iFrom; i < iTo; i++) {
                let xr = xFirst + <usize>(r0 + i * dilH) * <usize>inW * xPixel;
                let g = fFirst + <usize>i * fRow + lane;
                for (let run = 0; run < runs; run++) {
                  let xp = xr;
                  for (let m = 0; m < runLen; m++) {
                    const u = v128.load32_splat(xp);
                    const v = v128.load32_splat(xp + xNext);
                    const g0 = v128.load(g);
                    const g1 = v128.load(g, 16);
                    const g2 = v128.load(g, 32);
                    const g3 = v128.load(g, 48);
                    a0 = f32x4.add(a0, f32x4.mul(u, g0));
                    a1 = f32x4.add(a1, f32x4.mul(u, g1));
                    a2 = f32x4.add(a2, f32x4.mul(u, g2));
                    a3 = f32x4.add(a3, f32x4.mul(u, g3));
                    e0 = f32x4.add(e0, f32x4.mul(v, g0));
                    e1 = f32x4.add(e1, f32x4.mul(v, g1));
                    e2 = f32x4.add(e2, f32x4.mul(v, g2));
                    e3 = f32x4.add(e3, f32x4.mul(v, g3));
                    xp += 4;
                    g += row;
                  }
                  xr += xStep;
                }
              }
              v128.store(yAt + lane, a0);
              v128.store(yAt + lane, a1, 16);
              v128.store(yAt + lane, a2, 32);
              v128.store(yAt + lane, a3, 48);
              v128.store(yAt + row + lane, e0);
              v128.store(yAt + row + lane, e1, 16);
              v128.store(yAt + row + lane, e2, 32);
              v128.store(yAt + row + lane, e3, 48);
            }
            done16 = true;
          }
          for (; k + 16 <= co; k += 16) {
            const lane = <usize>k << 2;
            let a0 = f32x4.splat(0);
            let a1 = f32x4.splat(0);
            let a2 = f32x4.splat(0);
            let a3 = f32x4.splat(0);
            for (let i = iFrom; i < iTo; i++) {
              let xr = xFirst + <usize>(r0 + i * dilH) * <usize>inW * xPixel;
              let g = fFirst + <usize>i * fRow + lane;
              for (let run = 0; run < runs; run++) {
                let xp = xr;
                for (let m = 0; m < runLen; m++) {
                  const v = v128.load32_splat(xp);
                  a0 = f32x4.add(a0, f32x4.mul(v, v128.load(g)));
                  a1 = f32x4.add(a1, f32x4.mul(v, v128.load(g, 16)));
                  a2 = f32x4.add(a2, f32x4.mul(v, v128.load(g, 32)));
                  a3 = f32x4.add(a3, f32x4.mul(v, v128.load(g, 48)));
                  xp += 4;
                  g += row;
                }
                xr += xStep;
              }
            }
            v128.store(yAt + lane, a0);
            v128.store(yAt + lane, a1, 16);
            v128.store(yAt + lane, a2, 32);
            v128.store(yAt + lane, a3, 48);
          }
          for (; k + 4 <= co; k += 4) {
            const lane = <usize>k << 2;
            let a0 = f32x4.splat(0);
            for (let i = iFrom; i < iTo; i++) {
              let xr = xFirst + <usize>(r0 + i * dilH) * <usize>inW * xPixel;
              let g = fFirst + <usize>i * fRow + lane;
              for (let run = 0; run < runs; run++) {
                let xp = xr;
                for (let m = 0; m < runLen; m++) {
                  a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), v128.load(g)));
                  xp += 4;
                  g += row;
                }
                xr += xStep;
              }
            }
            v128.store(yAt + lane, a0);
          }
        }
        for (; k < co; k++) {
          const lane = <usize>k << 2;
          let a: f32 = 0;
          for (let i = iFrom; i < iTo; i++) {
            let xr = xFirst + <usize>(r0 + i * dilH) * <usize>inW * xPixel;
            let g = fFirst + <usize>i * fRow + lane;
            for (let run = 0; run < runs; run++) {
              let xp = xr;
              for (let m = 0; m < runLen; m++) {
                a += load<f32>(xp) * load<f32>(g);
                xp += 4;
                g += row;
              }
              xr += xStep;
            }
          }
          store<f32>(yAt + lane, a);
        }
        yAt += row;
      }
    }
  }
}

/** The first tap t >= 0 with at + t*step >= 0 (at + t*step < 0 before it). */
// @ts-ignore: decorator
@inline
function first(at: i32, step: i32): i32 {
  return at >= 0 ? 0 : step == 1 ? -at : (step - 1 - at) / step;
}

/**
 * dx[b,h,w,c] = sum over taps (i,j) with (h+top-i) = oh*sh, (w+left-j) = ow*sw inside dy, of
 * sum_k dy[b,oh,ow,k] * f[i,j,c,k]: the gather form of the input gradient, no zero multiplied.
 * For few input channels (dx has one per pixel in a first layer): vectorised over k, one horizontal
 * sum per value. The filter comes as fG: [ci,kh,kw,co] reversed along kw, so that for one tap row i
 * the taps meet dy's pixels in increasing order: with stride 1 a row is ONE dot product of
 * (taps)*co consecutive floats of dy against as many of fG; with stride s, runs of co floats (fG's
 * taps s apart). dy: [batch,outH,outW,co], dx: [batch,inH,inW,ci]. Dilation 1 (tfjs's attrs have none).
 * The taps of a pixel: i from (h+top) % sh in steps of sh with oh from (h+top) / sh down by one;
 * likewise j and ow, advanced along w without a division.
 */
export function conv2dBackpropInputF32(
  dy: usize, fG: usize, dx: usize, batch: i32, inH: i32, inW: i32, ci: i32, outH: i32, outW: i32, co: i32,
  strideH: i32, strideW: i32, filterH: i32, filterW: i32, top: i32, left: i32,
): void {
  const dyPixel = <usize>co << 2;
  const fRow = <usize>filterW * dyPixel; // fG[c,i,:,:] in bytes
  const gSkip = <usize>(strideW - 1) * dyPixel; // fG's taps between two of a pixel
  let dxAt = dx;
  for (let b = 0; b < batch; b++) {
    const dyBatch = dy + <usize>b * <usize>outH * <usize>outW * dyPixel;
    for (let h = 0; h < inH; h++) {
      const i0 = (h + top) % strideH;
      const oh0 = (h + top) / strideH;
      let j0 = left % strideW;
      let ow0 = left / strideW;
      for (let w = 0; w < inW; w++) {
        // Stride 1, four pixels whose taps are all inside dy: pixel w+p reads the same run of dy p
        // pixels further on, so each filter vector loaded serves four pixels (four loads of dy).
        if (ASC_FEATURE_SIMD && strideW == 1 && (co & 3) == 0 && w + 4 <= inW && w + left >= filterW - 1 && w + 3 + left < outW) {
          quadNarrow(dyBatch, fG, dxAt, ci, co, outH, outW, strideH, filterH, filterW, i0, oh0, w + left - filterW + 1);
          dxAt += <usize>ci << 4;
          ow0 += 4;
          w += 3;
          continue;
        }
        // Taps t: j = j0 + t*sw (inside the filter), ow = ow0 - t (inside dy); walked from the last.
        const tLo = max(0, ow0 - outW + 1);
        const tHi = min(strideW == 1 ? filterW : (filterW - j0 + strideW - 1) / strideW, ow0 + 1);
        const taps = tHi - tLo;
        const runs = taps <= 0 ? 0 : strideW == 1 ? 1 : taps;
        const runBytes = strideW == 1 ? <usize>taps * dyPixel : dyPixel;
        const dFirst = <usize>(ow0 - tHi + 1) * dyPixel;
        const gFirst = <usize>(filterW - 1 - j0 - (tHi - 1) * strideW) * dyPixel;
        for (let c = 0; c < ci; c++) {
          const fc = fG + <usize>c * <usize>filterH * fRow + gFirst;
          let s: f32 = 0;
          let ohAt = oh0;
          if (ASC_FEATURE_SIMD) {
            let a0 = f32x4.splat(0);
            let a1 = f32x4.splat(0);
            let a2 = f32x4.splat(0);
            let a3 = f32x4.splat(0);
            for (let i = i0; i < filterH && ohAt >= 0; i += strideH, ohAt--) {
              if (ohAt >= outH) continue;
              let d = dyBatch + <usize>ohAt * <usize>outW * dyPixel + dFirst;
              let g = fc + <usize>i * fRow;
              for (let run = 0; run < runs; run++) {
                const end = d + runBytes;
                for (; d + 64 <= end; d += 64, g += 64) {
                  a0 = f32x4.add(a0, f32x4.mul(v128.load(d), v128.load(g)));
                  a1 = f32x4.add(a1, f32x4.mul(v128.load(d, 16), v128.load(g, 16)));
                  a2 = f32x4.add(a2, f32x4.mul(v128.load(d, 32), v128.load(g, 32)));
                  a3 = f32x4.add(a3, f32x4.mul(v128.load(d, 48), v128.load(g, 48)));
                }
                for (; d + 16 <= end; d += 16, g += 16) a0 = f32x4.add(a0, f32x4.mul(v128.load(d), v128.load(g)));
                for (; d < end; d += 4, g += 4) s += load<f32>(d) * load<f32>(g);
                g += gSkip;
              }
            }
            const a = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
            s += (f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1)) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
          } else {
            for (let i = i0; i < filterH && ohAt >= 0; i += strideH, ohAt--) {
              if (ohAt >= outH) continue;
              let d = dyBatch + <usize>ohAt * <usize>outW * dyPixel + dFirst;
              let g = fc + <usize>i * fRow;
              for (let run = 0; run < runs; run++) {
                const end = d + runBytes;
                for (; d < end; d += 4, g += 4) s += load<f32>(d) * load<f32>(g);
                g += gSkip;
              }
            }
          }
          store<f32>(dxAt, s);
          dxAt += 4;
        }
        if (++j0 == strideW) {
          j0 = 0;
          ow0++;
        }
      }
    }
  }
}

/**
 * dx of four neighbouring pixels (stride 1 along w, every tap inside dy) for conv2dBackpropInputF32:
 * each row of taps is a run of filterW*co floats of fG against dy's run from pixel `owFirst`, and
 * pixel p's from owFirst + p. co is a multiple of 4.
 */
// @ts-ignore: decorator
@inline
function quadNarrow(
  dyBatch: usize, fG: usize, dxAt: usize, ci: i32, co: i32, outH: i32, outW: i32, strideH: i32,
  filterH: i32, filterW: i32, i0: i32, oh0: i32, owFirst: i32,
): void {
  const dyPixel = <usize>co << 2;
  const fRow = <usize>filterW * dyPixel;
  const runBytes = fRow;
  const dxPixel = <usize>ci << 2;
  for (let c = 0; c < ci; c++) {
    const fc = fG + <usize>c * <usize>filterH * fRow;
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let a2 = f32x4.splat(0);
    let a3 = f32x4.splat(0);
    let b0 = f32x4.splat(0);
    let b1 = f32x4.splat(0);
    let b2 = f32x4.splat(0);
    let b3 = f32x4.splat(0);
    let ohAt = oh0;
    for (let i = i0; i < filterH && ohAt >= 0; i += strideH, ohAt--) {
      if (ohAt >= outH) continue;
      const d = dyBatch + (<usize>ohAt * <usize>outW + <usize>owFirst) * dyPixel;
      const g = fc + <usize>i * fRow;
      let off: usize = 0;
      for (; off + 32 <= runBytes; off += 32) {
        const f0 = v128.load(g + off);
        const f1 = v128.load(g + off, 16);
        const d0 = d + off;
        const d1 = d0 + dyPixel;
        const d2 = d1 + dyPixel;
        const d3 = d2 + dyPixel;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(d0), f0));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(d1), f0));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(d2), f0));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(d3), f0));
        b0 = f32x4.add(b0, f32x4.mul(v128.load(d0, 16), f1));
        b1 = f32x4.add(b1, f32x4.mul(v128.load(d1, 16), f1));
        b2 = f32x4.add(b2, f32x4.mul(v128.load(d2, 16), f1));
        b3 = f32x4.add(b3, f32x4.mul(v128.load(d3, 16), f1));
      }
      if (off < runBytes) {
        const f0 = v128.load(g + off);
        const d0 = d + off;
        a0 = f32x4.add(a0, f32x4.mul(v128.load(d0), f0));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(d0 + dyPixel), f0));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(d0 + (dyPixel << 1)), f0));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(d0 + dyPixel * 3), f0));
      }
    }
    const at = dxAt + (<usize>c << 2);
    store<f32>(at, hsum(f32x4.add(a0, b0)));
    store<f32>(at + dxPixel, hsum(f32x4.add(a1, b1)));
    store<f32>(at + (dxPixel << 1), hsum(f32x4.add(a2, b2)));
    store<f32>(at + dxPixel * 3, hsum(f32x4.add(a3, b3)));
  }
}

// @ts-ignore: decorator
@inline
function hsum(a: v128): f32 {
  return (f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1)) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3));
}

/**
 * dx[.., c:c+16] (c = lane / 4) of two neighbouring pixels (stride 1 along w) for
 * conv2dBackpropInputWideF32: pixel w's tap j reads dy column ow - j, pixel w+1's the next one; a tap
 * inside dy for only one of them (at dy's edges) adds to that one's sums alone.
 */
// @ts-ignore: decorator
@inline
function pairWide(
  dyBatch: usize, fT: usize, dxPixelAt: usize, lane: usize, ci: i32, co: i32, outH: i32, outW: i32, strideH: i32,
  filterH: i32, filterW: i32, i0: i32, oh0: i32, ow: i32,
): void {
  const dyPixel = <usize>co << 2;
  const dxPixel = <usize>ci << 2;
  const tap = <usize>co * dxPixel;
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let a2 = f32x4.splat(0);
  let a3 = f32x4.splat(0);
  let e0 = f32x4.splat(0);
  let e1 = f32x4.splat(0);
  let e2 = f32x4.splat(0);
  let e3 = f32x4.splat(0);
  let ohAt = oh0;
  for (let i = i0; i < filterH && ohAt >= 0; i += strideH, ohAt--) {
    if (ohAt >= outH) continue;
    const dyRow = dyBatch + <usize>ohAt * <usize>outW * dyPixel;
    for (let j = 0; j < filterW; j++) {
      const at = ow - j; // pixel w's dy column; pixel w+1's is at + 1
      if (at < -1 || at >= outW) continue;
      let g = fT + <usize>(i * filterW + j) * tap + lane;
      if (at < 0 || at + 1 >= outW) {
        // inside dy for one of the two only
        let d = dyRow + <usize>max(at, 0) * dyPixel;
        const dEnd = d + dyPixel;
        let b0 = f32x4.splat(0);
        let b1 = f32x4.splat(0);
        let b2 = f32x4.splat(0);
        let b3 = f32x4.splat(0);
        for (; d < dEnd; d += 4) {
          const u = v128.load32_splat(d);
          b0 = f32x4.add(b0, f32x4.mul(u, v128.load(g)));
          b1 = f32x4.add(b1, f32x4.mul(u, v128.load(g, 16)));
          b2 = f32x4.add(b2, f32x4.mul(u, v128.load(g, 32)));
          b3 = f32x4.add(b3, f32x4.mul(u, v128.load(g, 48)));
          g += dxPixel;
        }
        if (at < 0) {
          e0 = f32x4.add(e0, b0);
          e1 = f32x4.add(e1, b1);
          e2 = f32x4.add(e2, b2);
          e3 = f32x4.add(e3, b3);
        } else {
          a0 = f32x4.add(a0, b0);
          a1 = f32x4.add(a1, b1);
          a2 = f32x4.add(a2, b2);
          a3 = f32x4.add(a3, b3);
        }
        continue;
      }
      let d = dyRow + <usize>at * dyPixel;
      const dEnd = d + dyPixel;
      for (; d < dEnd; d += 4) {
        const u = v128.load32_splat(d);
        const v = v128.load32_splat(d + dyPixel);
        const g0 = v128.load(g);
        const g1 = v128.load(g, 16);
        const g2 = v128.load(g, 32);
        const g3 = v128.load(g, 48);
        a0 = f32x4.add(a0, f32x4.mul(u, g0));
        a1 = f32x4.add(a1, f32x4.mul(u, g1));
        a2 = f32x4.add(a2, f32x4.mul(u, g2));
        a3 = f32x4.add(a3, f32x4.mul(u, g3));
        e0 = f32x4.add(e0, f32x4.mul(v, g0));
        e1 = f32x4.add(e1, f32x4.mul(v, g1));
        e2 = f32x4.add(e2, f32x4.mul(v, g2));
        e3 = f32x4.add(e3, f32x4.mul(v, g3));
        g += dxPixel;
      }
    }
  }
  const dxAt = dxPixelAt + lane;
  v128.store(dxAt, a0);
  v128.store(dxAt, a1, 16);
  v128.store(dxAt, a2, 32);
  v128.store(dxAt, a3, 48);
  v128.store(dxAt + dxPixel, e0);
  v128.store(dxAt + dxPixel, e1, 16);
  v128.store(dxAt + dxPixel, e2, 32);
  v128.store(dxAt + dxPixel, e3, 48);
}

/**
 * The same input gradient vectorised over the input channels, for many of them: dx[b,h,w,c:c+16] +=
 * dy[b,oh,ow,k] (one splat) * fT[i,j,k,c:c+16], with the filter given as fT: [kh,kw,co,ci] (its
 * channel axes swapped, so fT[i,j,k,:] is contiguous). Even and odd k go to separate accumulators
 * (eight chains per 16 channels), and no horizontal sums. dy: [batch,outH,outW,co], dx: [batch,inH,inW,ci].
 */
export function conv2dBackpropInputWideF32(
  dy: usize, fT: usize, dx: usize, batch: i32, inH: i32, inW: i32, ci: i32, outH: i32, outW: i32, co: i32,
  strideH: i32, strideW: i32, filterH: i32, filterW: i32, top: i32, left: i32,
): void {
  const dyPixel = <usize>co << 2;
  const dxPixel = <usize>ci << 2;
  const tap = <usize>co * dxPixel; // fT[i,j,:,:] in bytes
  let dxAt = dx;
  for (let b = 0; b < batch; b++) {
    const dyBatch = dy + <usize>b * <usize>outH * <usize>outW * dyPixel;
    for (let h = 0; h < inH; h++) {
      const i0 = (h + top) % strideH;
      const oh0 = (h + top) / strideH;
      let j0 = left % strideW;
      let ow0 = left / strideW;
      for (let w = 0; w < inW; w++) {
        let c = 0;
        if (ASC_FEATURE_SIMD) {
          // Stride 1, two pixels at a time: pixel w+1 reads dy one pixel further on, so each filter
          // vector loaded serves both (where a tap is inside dy for both).
          if (strideW == 1 && (ci & 15) == 0 && w + 2 <= inW) {
            for (; c < ci; c += 16) pairWide(dyBatch, fT, dxAt, <usize>c << 2, ci, co, outH, outW, strideH, filterH, filterW, i0, oh0, w + left);
            dxAt += dxPixel << 1;
            ow0 += 2;
            w++;
            continue;
          }
          for (; c + 16 <= ci; c += 16) {
            const lane = <usize>c << 2;
            let a0 = f32x4.splat(0);
            let a1 = f32x4.splat(0);
            let a2 = f32x4.splat(0);
            let a3 = f32x4.splat(0);
            let e0 = f32x4.splat(0);
            let e1 = f32x4.splat(0);
            let e2 = f32x4.splat(0);
            let e3 = f32x4.splat(0);
            for (let i = i0, oh = oh0; i < filterH && oh >= 0; i += strideH, oh--) {
              if (oh >= outH) continue;
              const dyRow = dyBatch + <usize>oh * <usize>outW * dyPixel;
              for (let j = j0, ow = ow0; j < filterW && ow >= 0; j += strideW, ow--) {
                if (ow >= outW) continue;
                let d = dyRow + <usize>ow * dyPixel;
                const dEnd = d + dyPixel;
                let g = fT + <usize>(i * filterW + j) * tap + lane;
                for (; d + 8 <= dEnd; d += 8) {
                  const u = v128.load32_splat(d);
                  const v = v128.load32_splat(d, 4);
                  const g1 = g + dxPixel;
                  a0 = f32x4.add(a0, f32x4.mul(u, v128.load(g)));
                  a1 = f32x4.add(a1, f32x4.mul(u, v128.load(g, 16)));
                  a2 = f32x4.add(a2, f32x4.mul(u, v128.load(g, 32)));
                  a3 = f32x4.add(a3, f32x4.mul(u, v128.load(g, 48)));
                  e0 = f32x4.add(e0, f32x4.mul(v, v128.load(g1)));
                  e1 = f32x4.add(e1, f32x4.mul(v, v128.load(g1, 16)));
                  e2 = f32x4.add(e2, f32x4.mul(v, v128.load(g1, 32)));
                  e3 = f32x4.add(e3, f32x4.mul(v, v128.load(g1, 48)));
                  g = g1 + dxPixel;
                }
                if (d < dEnd) {
                  const u = v128.load32_splat(d);
                  a0 = f32x4.add(a0, f32x4.mul(u, v128.load(g)));
                  a1 = f32x4.add(a1, f32x4.mul(u, v128.load(g, 16)));
                  a2 = f32x4.add(a2, f32x4.mul(u, v128.load(g, 32)));
                  a3 = f32x4.add(a3, f32x4.mul(u, v128.load(g, 48)));
                }
              }
            }
            v128.store(dxAt + lane, f32x4.add(a0, e0));
            v128.store(dxAt + lane, f32x4.add(a1, e1), 16);
            v128.store(dxAt + lane, f32x4.add(a2, e2), 32);
            v128.store(dxAt + lane, f32x4.add(a3, e3), 48);
          }
          for (; c + 4 <= ci; c += 4) {
            const lane = <usize>c << 2;
            let a0 = f32x4.splat(0);
            let e0 = f32x4.splat(0);
            for (let i = i0, oh = oh0; i < filterH && oh >= 0; i += strideH, oh--) {
              if (oh >= outH) continue;
              const dyRow = dyBatch + <usize>oh * <usize>outW * dyPixel;
              for (let j = j0, ow = ow0; j < filterW && ow >= 0; j += strideW, ow--) {
                if (ow >= outW) continue;
                let d = dyRow + <usize>ow * dyPixel;
                const dEnd = d + dyPixel;
                let g = fT + <usize>(i * filterW + j) * tap + lane;
                for (; d + 8 <= dEnd; d += 8) {
                  a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(d), v128.load(g)));
                  e0 = f32x4.add(e0, f32x4.mul(v128.load32_splat(d, 4), v128.load(g + dxPixel)));
                  g += dxPixel << 1;
                }
                if (d < dEnd) a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(d), v128.load(g)));
              }
            }
            v128.store(dxAt + lane, f32x4.add(a0, e0));
          }
        }
        for (; c < ci; c++) {
          const lane = <usize>c << 2;
          let s: f32 = 0;
          for (let i = i0, oh = oh0; i < filterH && oh >= 0; i += strideH, oh--) {
            if (oh >= outH) continue;
            const dyRow = dyBatch + <usize>oh * <usize>outW * dyPixel;
            for (let j = j0, ow = ow0; j < filterW && ow >= 0; j += strideW, ow--) {
              if (ow >= outW) continue;
              const d = dyRow + <usize>ow * dyPixel;
              let g = fT + <usize>(i * filterW + j) * tap + lane;
              for (let k: usize = 0; k < dyPixel; k += 4) {
                s += load<f32>(d + k) * load<f32>(g);
                g += dxPixel;
              }
            }
          }
          store<f32>(dxAt + lane, s);
        }
        dxAt += dxPixel;
        if (++j0 == strideW) {
          j0 = 0;
          ow0++;
        }
      }
    }
  }
}
