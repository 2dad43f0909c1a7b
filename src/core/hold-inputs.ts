// Inputs are held for the whole of an async call. A caller may dispose a tensor while a call it
// started is still awaiting (`const p = sumRows(x); x.dispose(); await p`); the call must not
// notice. Every tensor argument passes through the shared checks (checkTensor, the target, the
// baselines, the extra forward arguments) during the call's synchronous start; there each live
// tensor is swapped for a new tensor over the same data (no copy, see share()) that the call
// owns and releases when it settles. A tensor already disposed at entry is still `TensorDisposed`.
import * as tf from '@tensorflow/tfjs-core';

interface Scope {
  readonly held: tf.Tensor[];
}

let current: Scope | undefined;

/**
 * The tensor the call should use: inside a call's scope, a clone the call owns (kept out of any
 * enclosing `tf.tidy`); outside one (synchronous functions), the tensor itself.
 */
export function hold<T extends tf.Tensor>(t: T): T {
  if (current === undefined) return t;
  const clone = tf.keep(share(t)) as T;
  current.held.push(clone);
  return clone;
}

interface EngineInternals {
  state?: { tensorInfo?: { get(dataId: unknown): { backend?: { incRef?(dataId: unknown): void } } | undefined } };
  makeTensorFromDataId?(dataId: unknown, shape: number[], dtype: tf.DataType, backend?: unknown): tf.Tensor;
}

/**
 * A new tensor over the same data: what `tf.clone` does on cpu and webgpu. tfjs-backend-wasm's
 * Identity copies the data instead, so the reference is taken directly (the engine's own
 * `makeTensorFromDataId` plus the owning backend's `incRef`); `tf.clone` is the fallback.
 */
function share(t: tf.Tensor): tf.Tensor {
  try {
    const engine = tf.engine() as unknown as EngineInternals;
    const backend = engine.state?.tensorInfo?.get(t.dataId)?.backend;
    if (backend !== undefined && typeof backend.incRef === 'function' && typeof engine.makeTensorFromDataId === 'function') {
      const shared = engine.makeTensorFromDataId(t.dataId, [...t.shape], t.dtype, backend);
      backend.incRef(t.dataId);
      return shared;
    }
  } catch {
    // fall back to the public API
  }
  return tf.clone(t);
}

/**
 * Runs `start` (the synchronous beginning of an async call) with a scope open, so every tensor the
 * shared checks see in it is held; the holds are released when the returned promise settles.
 */
export function holdingInputs<A>(start: () => Promise<A>): Promise<A> {
  const scope: Scope = { held: [] };
  const outer = current;
  current = scope;
  let running: Promise<A>;
  try {
    running = start();
  } catch (e) {
    running = Promise.reject(e);
  } finally {
    current = outer;
  }
  const release = (): void => {
    for (const t of scope.held) {
      try {
        t.dispose();
      } catch {
        // a backend that fails to free must not turn a result into a failure
      }
    }
    scope.held.length = 0;
  };
  return running.then(
    (value) => {
      release();
      return value;
    },
    (e: unknown) => {
      release();
      throw e;
    },
  );
}
