// The interpretable (surrogate) models of Lime and KernelShap, in float64 JS: a weighted Lasso with an
// unpenalised intercept (scikit-learn's `Lasso` objective with `sample_weight`, solved by cyclic
// coordinate descent to convergence) and weighted least squares with an intercept (scikit-learn's
// `LinearRegression`: the minimum-norm solution where the system is under-determined).

/** A fitted linear model `y ≈ intercept + Σ_j coefficients[j] · x_j`. */
export interface LinearFit {
  readonly coefficients: Float64Array;
  readonly intercept: number;
}

/** Rows `X` (n × M), targets `y` and weights `w` (n each), centred by their weighted means. */
interface Centred {
  readonly n: number;
  readonly m: number;
  readonly cols: Float64Array[]; // M columns of n values, centred
  readonly y: Float64Array; // centred
  readonly w: Float64Array; // normalised to sum 1
  readonly xMean: Float64Array;
  readonly yMean: number;
}

function centre(x: readonly ArrayLike<number>[], y: ArrayLike<number>, w: ArrayLike<number>): Centred {
  const n = x.length;
  const m = n === 0 ? 0 : x[0]!.length;
  let total = 0;
  for (let t = 0; t < n; t++) total += w[t]!;
  const wn = Float64Array.from({ length: n }, (_, t) => w[t]! / total);
  const xMean = new Float64Array(m);
  let yMean = 0;
  for (let t = 0; t < n; t++) {
    yMean += wn[t]! * y[t]!;
    const row = x[t]!;
    for (let j = 0; j < m; j++) xMean[j] = xMean[j]! + wn[t]! * row[j]!;
  }
  const cols = Array.from({ length: m }, (_, j) => Float64Array.from({ length: n }, (_, t) => x[t]![j]! - xMean[j]!));
  const yc = Float64Array.from({ length: n }, (_, t) => y[t]! - yMean);
  return { n, m, cols, y: yc, w: wn, xMean, yMean };
}

const interceptOf = (c: Centred, beta: Float64Array): number => {
  let v = c.yMean;
  for (let j = 0; j < c.m; j++) v -= c.xMean[j]! * beta[j]!;
  return v;
};

/** Options of {@link weightedLasso}. */
export interface LassoOptions {
  /** Most coordinate-descent sweeps; default 100000. */
  readonly maxIter?: number;
  /** Stop when no coefficient moved more than `tol · max(1, max|β|)` in a sweep; default 1e-12. */
  readonly tol?: number;
}

/**
 * Minimises `(1/(2·Σw)) Σ_t w_t (y_t − β0 − x_t·β)² + alpha·‖β‖₁` over `β0` (not penalised) and `β`,
 * by cyclic coordinate descent. `alpha = 0` gives a weighted least-squares solution.
 */
export function weightedLasso(x: readonly ArrayLike<number>[], y: ArrayLike<number>, w: ArrayLike<number>, alpha: number, options: LassoOptions = {}): LinearFit {
  const c = centre(x, y, w);
  const maxIter = options.maxIter ?? 100000;
  const tol = options.tol ?? 1e-12;
  const beta = new Float64Array(c.m);
  const r = Float64Array.from(c.y); // residual y - Xβ (centred)
  const scale = c.cols.map((col) => col.reduce((s, v, t) => s + c.w[t]! * v * v, 0));
  for (let sweep = 0; sweep < maxIter; sweep++) {
    let moved = 0;
    let largest = 0;
    for (let j = 0; j < c.m; j++) {
      const a = scale[j]!;
      const col = c.cols[j]!;
      const old = beta[j]!;
      if (!(a > 0)) {
        beta[j] = 0;
        continue;
      }
      let rho = 0;
      for (let t = 0; t < c.n; t++) rho += c.w[t]! * col[t]! * r[t]!;
      rho += a * old;
      const next = Math.sign(rho) * Math.max(Math.abs(rho) - alpha, 0) / a;
      const change = next - old;
      if (change !== 0) {
        for (let t = 0; t < c.n; t++) r[t] = r[t]! - col[t]! * change;
        beta[j] = next;
      }
      moved = Math.max(moved, Math.abs(change));
      largest = Math.max(largest, Math.abs(next));
    }
    if (moved <= tol * Math.max(1, largest)) break;
  }
  return { coefficients: beta, intercept: interceptOf(c, beta) };
}

/**
 * Weighted least squares with an intercept: minimises `Σ_t w_t (y_t − β0 − x_t·β)²`, taking the
 * minimum-norm `β` when it is not unique (as `lstsq` does). Solved by a one-sided Jacobi SVD of the
 * centred, `√w`-scaled design, which never forms the normal equations.
 */
export function weightedLeastSquares(x: readonly ArrayLike<number>[], y: ArrayLike<number>, w: ArrayLike<number>): LinearFit {
  const c = centre(x, y, w);
  const { n, m } = c;
  const sw = Float64Array.from(c.w, Math.sqrt);
  const u = c.cols.map((col) => Float64Array.from(col, (v, t) => v * sw[t]!)); // columns of A = √w · Xc
  const b = Float64Array.from(c.y, (v, t) => v * sw[t]!);
  const v = Array.from({ length: m }, (_, j) => Float64Array.from({ length: m }, (_, i) => (i === j ? 1 : 0)));
  const eps = 2.220446049250313e-16;
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        const up = u[p]!;
        const uq = u[q]!;
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let t = 0; t < n; t++) {
          alpha += up[t]! * up[t]!;
          beta += uq[t]! * uq[t]!;
          gamma += up[t]! * uq[t]!;
        }
        if (gamma === 0 || Math.abs(gamma) <= eps * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const tan = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const cos = 1 / Math.sqrt(1 + tan * tan);
        const sin = cos * tan;
        for (let t = 0; t < n; t++) {
          const a1 = up[t]!;
          const a2 = uq[t]!;
          up[t] = cos * a1 - sin * a2;
          uq[t] = sin * a1 + cos * a2;
        }
        const vp = v[p]!;
        const vq = v[q]!;
        for (let i = 0; i < m; i++) {
          const a1 = vp[i]!;
          const a2 = vq[i]!;
          vp[i] = cos * a1 - sin * a2;
          vq[i] = sin * a1 + cos * a2;
        }
      }
    }
    if (!rotated) break;
  }
  const sigma = u.map((col) => Math.sqrt(col.reduce((s, e) => s + e * e, 0)));
  const cutoff = eps * Math.max(n, m) * Math.max(0, ...sigma);
  const coefficients = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const s = sigma[j]!;
    if (!(s > cutoff) || s === 0) continue;
    let proj = 0;
    const col = u[j]!;
    for (let t = 0; t < n; t++) proj += col[t]! * b[t]!;
    const k = proj / (s * s); // (u_j/σ)·b / σ
    const vj = v[j]!;
    for (let i = 0; i < m; i++) coefficients[i] = coefficients[i]! + k * vj[i]!;
  }
  return { coefficients, intercept: interceptOf(c, coefficients) };
}
