// Captum's `_format_additional_forward_args`: extra arguments appended after the inputs.
import { isTensor, readArray } from './arguments.js';
import { allOf, fail, ok, type Result } from './validation.js';
import { hold } from './hold-inputs.js';

/**
 * Arguments passed to the model after the inputs, unchanged. An array is spread (`f(...inputs, ...args)`,
 * like Captum's tuple); any other value is passed as one argument; `undefined`/`null` passes none.
 * To pass an array as a single argument, wrap it: `[[a, b]]`. Tensors are not expanded or copied,
 * so a per-example tensor must have the inputs' batch size.
 *
 * @example
 * const scaled = (x: tf.Tensor, scale: number) => tf.mul(tf.sum(x, 1), scale);
 * const args: AdditionalForwardArgs = [2];
 * await runForward(scaled, tf.ones([2, 3]), undefined, args); // Right(tensor [6, 6])
 */
export type AdditionalForwardArgs = unknown;

/**
 * The most extra arguments a model call takes. They are spread into one call, and engines refuse
 * calls with too many arguments (V8: a RangeError near 120,000); checked before anything is read.
 */
export const MAX_FORWARD_ARGS = 10_000;

/**
 * Captum's `_format_additional_forward_args`: the argument list, with every tensor in it checked to be alive.
 *
 * @example
 * formatAdditionalForwardArgs(undefined);     // Right([])
 * formatAdditionalForwardArgs(2);             // Right([2])
 * formatAdditionalForwardArgs([2, 'mode']);   // Right([2, 'mode']): spread after the inputs
 * formatAdditionalForwardArgs([[1, 2]]);      // Right([[1, 2]]): one argument that is an array
 */
export function formatAdditionalForwardArgs(args: AdditionalForwardArgs, path = 'additionalForwardArgs'): Result<readonly unknown[]> {
  if (args === undefined || args === null) return ok([]);
  if (Array.isArray(args)) {
    let count: unknown;
    try {
      count = args.length;
    } catch {
      count = undefined;
    }
    if (typeof count !== 'number' || count > MAX_FORWARD_ARGS) {
      return fail({ _tag: 'InvalidArgument', path, expected: `at most ${MAX_FORWARD_ARGS} extra arguments (they are spread into one call)`, got: typeof count === 'number' ? `${count}` : 'an array whose length cannot be read' });
    }
  }
  const read = Array.isArray(args) ? readArray(args, path) : ok([args]);
  if (read._tag === 'Left') return read;
  return allOf(
    read.right.map((a, i) =>
      isTensor(a) ? (a.isDisposed ? fail({ _tag: 'TensorDisposed', path: Array.isArray(args) ? `${path}[${i}]` : path }) : ok(hold(a))) : ok(a),
    ),
  );
}
