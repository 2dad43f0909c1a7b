import type { ReadonlyNonEmptyArray } from '#fp-ts/ReadonlyNonEmptyArray.js';

/**
 * Every way a call can fail, as data. Each variant carries `path` (the argument, e.g. `baselines[1]`)
 * and the offending values; {@link message} renders them. Captum's assertion categories map onto
 * these tags (see README, "Errors").
 *
 * @example
 * const r = tensorizeBaselines(tf.zeros([2, 3]), [0, 1]);
 * if (r._tag === 'Left') {
 *   const e: AttributionError = r.left[0];
 *   if (e._tag === 'BaselineCountMismatch') console.log(e.inputs, e.baselines); // 1 2
 * }
 */
export type AttributionError =
  /** A value of the wrong kind: a string where a tensor belongs, NaN where an integer belongs, ... */
  | { readonly _tag: 'InvalidArgument'; readonly path: string; readonly expected: string; readonly got: string }
  | { readonly _tag: 'TensorDisposed'; readonly path: string }
  | { readonly _tag: 'DtypeUnsupported'; readonly path: string; readonly expected: string; readonly got: string }
  /** Captum needs dimension 0 to be the batch; a 0-d tensor has none. */
  | { readonly _tag: 'RankZeroInput'; readonly path: string }
  /** A batch of 0 examples, which Captum cannot reshape to `[0, -1]`. */
  | { readonly _tag: 'EmptyBatch'; readonly path: string; readonly shape: readonly number[] }
  /** Tensors that must share dimension 0 (the batch) do not. */
  | { readonly _tag: 'BatchSizeMismatch'; readonly path: string; readonly expected: number; readonly got: number }
  | { readonly _tag: 'BaselineTypeInvalid'; readonly path: string; readonly got: string }
  | { readonly _tag: 'BaselineCountMismatch'; readonly path: string; readonly inputs: number; readonly baselines: number }
  | {
      readonly _tag: 'BaselineShapeInvalid';
      readonly path: string;
      readonly inputShape: readonly number[];
      readonly baselineShape: readonly number[];
    }
  | { readonly _tag: 'TargetTypeInvalid'; readonly path: string; readonly got: string }
  | { readonly _tag: 'TargetCountMismatch'; readonly path: string; readonly samples: number; readonly targets: number }
  /** A per-example list (or 1-D tensor) of class indices needs a 2-D `[N, classes]` output. */
  | { readonly _tag: 'TargetNeeds2DOutput'; readonly path: string; readonly outputShape: readonly number[] }
  /** More indices than the output has non-batch dimensions. */
  | {
      readonly _tag: 'TargetTooManyIndices';
      readonly path: string;
      readonly indices: number;
      readonly outputShape: readonly number[];
    }
  | {
      readonly _tag: 'TargetIndexOutOfRange';
      readonly path: string;
      readonly index: number;
      readonly dim: number;
      readonly size: number;
    }
  | {
      readonly _tag: 'TargetTensorShapeInvalid';
      readonly path: string;
      readonly targetShape: readonly number[];
      readonly outputShape: readonly number[];
    }
  /** Gradients need one scalar per example; the selected output has more. */
  | { readonly _tag: 'TargetRequiredForMultiOutput'; readonly path: string; readonly outputShape: readonly number[] }
  | { readonly _tag: 'AttributionBatchMismatch'; readonly path: string; readonly attribution: number; readonly endPoint: number }
  | { readonly _tag: 'InterpolateRankUnsupported'; readonly path: string; readonly rank: number }
  | {
      readonly _tag: 'InterpolateModeInvalid';
      readonly path: string;
      readonly mode: string;
      readonly rank: number;
      readonly valid: readonly string[];
    }
  | { readonly _tag: 'InterpolateSizeInvalid'; readonly path: string; readonly expected: string; readonly got: string }
  | { readonly _tag: 'ModelThrew'; readonly path: string; readonly message: string }
  | { readonly _tag: 'ModelOutputInvalid'; readonly path: string; readonly expected: string; readonly got: string }
  /** The gradient could not be taken, e.g. an input the model never used. */
  | { readonly _tag: 'GradientUnavailable'; readonly path: string; readonly message: string }
  | { readonly _tag: 'BackendUnavailable'; readonly path: string; readonly backend: string; readonly reason: string }
  /** Captum's `invalid-method`: an approximation method (or mode) name it does not know. */
  | { readonly _tag: 'MethodInvalid'; readonly path: string; readonly method: string; readonly valid: readonly string[] }
  /**
   * Work whose size is known in advance that the active backend cannot hold: refused before anything
   * is allocated, so the backend stays usable. `hint` says how to split it (a batch-size option).
   */
  | {
      readonly _tag: 'AllocationTooLarge';
      readonly path: string;
      readonly what: string;
      readonly bytes: number;
      readonly limit: number;
      readonly backend: string;
      readonly hint: string;
    }
  /**
   * Captum's visualize-zero-scale: the outlier threshold of the map restricted to `sign` is 0 (no value
   * of that sign, an all-zero map, or `outlierPerc` 100 over a map with zeros), so there is no scale to divide by.
   */
  | { readonly _tag: 'VisualizeScaleZero'; readonly path: string; readonly sign: string; readonly outlierPerc: number }
  /** Captum's visualize-invalid for a method that needs a one-signed map (`masked_image`, `alpha_scaling`) given `sign: 'all'`. */
  | { readonly _tag: 'VisualizeSignUnsupported'; readonly path: string; readonly method: string; readonly sign: string; readonly valid: readonly string[] }
  /** A long call stopped by its `AbortSignal`; nothing it made is kept. */
  | { readonly _tag: 'Aborted'; readonly path: string; readonly reason: string }
  /** A failure inside TF.js or the runtime that no argument check foresaw; reported, never thrown. */
  | { readonly _tag: 'Unexpected'; readonly path: string; readonly message: string };

