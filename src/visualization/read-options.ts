// Options objects of the visualisation functions: a plain object whose keys are all known. A key
// these functions do not know (Captum's snake_case `outlier_perc`, a typo) would otherwise be
// silently ignored and its default used, so it is refused, with the camelCase name when there is one.
import { describeValue, readFields } from '../core/arguments.js';
import type { AttributionError } from '../core/errors.js';
import { fail, failAll, type Result } from '../core/validation.js';

const camelCase = (key: string): string => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The named fields of `value` (undefined reads as none), refusing non-objects and unknown keys. */
export function readOptions<K extends string>(value: unknown, path: string, keys: readonly K[]): Result<Partial<Record<K, unknown>>> {
  if (ArrayBuffer.isView(value)) return fail({ _tag: 'InvalidArgument', path, expected: 'an object (or nothing)', got: describeValue(value) });
  const fields = readFields(value, path, keys);
  if (fields._tag === 'Left' || value === undefined) return fields;
  let own: string[];
  try {
    own = Object.keys(value as object);
  } catch {
    return fail({ _tag: 'InvalidArgument', path, expected: 'an object whose keys can be listed', got: 'an object that throws when its keys are listed' });
  }
  const unknown: AttributionError[] = own
    .filter((k) => !(keys as readonly string[]).includes(k))
    .map((k) => {
      const known = (keys as readonly string[]).find((key) => key === camelCase(k));
      return { _tag: 'InvalidArgument', path: `${path}.${k}`, expected: known !== undefined ? `'${known}' (options are camelCase)` : `one of the options ${keys.join(', ')}`, got: 'an unknown option' };
    });
  return failAll(unknown) ?? fields;
}
