// MaxPoolGrad for 'wasm' with torch's (and tfjs-backend-cpu's) tie rule. tfjs-backend-wasm 4.22 sends
// the gradient of a window whose maximum occurs more than once to the LAST maximal position; torch
// and the cpu backend send it to the FIRST (row-major in the window). Ties are exact whenever a
// constant region meets a max pool (a constant baseline, a blank image border), and then every
// gradient through the pool, and every path method that starts at such a baseline, disagrees with
// Captum's numbers. This kernel replaces the wasm one with a direct loop over the data the wasm
// backend keeps in CPU memory.
import * as tf from '@tensorflow/tfjs-core';

type Attrs = Record<string, unknown>;
type Backend = tf.KernelBackend & { incRef(dataId: tf.DataId): void };

function maxPoolGradFirst({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs?: Attrs }): tf.TensorInfo {
  const a = attrs ?? {};
  const xInfo = inputs['input'] as tf.TensorInfo;
  const dyInfo = inputs['dy'] as tf.TensorInfo;
  const info = tf.backend_util.computePool2DInfo(
    xInfo.shape as [number, number, number, number],
    a['filterSize'] as [number, number],
    a['strides'] as [number, number],
    1,
    a['pad'] as 'valid',
    a['dimRoundingMode'] as 'floor',
  );
  const x = backend.readSync(xInfo.dataId) as Float32Array;
  const dy = backend.readSync(dyInfo.dataId) as Float32Array;
  const [n, h, w, c] = xInfo.shape as [number, number, number, number];
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const dx = new Float32Array(n * h * w * c);
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < oh; p++) {
      const row0 = p * sh - info.padInfo.top;
      for (let q = 0; q < ow; q++) {
        const col0 = q * sw - info.padInfo.left;
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          for (let i = 0; i < fh; i += dh) {
            const row = row0 + i;
            if (row < 0 || row >= h) continue;
            for (let j = 0; j < fw; j += dw) {
              const col = col0 + j;
              if (col < 0 || col >= w) continue;
              const k = ((b * h + row) * w + col) * c + ch;
              const v = x[k] as number;
              if (v > best || at < 0) {
                best = v;
                at = k;
              }
            }
          }
          if (at >= 0) dx[at] = (dx[at] as number) + (dy[((b * oh + p) * ow + q) * c + ch] as number);
        }
      }
    }
  }
  const out = tf.tensor4d(dx, [n, h, w, c]);
  (backend as Backend).incRef(out.dataId);
  const result = { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
  out.dispose();
  return result;
}

/** Replaces the wasm MaxPoolGrad with the first-maximum one (once per process). */
export function registerWasmMaxPoolGrad(): void {
  const current = tf.getKernel('MaxPoolGrad', 'wasm');
  if (current?.kernelFunc === (maxPoolGradFirst as unknown as tf.KernelFunc)) return;
  if (current !== undefined) tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGradFirst as unknown as tf.KernelFunc });
}
