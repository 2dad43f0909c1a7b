// Captum's approximation_parameters: the points along the straight path from baseline to input
// (alphas) and the weight of each (step sizes), for integrated-gradients style methods.
import { fail, ok, type Result } from './validation.js';
import { describeValue } from './arguments.js';

/**
 * Captum's `SUPPORTED_METHODS` for path integrals.
 *
 * @example
 * const method: ApproximationMethod = 'riemann_trapezoid';
 * approximationParameters(method, 3); // Right({ alphas: [0, 0.5, 1], stepSizes: [1/6, 1/3, 1/6] })
 */
export type ApproximationMethod = 'riemann_left' | 'riemann_right' | 'riemann_middle' | 'riemann_trapezoid' | 'gausslegendre';

/**
 * Every {@link ApproximationMethod}, in Captum's order.
 *
 * @example
 * approximationMethods.includes('gausslegendre'); // true
 */
export const approximationMethods: readonly ApproximationMethod[] = ['riemann_left', 'riemann_right', 'riemann_middle', 'riemann_trapezoid', 'gausslegendre'];

/**
 * Points and weights of one approximation: `∫₀¹ g(α) dα ≈ Σ stepSizes[j] · g(alphas[j])`.
 *
 * @example
 * const r = approximationParameters('riemann_middle', 4);
 * if (r._tag === 'Right') {
 *   const { alphas, stepSizes }: ApproximationParameters = r.right; // [0.125, 0.375, 0.625, 0.875], [0.25 x4]
 * }
 */
export interface ApproximationParameters {
  readonly alphas: readonly number[];
  readonly stepSizes: readonly number[];
}

/** torch.linspace in float32: `n` evenly spaced values from `start` to `end`, each rounded to float32. */
function linspace32(start: number, end: number, n: number): number[] {
  const step = (end - start) / (n - 1);
  return Array.from({ length: n }, (_, i) => Math.fround(i === n - 1 ? end : start + i * step));
}

/**
 * Gauss-Legendre nodes (ascending) and weights on [-1, 1] in double precision: Newton's method on
 * the Legendre polynomial P_n from the Chebyshev-like first guess, as numpy's `leggauss` returns them.
 */
function gaussLegendre(n: number): { nodes: number[]; weights: number[] } {
  const nodes = new Array<number>(n);
  const weights = new Array<number>(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5)); // root i, counted from the right
    let derivative = 0;
    for (let iter = 0; iter < 100; iter++) {
      // P_n(x) and P_n'(x) by the three-term recurrence.
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 1 ? x : p1;
      const pPrev = n === 1 ? 1 : p0;
      derivative = (n * (x * pn - pPrev)) / (x * x - 1);
      const dx = pn / derivative;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    // Recompute P_n' at the converged root for the weight.
    let p0 = 1;
    let p1 = x;
    for (let k = 2; k <= n; k++) {
      const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
      p0 = p1;
      p1 = p2;
    }
    derivative = n === 1 ? 1 : (n * (x * p1 - p0)) / (x * x - 1);
    const w = 2 / ((1 - x * x) * derivative * derivative);
    nodes[n - 1 - i] = x;
    nodes[i] = -x;
    weights[n - 1 - i] = w;
    weights[i] = w;
  }
  if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
  return { nodes, weights };
}

/**
 * Captum's `approximation_parameters(method)` evaluated at `nSteps`, with Captum's quirks: Riemann
 * alphas are float32 (`torch.linspace`), the trapezoid weights are `1/n` with halved ends (they sum
 * to `(n-1)/n`), Gauss-Legendre never samples the end points. Riemann methods need `nSteps > 1`,
 * Gauss-Legendre `nSteps > 0`.
 *
 * @example
 * approximationParameters('riemann_right', 2);  // Right({ alphas: [0.5, 1], stepSizes: [0.5, 0.5] })
 * approximationParameters('gausslegendre', 2);  // Right({ alphas: [0.2113..., 0.7886...], stepSizes: [0.5, 0.5] })
 * approximationParameters('riemann_left', 1);   // Left: nSteps must be larger than one
 */
export function approximationParameters(method: ApproximationMethod, nSteps: number, path = 'nSteps'): Result<ApproximationParameters> {
  if (!approximationMethods.includes(method)) {
    return fail({ _tag: 'MethodInvalid', path: 'method', method: typeof method === 'string' ? method : describeValue(method), valid: approximationMethods });
  }
  const n = nSteps;
  if (!Number.isSafeInteger(n) || n < (method === 'gausslegendre' ? 1 : 2)) {
    const least = method === 'gausslegendre' ? 'an integer >= 1' : `an integer >= 2 for ${method}`;
    return fail({ _tag: 'InvalidArgument', path, expected: least, got: describeValue(nSteps) });
  }
  switch (method) {
    case 'riemann_left':
      return ok({ alphas: linspace32(0, 1 - 1 / n, n), stepSizes: Array.from({ length: n }, () => 1 / n) });
    case 'riemann_right':
      return ok({ alphas: linspace32(1 / n, 1, n), stepSizes: Array.from({ length: n }, () => 1 / n) });
    case 'riemann_middle':
      return ok({ alphas: linspace32(1 / (2 * n), 1 - 1 / (2 * n), n), stepSizes: Array.from({ length: n }, () => 1 / n) });
    case 'riemann_trapezoid':
      return ok({ alphas: linspace32(0, 1, n), stepSizes: Array.from({ length: n }, (_, i) => (i === 0 || i === n - 1 ? 1 / (2 * n) : 1 / n)) });
    case 'gausslegendre': {
      const { nodes, weights } = gaussLegendre(n);
      return ok({ alphas: nodes.map((x) => 0.5 * (1 + x)), stepSizes: weights.map((w) => 0.5 * w) });
    }
  }
}