/**
 * All problems found in one call, never empty.
 *
 * @example
 * const r = tensorizeBaselines(tf.zeros([2, 3]), 'zeros' as never);
 * const errors: AttributionErrors | undefined = r._tag === 'Left' ? r.left : undefined;
 * console.log(errors?.length, errors?.[0]._tag); // 1 'BaselineTypeInvalid'
 */
export type AttributionErrors = ReadonlyNonEmptyArray<AttributionError>;

/**
 * The tag of an error, for matching on kinds of failure.
 *
 * @example
 * const retryable: ErrorTag[] = ['ModelThrew', 'BackendUnavailable'];
 * const r = tensorizeBaselines(tf.zeros([2, 3]), [0, 1]);
 * if (r._tag === 'Left' && r.left.every((e) => !retryable.includes(e._tag))) console.log(message(r.left));
 */
export type ErrorTag = AttributionError['_tag'];

const shape = (s: readonly number[]): string => (Array.isArray(s) ? `[${s.join(',')}]` : String(s));

const formatBytes = (bytes: number): string =>
  bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${bytes} bytes`;

/**
 * One line for one error: `path: what was expected, what was got`.
 *
 * @example
 * describeError({ _tag: 'BaselineCountMismatch', path: 'baselines', inputs: 2, baselines: 3 });
 * // 'baselines: expected one baseline per input (2), got 3'
 */
export function describeError(error: AttributionError): string {
  try {
    return describeKnown(error) ?? describeUnknown(error);
  } catch {
    return describeUnknown(error);
  }
}

/** Any value that is not one of the tags below: said so, never thrown over. */
function describeUnknown(error: unknown): string {
  try {
    if (typeof error !== 'object' || error === null) return `not an attribution error: ${error === null ? 'null' : typeof error}`;
    const tag: unknown = (error as { _tag?: unknown })._tag;
    const path: unknown = (error as { path?: unknown }).path;
    const at = typeof path === 'string' && path !== '' ? `${path}: ` : '';
    return typeof tag === 'string' ? `${at}an error of unknown kind '${tag.slice(0, 60)}'` : `${at}not an attribution error (no _tag)`;
  } catch {
    return 'an unreadable error value';
  }
}

function describeKnown(error: AttributionError): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const at = typeof error.path !== 'string' || error.path === '' ? '' : `${error.path}: `;
  switch (error._tag) {
    case 'InvalidArgument':
      return `${at}expected ${error.expected}, got ${error.got}`;
    case 'TensorDisposed':
      return `${at}the tensor has been disposed`;
    case 'DtypeUnsupported':
      return `${at}expected dtype ${error.expected}, got ${error.got}`;
    case 'RankZeroInput':
      return `${at}expected a tensor whose dimension 0 is the batch, got a 0-d (scalar) tensor`;
    case 'EmptyBatch':
      return `${at}expected at least one example, got shape ${shape(error.shape)} (an empty batch)`;
    case 'BatchSizeMismatch':
      return `${at}expected batch size ${error.expected} (dimension 0), got ${error.got}`;
    case 'BaselineTypeInvalid':
      return `${at}expected a baseline that is a tensor or a finite number within float32's range, got ${error.got}`;
    case 'BaselineCountMismatch':
      return `${at}expected one baseline per input (${error.inputs}), got ${error.baselines}`;
    case 'BaselineShapeInvalid':
      return (
        `${at}expected a number, a tensor of the input's shape ${shape(error.inputShape)} ` +
        `or a one-example tensor [1,${error.inputShape.slice(1).join(',')}], got shape ${shape(error.baselineShape)}`
      );
    case 'TargetTypeInvalid':
      return (
        `${at}expected a target: undefined, an integer, an array of integers (one per example), ` +
        `target.path(...), target.perExamplePath(...), an int32 tensor or target.reduce(fn); got ${error.got}`
      );
    case 'TargetCountMismatch':
      return `${at}expected one target per example (${error.samples}), got ${error.targets}`;
    case 'TargetNeeds2DOutput':
      return `${at}expected a 2-D [N, classes] model output for per-example class indices, got shape ${shape(error.outputShape)}`;
    case 'TargetTooManyIndices':
      return (
        `${at}expected at most ${Math.max(error.outputShape.length - 1, 0)} indices for output shape ` +
        `${shape(error.outputShape)}, got ${error.indices}`
      );
    case 'TargetIndexOutOfRange':
      return `${at}expected an index in [${-error.size}, ${error.size - 1}] for output dimension ${error.dim} of size ${error.size}, got ${error.index}`;
    case 'TargetTensorShapeInvalid':
      return (
        `${at}expected a target tensor with one element or one per example, got shape ` +
        `${shape(error.targetShape)} for output shape ${shape(error.outputShape)}`
      );
    case 'TargetRequiredForMultiOutput':
      return (
        `${at}expected a target that selects one value per example (gradients need a scalar per example), ` +
        `got a selected output of shape ${shape(error.outputShape)}`
      );
    case 'AttributionBatchMismatch':
      return `${at}expected the attributions and the end point to share dimension 0 (${error.endPoint}), got ${error.attribution}`;
    case 'InterpolateRankUnsupported':
      return `${at}expected a 3-D, 4-D or 5-D layer attribution, got rank ${error.rank}`;
    case 'InterpolateModeInvalid':
      return `${at}expected one of ${error.valid.join(', ')} for a ${error.rank}-D input, got '${error.mode}'`;
    case 'InterpolateSizeInvalid':
      return `${at}expected ${error.expected}, got ${error.got}`;
    case 'ModelThrew':
      return `${at}the model threw: ${error.message}`;
    case 'ModelOutputInvalid':
      return `${at}expected the model to return ${error.expected}, got ${error.got}`;
    case 'GradientUnavailable':
      return `${at}could not take the gradient: ${error.message}`;
    case 'BackendUnavailable':
      return `${at}backend '${error.backend}' is unavailable: ${error.reason}`;
    case 'MethodInvalid':
      return `${at}expected one of ${error.valid.join(', ')}, got '${error.method}'`;
    case 'AllocationTooLarge':
      return (
        `${at}${error.what} needs ${formatBytes(error.bytes)}, more than the ${error.backend} backend can hold ` +
        `in one allocation (${formatBytes(error.limit)}); ${error.hint}`
      );
    case 'VisualizeScaleZero':
      return (
        `${at}expected attributions with some ${error.sign === 'all' || error.sign === 'absolute_value' ? 'non-zero' : error.sign} mass ` +
        `to scale by, got a threshold of 0 for sign '${error.sign}' and outlierPerc ${error.outlierPerc} (Captum: Cannot normalize by scale factor = 0)`
      );
    case 'VisualizeSignUnsupported':
      return `${at}expected one of ${error.valid.map((v) => `'${v}'`).join(', ')} for method '${error.method}' (it cannot show both signs at once), got '${error.sign}'`;
    case 'Aborted':
      return `${at}aborted: ${error.reason}`;
    case 'Unexpected':
      return `${at}unexpected failure: ${error.message}`;
  }
  return undefined;
}

/**
 * Renders every error of a failed call, one per line.
 *
 * @example
 * const r = tensorizeBaselines(tf.zeros([2, 3]), tf.zeros([4, 3]));
 * if (r._tag === 'Left') console.log(message(r.left));
 * // baselines: expected a number, a tensor of the input's shape [2,3] or a one-example tensor [1,3], got shape [4,3]
 */
export function message(errors: readonly AttributionError[]): string {
  try {
    if (!Array.isArray(errors)) return describeError(errors as unknown as AttributionError);
    return Array.from(errors, (e) => describeError(e)).join('\n');
  } catch {
    return 'an unreadable list of errors';
  }
}
