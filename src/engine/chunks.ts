// Long methods run in chunks (of steps, samples or perturbations) so memory stays bounded; between
// chunks they report progress and honour an AbortSignal.
import type { AttributionError } from '../core/errors.js';
import { describeValue } from '../core/arguments.js';
import { fail, ok, type Result } from '../core/validation.js';

/**
 * Progress of a long call: `done` of `total` units (steps, samples or perturbations) finished.
 *
 * @example
 * const onProgress = (p: Progress) => console.log(`${p.done}/${p.total}`); // 64/200, 128/200, 192/200, 200/200
 * const model = (x: tf.Tensor) => tf.sum(tf.sin(x), 1, true);
 * await integratedGradients(model, tf.ones([1, 3]), { nSteps: 200, internalBatchSize: 64, onProgress });
 */
export interface Progress {
  readonly done: number;
  readonly total: number;
}

/**
 * The options every long method takes to report progress and to be cancelled.
 *
 * @example
 * const controller = new AbortController();
 * const long: LongRunOptions = { signal: controller.signal, onProgress: (p) => p.done > 100 && controller.abort() };
 * const model = (x: tf.Tensor) => tf.sum(tf.sin(x), 1, true);
 * await integratedGradients(model, tf.ones([1, 3]), { nSteps: 500, internalBatchSize: 10, ...long }); // Left(Aborted)
 */
export interface LongRunOptions {
  /** Called after each chunk with the units finished so far. An exception it throws is ignored. */
  readonly onProgress?: (progress: Progress) => void;
  /** Stops the call between chunks; it then returns a `Left` with `Aborted`, keeping no tensor. */
  readonly signal?: AbortSignal;
}

export interface CheckedLongRun {
  readonly onProgress: ((progress: Progress) => void) | undefined;
  readonly signal: { readonly aborted: boolean; readonly reason?: unknown } | undefined;
}

/** Checks `onProgress` (a function) and `signal` (anything with a boolean `aborted`). */
export function checkLongRun(onProgress: unknown, signal: unknown): Result<CheckedLongRun> {
  const errors: AttributionError[] = [];
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    errors.push({ _tag: 'InvalidArgument', path: 'options.onProgress', expected: 'a function ({done, total}) => void', got: describeValue(onProgress) });
  }
  let signalOk = signal === undefined;
  try {
    signalOk ||= typeof signal === 'object' && signal !== null && typeof (signal as { aborted?: unknown }).aborted === 'boolean';
  } catch {
    signalOk = false;
  }
  if (!signalOk) errors.push({ _tag: 'InvalidArgument', path: 'options.signal', expected: 'an AbortSignal', got: describeValue(signal) });
  const [first] = errors;
  if (first !== undefined) return fail(first);
  return ok({ onProgress: onProgress as CheckedLongRun['onProgress'], signal: signal as CheckedLongRun['signal'] });
}

const reasonText = (reason: unknown): string => {
  try {
    return reason instanceof Error ? reason.message : reason === undefined ? 'the signal was aborted' : String(reason);
  } catch {
    return 'the signal was aborted';
  }
};

/** A `Left` with `Aborted` if the signal has fired, else `undefined`. */
export function abortedResult(run: CheckedLongRun): Result<never> | undefined {
  let aborted = false;
  try {
    aborted = run.signal?.aborted === true;
  } catch {
    aborted = true;
  }
  return aborted ? fail({ _tag: 'Aborted', path: 'options.signal', reason: reasonText(run.signal?.reason) }) : undefined;
}

/** Reports progress, never letting the caller's callback break the call. */
export function reportProgress(run: CheckedLongRun, done: number, total: number): void {
  try {
    run.onProgress?.({ done, total });
  } catch {
    // a progress callback is advisory
  }
}

/** The chunks `[start, end)` that cover `total` units, `size` at a time. */
export function chunkRanges(total: number, size: number): { readonly start: number; readonly end: number }[] {
  const ranges: { start: number; end: number }[] = [];
  for (let start = 0; start < total; start += size) ranges.push({ start, end: Math.min(total, start + size) });
  return ranges;
}

/** Yields to the event loop so an abort or a UI update can happen between chunks. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
