// The one module that speaks fp-ts: results are Either<AttributionErrors, A>. Argument checks are
// applicative (every problem is reported at once); steps after the checks chain fail-fast.
// `#fp-ts/*` (package.json "imports") is fp-ts's CommonJS build for Node and Deno (its ES build
// has extensionless imports they cannot load) and its tree-shakeable ES build for bundlers.
import * as E from '#fp-ts/Either.js';
import * as RNEA from '#fp-ts/ReadonlyNonEmptyArray.js';
import { sequenceS } from '#fp-ts/Apply.js';
import type { AttributionError, AttributionErrors } from './errors.js';
import { holdingInputs } from './hold-inputs.js';

/**
 * What every public function returns: `Right` with the result, or `Left` with every problem found.
 *
 * @example
 * const r: Result<string> = getName('LayerGradCam');
 * console.log(r._tag === 'Right' ? r.right : message(r.left)); // 'Layer Grad Cam'
 */
export type Result<A> = E.Either<AttributionErrors, A>;

export const ok = <A>(value: A): Result<A> => E.right(value);
export const fail = (error: AttributionError): Result<never> => E.left([error]);

const accumulate = E.getApplicativeValidation(RNEA.getSemigroup<AttributionError>());

/** Runs independent checks and keeps every failure: `{a: Result<A>, b: Result<B>}` to `Result<{a: A, b: B}>`. */
export const all = sequenceS(accumulate);

/** A `Left` of all `errors`, or `undefined` when there are none. */
export function failAll(errors: readonly AttributionError[]): Result<never> | undefined {
  const [head, ...rest] = errors;
  return head === undefined ? undefined : E.left([head, ...rest]);
}

/** Like {@link all} for an array of checks. */
export function allOf<A>(results: readonly Result<A>[]): Result<A[]> {
  const errors: AttributionError[] = [];
  const values: A[] = [];
  for (const r of results) {
    if (E.isLeft(r)) errors.push(...r.left);
    else values.push(r.right);
  }
  return failAll(errors) ?? E.right(values);
}

/** `onThrow(e)`, or an `Unexpected` if even that throws: classifying a thrown value never throws. */
function classify(e: unknown, onThrow: (e: unknown) => AttributionError): Result<never> {
  try {
    return fail(onThrow(e));
  } catch {
    return fail({ _tag: 'Unexpected', path: '', message: errorText(e) });
  }
}

/** Runs `f`; an exception becomes a `Left` built by `onThrow`, so nothing escapes a public call. */
export function attempt<A>(f: () => Result<A>, onThrow: (e: unknown) => AttributionError): Result<A> {
  try {
    return f();
  } catch (e) {
    return classify(e, onThrow);
  }
}

/**
 * {@link attempt} for async work. The tensors the shared checks see while `f` starts are held
 * (cloned) until it settles, so a caller disposing an input mid-call cannot break it.
 */
export async function attemptAsync<A>(
  f: () => Promise<Result<A>>,
  onThrow: (e: unknown) => AttributionError,
): Promise<Result<A>> {
  try {
    return await holdingInputs(f);
  } catch (e) {
    return classify(e, onThrow);
  }
}

/**
 * A readable text for any thrown value, never throwing itself: an Error's message, else `String(e)`,
 * else its type tag (for `Object.create(null)`, a throwing Proxy, an Error whose `message` throws).
 */
export function errorText(e: unknown): string {
  try {
    if (e instanceof Error) {
      const m: unknown = e.message;
      return typeof m === 'string' ? m : String(m);
    }
    return String(e);
  } catch {
    try {
      const tag = Object.prototype.toString.call(e).slice(8, -1);
      return `an unprintable thrown value (${tag})`;
    } catch {
      return 'an unprintable thrown value';
    }
  }
}
