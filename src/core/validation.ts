// The one module that speaks fp-ts: results are Either<AttributionErrors, A>. Argument checks are
// applicative (every problem is reported at once); steps after the checks chain fail-fast.
// `#fp-ts/*` (package.json "imports") is fp-ts's CommonJS build for Node and Deno (its ES build
// has extensionless imports they cannot load) and its tree-shakeable ES build for bundlers.
import * as E from '#fp-ts/Either.js';
import * as RNEA from '#fp-ts/ReadonlyNonEmptyArray.js';
import { sequenceS } from '#fp-ts/Apply.js';
import type { AttributionError, AttributionErrors } from './errors.js';

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

/** Runs `f`; an exception becomes a `Left` built by `onThrow`, so nothing escapes a public call. */
export function attempt<A>(f: () => Result<A>, onThrow: (e: unknown) => AttributionError): Result<A> {
  try {
    return f();
  } catch (e) {
    return fail(onThrow(e));
  }
}

/** {@link attempt} for async work. */
export async function attemptAsync<A>(
  f: () => Promise<Result<A>>,
  onThrow: (e: unknown) => AttributionError,
): Promise<Result<A>> {
  try {
    return await f();
  } catch (e) {
    return fail(onThrow(e));
  }
}

export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
