// Captum's Attribution.get_name: a space before every character that is not lower-case.
import { describeValue } from '../core/arguments.js';
import { fail, ok, type Result } from '../core/validation.js';

/** Python's `str.islower` for one character: true only for a cased, lower-case character. */
const isLower = (ch: string): boolean => ch === ch.toLowerCase() && ch !== ch.toUpperCase();

/**
 * The display name Captum derives from a class name: every character after the first that is not
 * lower-case (capitals, digits, underscores, other symbols) gets a space before it.
 *
 * @example
 * getName('IntegratedGradients'); // Right('Integrated Gradients')
 * getName('LRP');                 // Right('L R P')
 * getName('Alpha1_Beta0');        // Right('Alpha 1 _ Beta 0')
 */
export function getName(className: string): Result<string> {
  if (typeof className !== 'string') {
    return fail({ _tag: 'InvalidArgument', path: 'className', expected: 'a string', got: describeValue(className) });
  }
  let name = '';
  // for...of walks code points, so a character outside the BMP is one character, as in Python.
  for (const ch of className) name += name === '' || isLower(ch) ? ch : ` ${ch}`;
  return ok(name);
}
