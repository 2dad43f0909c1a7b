// Reading a method's options object: known keys only (a typo such as `nsteps` is a Left, where
// Captum raises TypeError), each value checked at its own path, every problem reported at once.
import { describeValue, readFields } from './arguments.js';
import { fail, ok, type Result } from './validation.js';

/**
 * The fields of `options` named in `keys`; `undefined` reads as no fields. A key not in `keys`
 * is an `InvalidArgument` listing the known ones.
 */
export function readOptions<K extends string>(options: unknown, keys: readonly K[], path = 'options'): Result<Partial<Record<K, unknown>>> {
  const fields = readFields(options, path, keys);
  if (fields._tag === 'Left' || options === undefined) return fields;
  let own: string[];
  try {
    own = Object.keys(options as object);
  } catch {
    return fail({ _tag: 'InvalidArgument', path, expected: 'an object whose keys can be listed', got: 'an object that throws when its keys are read' });
  }
  const unknown = own.filter((k) => !(keys as readonly string[]).includes(k));
  if (unknown.length > 0) {
    return fail({
      _tag: 'InvalidArgument',
      path: `${path}.${unknown[0]}`,
      expected: `one of the options ${keys.join(', ')}`,
      got: unknown.length === 1 ? 'an unknown option' : `${unknown.length} unknown options (${unknown.slice(0, 5).join(', ')})`,
    });
  }
  return fields;
}

/** An integer in `[min, max]`, or `fallback` when absent. */
export function integerOption(value: unknown, path: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): Result<number> {
  if (value === undefined) return ok(fallback);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max) return ok(value);
  const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
  return fail({ _tag: 'InvalidArgument', path, expected: range, got: describeValue(value) });
}

/** Like {@link integerOption}, but absent stays `undefined` (an option with no default, such as a batch size). */
export function optionalIntegerOption(value: unknown, path: string, min: number): Result<number | undefined> {
  return value === undefined ? ok(undefined) : integerOption(value, path, min, min);
}

/** A finite number, or `fallback` when absent. */
export function numberOption(value: unknown, path: string, fallback: number, min = -Infinity): Result<number> {
  if (value === undefined) return ok(fallback);
  if (typeof value === 'number' && Number.isFinite(value) && value >= min) return ok(value);
  return fail({ _tag: 'InvalidArgument', path, expected: min === -Infinity ? 'a finite number' : `a finite number >= ${min}`, got: describeValue(value) });
}

/** A boolean, or `fallback` when absent. */
export function booleanOption(value: unknown, path: string, fallback: boolean): Result<boolean> {
  if (value === undefined) return ok(fallback);
  return typeof value === 'boolean' ? ok(value) : fail({ _tag: 'InvalidArgument', path, expected: 'a boolean', got: describeValue(value) });
}

/** One of `choices`, or `fallback` when absent. */
export function choiceOption<C extends string>(value: unknown, path: string, fallback: C, choices: readonly C[]): Result<C> {
  if (value === undefined) return ok(fallback);
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return ok(value as C);
  return fail({ _tag: 'InvalidArgument', path, expected: `one of ${choices.map((c) => `'${c}'`).join(', ')}`, got: describeValue(value) });
}

/** A function, or `undefined` when absent. */
export function functionOption<F>(value: unknown, path: string): Result<F | undefined> {
  if (value === undefined) return ok(undefined);
  return typeof value === 'function' ? ok(value as F) : fail({ _tag: 'InvalidArgument', path, expected: 'a function', got: describeValue(value) });
}
