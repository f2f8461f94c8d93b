//! Vector bijectors: round trips at random points and near the boundaries of the supports,
//! log-Jacobians against the log determinant of a finite-difference Jacobian, and reverse-mode
//! gradients of the forward map against finite differences.
//!
//! The Jacobian of a map ℝᵐ → ℝⁿ with `n > m` is taken over the free coordinates of the
//! constrained value, as in the Stan Reference Manual's densities:
//!
//! - simplex of `K`: the first `K - 1` components (the last is `1 - Σ` of them);
//! - ordered, positive ordered and elementwise vectors: every element;
//! - correlation Cholesky factor: the strictly lower triangle, row by row (the diagonal follows
//!   from the unit rows, the upper triangle is zero);
//! - covariance Cholesky factor: the lower triangle with its diagonal, row by row;
//! - covariance matrix: the lower triangle with its diagonal, row by row (the upper triangle
//!   mirrors it).
//!
//! Each test prints its worst error (`cargo test -p model-runtime --test bijectors --
//! --nocapture`).
//!
//! Its length (about 1,120 lines) is one section per bijector with the same three checks, kept in
//! one file so that a new bijector is checked the same way.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use model_runtime::Support;
use model_runtime::autodiff::{Var, gradient};
use model_runtime::bijectors::*;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;

/// Counts the heap allocations of each thread, so that a test can see that the forward maps
/// allocate nothing while other tests run.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A bijector whose forward map runs on `f64` and on autodiff variables.
trait Bijector: ForwardMap<f64> + ForwardMap<Var> {}
impl<B: ForwardMap<f64> + ForwardMap<Var>> Bijector for B {}

/// One bijector under test: its name, the positions of the constrained value's free
/// coordinates (see the module documentation), and for elementwise supports each element's
/// `(lower, upper)` bounds.
struct Case {
    name: String,
    bijector: Box<dyn Bijector>,
    free: Vec<usize>,
    bounds: Vec<(f64, f64)>,
}

fn case(name: impl Into<String>, bijector: impl Bijector + 'static, free: Vec<usize>) -> Case {
    Case {
        name: name.into(),
        bijector: Box::new(bijector),
        free,
        bounds: Vec::new(),
    }
}

/// An elementwise case with element `i` in `(lower(i), upper(i))`.
fn elementwise(
    name: &str,
    bijector: Elementwise<'static>,
    bounds: impl Fn(usize) -> (f64, f64),
) -> Case {
    let n = bijector.constrained_len();
    Case {
        bounds: (0..n).map(bounds).collect(),
        ..case(name, bijector, all(n))
    }
}

const PER_ELEMENT_LOWER: [f64; 3] = [-1.0, 0.0, 100.0];
const PER_ELEMENT_UPPER: [f64; 3] = [1.0, 1e-3, 300.0];

fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for k in [1, 2, 3, 5, 10] {
        cases.push(case(
            format!("simplex {k}"),
            Simplex::new(k).unwrap(),
            (0..k - 1).collect(),
        ));
    }
    for k in [1, 2, 5] {
        cases.push(case(format!("ordered {k}"), Ordered::new(k), all(k)));
        cases.push(case(
            format!("positive ordered {k}"),
            PositiveOrdered::new(k),
            all(k),
        ));
    }
    for k in [1, 2, 3, 5] {
        cases.push(case(
            format!("correlation Cholesky {k}"),
            CorrelationCholesky::new(k),
            strict_lower(k),
        ));
    }
    for k in [1, 2, 4] {
        cases.push(case(
            format!("covariance Cholesky {k}"),
            CovarianceCholesky::new(k),
            lower_with_diagonal(k),
        ));
        cases.push(case(
            format!("covariance matrix {k}"),
            CovarianceMatrix::new(k),
            lower_with_diagonal(k),
        ));
    }
    let inf = f64::INFINITY;
    let pi = core::f64::consts::PI;
    cases.push(elementwise("real", Elementwise::real(3), |_| (-inf, inf)));
    cases.push(elementwise("positive", Elementwise::positive(3), |_| {
        (0.0, inf)
    }));
    cases.push(elementwise(
        "unit interval",
        Elementwise::unit_interval(3),
        |_| (0.0, 1.0),
    ));
    cases.push(elementwise("circular", Elementwise::circular(2), |_| {
        (-pi, pi)
    }));
    cases.push(elementwise(
        "shared interval",
        Elementwise::interval(3, Bound::Shared(-2.0), Bound::Shared(5.0)).unwrap(),
        |_| (-2.0, 5.0),
    ));
    cases.push(elementwise(
        "per-element interval",
        Elementwise::interval(
            3,
            Bound::PerElement(&PER_ELEMENT_LOWER),
            Bound::PerElement(&PER_ELEMENT_UPPER),
        )
        .unwrap(),
        |i| (PER_ELEMENT_LOWER[i], PER_ELEMENT_UPPER[i]),
    ));
    cases.push(elementwise(
        "per-element greater than",
        Elementwise::greater_than(3, Bound::PerElement(&PER_ELEMENT_LOWER)).unwrap(),
        |i| (PER_ELEMENT_LOWER[i], inf),
    ));
    cases.push(elementwise(
        "shared less than",
        Elementwise::less_than(3, Bound::Shared(-4.0)).unwrap(),
        |_| (-inf, -4.0),
    ));
    cases.push(elementwise(
        "from support",
        Elementwise::from_support(2, Support::GreaterThan(1.5)).unwrap(),
        |_| (1.5, inf),
    ));
    cases
}

fn all(n: usize) -> Vec<usize> {
    (0..n).collect()
}

/// Row-major positions of the strictly lower triangle of a `k×k` matrix, row by row.
fn strict_lower(k: usize) -> Vec<usize> {
    (0..k)
        .flat_map(|row| (0..row).map(move |column| row * k + column))
        .collect()
}

/// Row-major positions of the lower triangle of a `k×k` matrix with its diagonal, row by row.
fn lower_with_diagonal(k: usize) -> Vec<usize> {
    (0..k)
        .flat_map(|row| (0..=row).map(move |column| row * k + column))
        .collect()
}

fn normals(rng: &mut ChaCha8Rng, n: usize, scale: f64) -> Vec<f64> {
    (0..n)
        .map(|_| scale * rng.sample::<f64, _>(StandardNormal))
        .collect()
}

/// The worst error seen per case, printed as a table when the test ends.
struct Worst {
    title: &'static str,
    by_case: Vec<(String, f64)>,
}

impl Worst {
    fn new(title: &'static str) -> Self {
        Worst {
            title,
            by_case: Vec::new(),
        }
    }

    fn record(&mut self, name: &str, error: f64) {
        match self.by_case.iter_mut().find(|(n, _)| n == name) {
            Some((_, worst)) => *worst = worst.max(error),
            None => self.by_case.push((name.to_owned(), error)),
        }
    }
}

impl Drop for Worst {
    fn drop(&mut self) {
        let (name, overall) = self
            .by_case
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .cloned()
            .unwrap_or_default();
        let mut table = format!("{}: worst {overall:.2e} ({name})\n", self.title);
        for (name, error) in &self.by_case {
            table += &format!("    {name:<28} {error:.2e}\n");
        }
        eprint!("{table}");
    }
}

/// `(x, ln |det J|)` in `f64`.
fn forward(bijector: &dyn Bijector, u: &[f64]) -> (Vec<f64>, f64) {
    let mut x = vec![0.0; bijector.constrained_len()];
    let log_jacobian = ForwardMap::<f64>::forward(bijector, u, &mut x).unwrap();
    (x, log_jacobian)
}

fn inverse(bijector: &dyn Bijector, x: &[f64]) -> Result<Vec<f64>, BijectorError> {
    let mut u = vec![0.0; bijector.unconstrained_len()];
    bijector.inverse(x, &mut u)?;
    Ok(u)
}

/// The largest of `|a_i - b_i| / (1 + |b_i|)`.
fn max_error(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(a, b)| (a - b).abs() / (1.0 + b.abs()))
        .fold(0.0, f64::max)
}

/// The largest of `|a_i - b_i| / |b_i|` (for components far below 1, where `max_error` would
/// see nothing).
fn max_relative_error(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(a, b)| {
            if *b == 0.0 {
                a.abs()
            } else {
                (a - b).abs() / b.abs()
            }
        })
        .fold(0.0, f64::max)
}

/// `ln |det A|` of the row-major `n×n` matrix `a`, by LU decomposition with partial pivoting
/// (Golub and Van Loan, "Matrix Computations", algorithm 3.4.1).
fn ln_abs_det(mut a: Vec<f64>, n: usize) -> f64 {
    let mut ln_det = 0.0;
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))
            .unwrap();
        if pivot != col {
            for m in 0..n {
                a.swap(pivot * n + m, col * n + m);
            }
        }
        let p = a[col * n + col];
        ln_det += p.abs().ln();
        for row in col + 1..n {
            let factor = a[row * n + col] / p;
            for m in col..n {
                a[row * n + m] -= factor * a[col * n + m];
            }
        }
    }
    ln_det
}

/// The Cholesky factor (row-major, zeros above the diagonal) of a symmetric positive definite
/// matrix.
fn cholesky(a: &[f64], n: usize) -> Vec<f64> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = a[i * n + j] - (0..j).map(|m| l[i * n + m] * l[j * n + m]).sum::<f64>();
            l[i * n + j] = if i == j { s.sqrt() } else { s / l[j * n + j] };
        }
    }
    l
}

/// `A Aᵀ + δ I` for a random `n×n` matrix `A`: a random covariance matrix.
fn random_covariance(rng: &mut ChaCha8Rng, n: usize, delta: f64) -> Vec<f64> {
    let a = normals(rng, n * n, 1.0);
    let mut s = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            s[i * n + j] = (0..n).map(|m| a[i * n + m] * a[j * n + m]).sum::<f64>();
        }
        s[i * n + i] += delta;
    }
    s
}

/// A random point of the support of case `c`, drawn independently of the forward map.
fn random_constrained(c: &Case, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let n = c.bijector.constrained_len();
    let k = (n as f64).sqrt().round() as usize;
    if !c.bounds.is_empty() {
        return c
            .bounds
            .iter()
            .map(|&(lower, upper)| {
                let step = rng.sample::<f64, _>(StandardNormal).exp();
                match (lower.is_finite(), upper.is_finite()) {
                    (true, true) => rng.random_range(lower..upper),
                    (true, false) => lower + step,
                    (false, true) => upper - step,
                    (false, false) => 10.0 * rng.sample::<f64, _>(StandardNormal),
                }
            })
            .collect();
    }
    let kind = c
        .name
        .trim_end_matches(|ch: char| ch.is_ascii_digit() || ch == ' ');
    match kind {
        "simplex" => {
            let w: Vec<f64> = normals(rng, n, 3.0).into_iter().map(f64::exp).collect();
            let total: f64 = w.iter().sum();
            w.iter().map(|v| v / total).collect()
        }
        "ordered" | "positive ordered" => {
            let mut x = normals(rng, n, 3.0);
            if kind == "positive ordered" {
                x.iter_mut().for_each(|v| *v = v.exp());
            }
            x.sort_by(f64::total_cmp);
            x
        }
        "correlation Cholesky" => {
            let s = random_covariance(rng, k, 0.1);
            let mut c = s.clone();
            for i in 0..k {
                for j in 0..k {
                    c[i * k + j] = s[i * k + j] / (s[i * k + i] * s[j * k + j]).sqrt();
                }
            }
            cholesky(&c, k)
        }
        "covariance Cholesky" => {
            let mut l = normals(rng, n, 2.0);
            for i in 0..k {
                l[i * k + i] = l[i * k + i].abs() + 0.1;
                for j in i + 1..k {
                    l[i * k + j] = 0.0;
                }
            }
            l
        }
        "covariance matrix" => random_covariance(rng, k, 0.1),
        other => panic!("no sampler for case {other}"),
    }
}

/// How much rounding `x` by one ulp moves `u` (relative to `1 + |u|`), for the maps whose
/// inverse is ill-conditioned in places: an ordered vector's increments and a bounded element's
/// distance to its bound are differences, and a covariance matrix determines its Cholesky
/// diagonal `L_ii` through `Σ_ii = Σ_j L_ij²`, so `u_ii` is known to about
/// `ε max Σ_ii / L_ii²`. Elsewhere 1.
fn condition(c: &Case, u: &[f64], x: &[f64]) -> f64 {
    let finite = |v: f64| if v.is_finite() { v.abs() } else { 0.0 };
    let condition = if !c.bounds.is_empty() {
        x.iter()
            .zip(&c.bounds)
            .map(|(&v, &(lower, upper))| {
                (v.abs() + finite(lower) + finite(upper)) / (v - lower).min(upper - v)
            })
            .fold(0.0, f64::max)
    } else if c.name.starts_with("ordered") || c.name.starts_with("positive ordered") {
        let largest = x.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
        let smallest_step = u.iter().skip(1).fold(f64::INFINITY, |m, v| m.min(v.exp()));
        largest / smallest_step
    } else if c.name.starts_with("covariance matrix") {
        let k = (x.len() as f64).sqrt().round() as usize;
        let largest = (0..k).map(|i| x[i * k + i]).fold(0.0, f64::max);
        let smallest = (0..k)
            .map(|i| (2.0 * u[i * (i + 1) / 2 + i]).exp())
            .fold(f64::INFINITY, f64::min);
        largest / smallest
    } else {
        1.0
    };
    condition.max(1.0)
}

#[test]
fn unconstrained_round_trip() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut worst = Worst::new("u -> x -> u, |Δu| / (1 + |u|) / condition");
    for c in cases() {
        for scale in [0.3, 1.0, 2.5] {
            for _ in 0..50 {
                let u = normals(&mut rng, c.bijector.unconstrained_len(), scale);
                let (x, log_jacobian) = forward(&*c.bijector, &u);
                assert!(log_jacobian.is_finite(), "{}: {u:?}", c.name);
                c.bijector
                    .check(&x)
                    .unwrap_or_else(|e| panic!("{}: forward({u:?}) = {x:?}: {e}", c.name));
                let back = inverse(&*c.bijector, &x).unwrap();
                let error = max_error(&back, &u) / condition(&c, &u, &x);
                assert!(error < 1e-12, "{}: {u:?} -> {x:?} -> {back:?}", c.name);
                worst.record(&c.name, error);
            }
        }
    }
}

#[test]
fn constrained_round_trip() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let mut worst = Worst::new("x -> u -> x, |Δx| / (1 + |x|)");
    for c in cases() {
        for _ in 0..100 {
            let x = random_constrained(&c, &mut rng);
            let u = inverse(&*c.bijector, &x)
                .unwrap_or_else(|e| panic!("{}: inverse({x:?}): {e}", c.name));
            let (back, _) = forward(&*c.bijector, &u);
            let error = max_error(&back, &x);
            assert!(error < 1e-13, "{}: {x:?} -> {u:?} -> {back:?}", c.name);
            worst.record(&c.name, error);
        }
    }
}

/// Writes the Jacobian of `u ↦ x[free]` by the five-point central difference (error `O(h⁴)`).
fn numeric_jacobian(bijector: &dyn Bijector, free: &[usize], u: &[f64], h: f64) -> Vec<f64> {
    let m = u.len();
    let mut jacobian = vec![0.0; free.len() * m];
    for column in 0..m {
        let at = |delta: f64| {
            let mut v = u.to_vec();
            v[column] += delta;
            forward(bijector, &v).0
        };
        let (p2, p1, m1, m2) = (at(2.0 * h), at(h), at(-h), at(-2.0 * h));
        for (row, &i) in free.iter().enumerate() {
            // Differences first: an output that does not move gives exactly zero.
            jacobian[row * m + column] = ((m2[i] - p2[i]) + 8.0 * (p1[i] - m1[i])) / (12.0 * h);
        }
    }
    jacobian
}

#[test]
fn log_jacobian_matches_finite_differences() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut worst = Worst::new(
        "log-Jacobian vs ln |det| of the finite-difference Jacobian, relative to 1 + |ln |det||",
    );
    for c in cases() {
        let m = c.bijector.unconstrained_len();
        assert_eq!(c.free.len(), m, "{}: free coordinates", c.name);
        for scale in [0.5, 1.5] {
            for _ in 0..10 {
                let u = normals(&mut rng, m, scale);
                let (_, log_jacobian) = forward(&*c.bijector, &u);
                let numeric = ln_abs_det(numeric_jacobian(&*c.bijector, &c.free, &u, 1e-3), m);
                let error = (log_jacobian - numeric).abs() / (1.0 + numeric.abs());
                assert!(
                    error < 1e-8,
                    "{} at {u:?}: log-Jacobian {log_jacobian}, finite differences {numeric}",
                    c.name
                );
                worst.record(&c.name, error);
            }
        }
    }
}

/// In the coordinate orders of the module documentation each free constrained coordinate
/// depends only on the unconstrained coordinates up to its own position, so the Jacobian is
/// lower triangular (as the Stan manual's derivations use) and its log determinant is
/// `Σ ln |J_kk|`. That sum checks points far out, where elements span many orders of magnitude:
/// there pivoting LU mixes rows whose tiny diagonal entries sit beside large ones, and its
/// rounding swamps the determinant. The tolerance adds the rounding error of each difference
/// quotient, `ε |x_k| / (h |J_kk|)`: an element near a bound (a correlation near ±1 is `tanh u`
/// rounded next to 1) changes by less than its own rounding, and no difference quotient can see
/// more.
#[test]
fn jacobians_are_triangular_and_match_far_out() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let mut worst = Worst::new(
        "log-Jacobian vs Σ ln |J_kk| of the finite-difference Jacobian at |u| up to ~9, relative to 1 + |Σ|",
    );
    let mut worst_scaled = Worst::new(
        "the same, as a fraction of the tolerance (1e-8 plus the difference quotients' rounding)",
    );
    for c in cases() {
        let m = c.bijector.unconstrained_len();
        for scale in [1.0, 3.0] {
            for _ in 0..10 {
                let u = normals(&mut rng, m, scale);
                let (x, log_jacobian) = forward(&*c.bijector, &u);
                let h = 1e-3;
                let jacobian = numeric_jacobian(&*c.bijector, &c.free, &u, h);
                for row in 0..m {
                    for column in row + 1..m {
                        assert_eq!(jacobian[row * m + column], 0.0, "{} at {u:?}", c.name);
                    }
                }
                let numeric: f64 = (0..m).map(|k| jacobian[k * m + k].abs().ln()).sum();
                let rounding: f64 = (0..m)
                    .map(|k| {
                        10.0 * f64::EPSILON * x[c.free[k]].abs() / (h * jacobian[k * m + k].abs())
                    })
                    .sum();
                let error = (log_jacobian - numeric).abs() / (1.0 + numeric.abs());
                let tolerance = 1e-8 + rounding / (1.0 + numeric.abs());
                assert!(
                    error < tolerance,
                    "{} at {u:?}: log-Jacobian {log_jacobian}, finite differences {numeric}",
                    c.name
                );
                worst.record(&c.name, error);
                worst_scaled.record(&c.name, error / tolerance);
            }
        }
    }
}

#[test]
fn autodiff_gradient_matches_finite_differences() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let mut worst = Worst::new(
        "autodiff gradient of Σ w x + log-Jacobian vs finite differences, relative to 1 + |fd|",
    );
    for c in cases() {
        let m = c.bijector.unconstrained_len();
        let n = c.bijector.constrained_len();
        let weights = normals(&mut rng, n, 1.0);
        // A scalar function of the whole output: Σ w_i x_i + ln |det J|.
        let objective = |u: &[f64]| {
            let (x, log_jacobian) = forward(&*c.bijector, u);
            x.iter().zip(&weights).map(|(x, w)| x * w).sum::<f64>() + log_jacobian
        };
        for scale in [0.3, 1.0, 3.0] {
            let u = normals(&mut rng, m, scale);
            let mut g = vec![0.0; m];
            let value = gradient(&u, &mut g, |v: &[Var]| {
                let mut x = vec![Var::constant(0.0); n];
                let log_jacobian = c.bijector.forward(v, &mut x)?;
                Ok::<_, BijectorError>(
                    x.iter()
                        .zip(&weights)
                        .fold(log_jacobian, |acc, (x, w)| acc + *x * *w),
                )
            })
            .unwrap();
            let plain = objective(&u);
            assert!(
                (value - plain).abs() <= 1e-13 * (1.0 + plain.abs()),
                "{}: {value} vs {plain}",
                c.name
            );
            for i in 0..m {
                let h = 1e-3;
                let at = |delta: f64| {
                    let mut v = u.clone();
                    v[i] += delta;
                    objective(&v)
                };
                let fd = (-at(2.0 * h) + 8.0 * at(h) - 8.0 * at(-h) + at(-2.0 * h)) / (12.0 * h);
                let error = (g[i] - fd).abs() / (1.0 + fd.abs());
                assert!(
                    error < 1e-8,
                    "{} at {u:?}, coordinate {i}: {} vs {fd}",
                    c.name,
                    g[i]
                );
                worst.record(&c.name, error);
            }
        }
    }
}

/// The relative accuracy to expect of values computed as `e^ℓ` with `|ℓ|` about `max |u|`: the
/// exponential turns the absolute error `ε |ℓ|` of the exponent into a relative error, so a
/// component of `1e-200` (`ℓ ≈ -460`) is good to about `1e-13`, not to `ε`.
fn exp_tolerance(u: &[f64]) -> f64 {
    1e-15 * (1.0 + u.iter().fold(0.0, |m: f64, v| m.max(v.abs())))
}

#[test]
fn simplex_with_tiny_components() {
    let simplex = Simplex::new(4).unwrap();
    let mut worst = Worst::new("simplex near its faces");
    for x in [
        [1e-12, 0.5, 0.25, 0.25 - 1e-12],
        [0.25, 0.25, 0.5 - 1e-12, 1e-12],
        [1.0 - 3e-12, 1e-12, 1e-12, 1e-12],
        [1e-200, 1e-250, 0.5, 0.5],
        [0.5, 0.5, 1e-300, 1e-300],
    ] {
        let u = inverse(&simplex, &x).unwrap();
        let (back, _) = forward(&simplex, &u);
        let error = max_relative_error(&back, &x);
        assert!(error < exp_tolerance(&u), "{x:?} -> {u:?} -> {back:?}");
        worst.record("x -> u -> x, per-component relative error", error);
    }
    for u in [
        [35.0, -35.0, 20.0],
        [-600.0, 600.0, -30.0],
        [0.0, 0.0, 700.0],
        [0.0, 0.0, -700.0],
    ] {
        let (x, log_jacobian) = forward(&simplex, &u);
        assert!(
            x.iter().all(|&p| p > 0.0) && log_jacobian.is_finite(),
            "{x:?}"
        );
        let back = inverse(&simplex, &x).unwrap();
        let error = max_error(&back, &u);
        assert!(error < 1e-15, "{u:?} -> {x:?} -> {back:?}");
        worst.record("u -> x -> u (|Δu| / (1 + |u|))", error);
    }
    // Past the range of f64 a component underflows to zero: still a simplex (its closure), but
    // with no finite coordinates.
    let (x, _) = forward(&simplex, &[0.0, 0.0, -800.0]);
    assert_eq!(x[2], 0.0);
    assert!(simplex.contains(&x));
    assert_eq!(
        inverse(&simplex, &x),
        Err(BijectorError::OnBoundary { index: 2 })
    );
}

#[test]
fn ordered_with_nearly_equal_elements() {
    let mut worst = Worst::new("ordered near equal neighbours");
    // Errors of x relative to its largest element: each element is a sum of the ones before.
    let scaled_error = |a: &[f64], b: &[f64]| {
        let size = b.iter().fold(0.0, |m: f64, v| m.max(v.abs()));
        a.iter()
            .zip(b)
            .fold(0.0, |m: f64, (a, b)| m.max((a - b).abs() / size))
    };
    let ordered = Ordered::new(4);
    let positive = PositiveOrdered::new(4);
    let tiny = 2f64.powi(-40);
    for x in [
        [1.0, 1.0 + tiny, 1.0 + 2.0 * tiny, 3.0],
        [-1e-300, 0.0, 1e-300, 2e-300],
        [-5.0, -5.0 + 1e-14, 7.0, 7.0 + 1e-14],
    ] {
        let u = inverse(&ordered, &x).unwrap();
        let (back, _) = forward(&ordered, &u);
        let error = scaled_error(&back, &x);
        assert!(error < exp_tolerance(&u), "{x:?} -> {u:?} -> {back:?}");
        worst.record("ordered x -> u -> x, |Δx| / max |x|", error);
    }
    for x in [
        [1e-300, 2e-300, 3e-300, 1.0],
        [1e-12, 1e-12 + 1e-24, 1.0, 1.0 + tiny],
    ] {
        let u = inverse(&positive, &x).unwrap();
        let (back, _) = forward(&positive, &u);
        let error = scaled_error(&back, &x);
        assert!(error < exp_tolerance(&u), "{x:?} -> {u:?} -> {back:?}");
        worst.record("positive ordered x -> u -> x, |Δx| / max |x|", error);
    }
    // Increments of e^-30 near 0 are differences of small numbers, so they come back exactly;
    // next to elements of size 5 they lose the digits that 5 has and e^-30 does not.
    for (u, tolerance) in [
        ([0.0, -30.0, -30.0, -30.0], 1e-15),
        ([1e-300, -40.0, -40.0, -40.0], 1e-15),
        ([5.0, -30.0, 0.0, -30.0], 1e-15 * 5.0 / (-30f64).exp()),
    ] {
        let (x, _) = forward(&ordered, &u);
        assert!(x.windows(2).all(|w| w[0] < w[1]), "{x:?}");
        let back = inverse(&ordered, &x).unwrap();
        let error = max_error(&back, &u);
        assert!(error < tolerance, "{u:?} -> {x:?} -> {back:?}");
        worst.record("ordered u -> x -> u, |Δu| / (1 + |u|)", error);
    }
    // An increment below half an ulp of its neighbour vanishes: equal elements, the boundary.
    let (x, _) = forward(&ordered, &[1.0, -40.0, 0.0, 0.0]);
    assert_eq!(x[0], x[1]);
    assert!(ordered.contains(&x));
    assert_eq!(
        inverse(&ordered, &x),
        Err(BijectorError::OnBoundary { index: 1 })
    );
}

#[test]
fn correlations_near_plus_and_minus_one() {
    let mut worst = Worst::new("correlation Cholesky near ±1");
    let factor = CorrelationCholesky::new(4);
    for u in [
        [20.0, -20.0, 15.0, 40.0, -25.0, 35.0],
        [300.0, -300.0, 0.0, 1.0, 300.0, -2.0],
        [-18.0, 18.0, -18.0, 18.0, -18.0, 18.0],
    ] {
        let (x, log_jacobian) = forward(&factor, &u);
        assert!(log_jacobian.is_finite());
        factor.check(&x).unwrap();
        let back = inverse(&factor, &x).unwrap();
        let error = max_error(&back, &u);
        assert!(error < 1e-14, "{u:?} -> {x:?} -> {back:?}");
        worst.record("u -> x -> u, |Δu| / (1 + |u|)", error);
    }
    let two = CorrelationCholesky::new(2);
    for rho in [1.0 - 1e-12, -1.0 + 1e-12, 1.0 - 1e-15_f64] {
        // 1 - ρ is exact (Sterbenz), so the diagonal √((1 - ρ)(1 + ρ)) is accurate.
        let x = [1.0, 0.0, rho, ((1.0 - rho) * (1.0 + rho)).sqrt()];
        let u = inverse(&two, &x).unwrap();
        let (back, _) = forward(&two, &u);
        let error = max_relative_error(&back, &x);
        assert!(error < exp_tolerance(&u), "{x:?} -> {u:?} -> {back:?}");
        worst.record("2×2 x -> u -> x, per-element relative error", error);
    }
    // A row whose last element is tiny: 1 - Σ L_ij'² would cancel; Σ_{j'≥j} L_ij'² does not.
    let three = CorrelationCholesky::new(3);
    for d in [1e-9, 1e-100] {
        let b = (0.64f64 - d * d).sqrt();
        let x = [1.0, 0.0, 0.0, -0.3, (0.91f64).sqrt(), 0.0, 0.6, b, d];
        let u = inverse(&three, &x).unwrap();
        let (back, _) = forward(&three, &u);
        let error = max_relative_error(&back, &x);
        assert!(error < exp_tolerance(&u), "{x:?} -> {u:?} -> {back:?}");
        worst.record("3×3 x -> u -> x, per-element relative error", error);
    }
}

#[test]
fn nearly_singular_covariance() {
    let mut worst = Worst::new("covariance near singular, |ΔΣ_ij| / √(Σ_ii Σ_jj)");
    let covariance = CovarianceMatrix::new(3);
    let scales = [1e-8, 1.0, 1e8];
    for rho in [1.0 - 1e-10, -1.0 + 1e-12, 0.3] {
        // Positive definite for |ρ| < 1, with an eigenvalue of about 1.5 (1 - |ρ|).
        let half = 0.5f64.copysign(rho);
        let correlation = [1.0, rho, 0.5, rho, 1.0, half, 0.5, half, 1.0];
        let mut sigma = [0.0; 9];
        for i in 0..3 {
            for j in 0..3 {
                sigma[i * 3 + j] = correlation[i * 3 + j] * scales[i] * scales[j];
            }
        }
        let u = inverse(&covariance, &sigma).unwrap();
        let (back, log_jacobian) = forward(&covariance, &u);
        assert!(log_jacobian.is_finite());
        let mut error: f64 = 0.0;
        for i in 0..3 {
            for j in 0..3 {
                let size = (sigma[i * 3 + i] * sigma[j * 3 + j]).sqrt();
                error = error.max((back[i * 3 + j] - sigma[i * 3 + j]).abs() / size);
            }
        }
        assert!(error < 1e-14, "{sigma:?} -> {u:?} -> {back:?}");
        worst.record("x -> u -> x", error);
    }
}

#[test]
fn elementwise_near_bounds() {
    let mut worst = Worst::new("elementwise near bounds, |Δx| / max(|x|, |bounds|, 1)");
    let interval = Elementwise::interval(4, Bound::Shared(-2.0), Bound::Shared(5.0)).unwrap();
    let unit = Elementwise::unit_interval(4);
    let above = Elementwise::greater_than(4, Bound::Shared(3.0)).unwrap();
    for (bijector, x, size) in [
        (
            &interval,
            [-2.0 + 1e-12, 5.0 - 1e-12, -2.0 + 1e-15, 1.5],
            5.0,
        ),
        (&unit, [1e-300, 1e-12, 1.0 - 1e-12, 1.0 - 1e-16], 1.0),
        (&above, [3.0 + 1e-12, 3.0 + 1e-15, 1e10, 3.5], 1e10),
    ] {
        let u = inverse(bijector, &x).unwrap();
        let (back, _) = forward(bijector, &u);
        let error = back
            .iter()
            .zip(&x)
            .map(|(a, b)| (a - b).abs() / size)
            .fold(0.0, f64::max);
        assert!(error < exp_tolerance(&u), "{x:?} -> {u:?} -> {back:?}");
        worst.record("x -> u -> x", error);
    }
    // Far out the logistic rounds to 1: a value on the bound, in the closure of the support,
    // whose inverse is refused rather than infinite.
    let (x, _) = forward(&unit, &[0.0, 0.0, 40.0, 0.0]);
    assert_eq!(x[2], 1.0);
    assert!(unit.contains(&x));
    assert_eq!(
        inverse(&unit, &x),
        Err(BijectorError::OnBoundary { index: 2 })
    );
}

#[test]
fn bounds_that_are_parameters_are_differentiated() {
    // f(lower, upper, u₀, u₁, u₂) = Σ w_i x_i + ln |det J| for x in (lower, upper)ᵢ with per
    // element upper bounds `upper + i`: the Jacobian term depends on the bounds.
    let weights = [0.7, -1.3, 2.0];
    let objective = |p: &[f64]| {
        let upper = [p[1], p[1] + 1.0, p[1] + 2.0];
        let b = Elementwise::interval(3, Bound::Shared(p[0]), Bound::PerElement(&upper)).unwrap();
        let (x, log_jacobian) = forward(&b, &p[2..]);
        x.iter().zip(&weights).map(|(x, w)| x * w).sum::<f64>() + log_jacobian
    };
    let point = [-1.0, 2.0, 0.3, -1.2, 2.5];
    let mut g = [0.0; 5];
    let value = gradient(&point, &mut g, |p: &[Var]| {
        let upper = [p[1], p[1] + 1.0, p[1] + 2.0];
        let b = Elementwise::interval(3, Bound::Shared(p[0]), Bound::PerElement(&upper))?;
        let mut x = [Var::constant(0.0); 3];
        let log_jacobian = b.forward(&p[2..], &mut x)?;
        Ok::<_, BijectorError>(
            x.iter()
                .zip(&weights)
                .fold(log_jacobian, |acc, (x, w)| acc + *x * *w),
        )
    })
    .unwrap();
    assert!((value - objective(&point)).abs() < 1e-14);
    for i in 0..5 {
        let h = 1e-3;
        let at = |delta: f64| {
            let mut p = point;
            p[i] += delta;
            objective(&p)
        };
        let fd = (-at(2.0 * h) + 8.0 * at(h) - 8.0 * at(-h) + at(-2.0 * h)) / (12.0 * h);
        assert!(
            (g[i] - fd).abs() < 1e-9 * (1.0 + fd.abs()),
            "coordinate {i}: {} vs {fd}",
            g[i]
        );
    }
    assert!(g[0] != 0.0 && g[1] != 0.0);
}

#[test]
fn wrong_lengths_are_errors() {
    let simplex = Simplex::new(3).unwrap();
    let mut x = [0.0; 3];
    assert_eq!(
        simplex.forward(&[0.0; 3], &mut x),
        Err(BijectorError::LengthMismatch {
            buffer: "unconstrained",
            expected: 2,
            found: 3
        })
    );
    assert_eq!(
        simplex.forward(&[0.0; 2], &mut [0.0; 4]),
        Err(BijectorError::LengthMismatch {
            buffer: "constrained",
            expected: 3,
            found: 4
        })
    );
    assert_eq!(
        simplex.inverse(&[0.5, 0.5, 0.0], &mut [0.0; 1]),
        Err(BijectorError::LengthMismatch {
            buffer: "unconstrained",
            expected: 2,
            found: 1
        })
    );
    let factor = CorrelationCholesky::new(3);
    assert!(matches!(
        factor.check(&[1.0; 4]),
        Err(BijectorError::LengthMismatch { expected: 9, .. })
    ));
    for c in cases() {
        let mut x = vec![0.0; c.bijector.constrained_len()];
        let u = vec![0.0; c.bijector.unconstrained_len() + 1];
        assert!(
            ForwardMap::<f64>::forward(&*c.bijector, &u, &mut x).is_err(),
            "{}",
            c.name
        );
    }
}

#[test]
fn values_outside_the_supports_are_named() {
    use BijectorError::*;
    let simplex = Simplex::new(3).unwrap();
    assert!(matches!(
        simplex.check(&[0.5, f64::NAN, 0.5]),
        Err(NotFinite { index: 1, .. })
    ));
    assert_eq!(
        simplex.check(&[0.6, -0.1, 0.5]),
        Err(OutOfBounds {
            index: 1,
            value: -0.1
        })
    );
    assert_eq!(
        simplex.check(&[0.6, 0.1, 0.5]),
        Err(SumNotOne {
            sum: 0.6 + 0.1 + 0.5
        })
    );
    assert!(simplex.contains(&[0.6, 0.1, 0.3 + 1e-9]));
    assert_eq!(
        inverse(&simplex, &[0.0, 0.5, 0.5]),
        Err(OnBoundary { index: 0 })
    );

    let ordered = Ordered::new(3);
    assert_eq!(
        ordered.check(&[0.0, 2.0, 1.0]),
        Err(NotOrdered { index: 2 })
    );
    assert!(matches!(
        ordered.check(&[0.0, f64::INFINITY, 1.0]),
        Err(NotFinite { index: 1, .. })
    ));
    let positive = PositiveOrdered::new(2);
    assert_eq!(
        positive.check(&[-1.0, 1.0]),
        Err(OutOfBounds {
            index: 0,
            value: -1.0
        })
    );
    assert_eq!(
        inverse(&positive, &[0.0, 1.0]),
        Err(OnBoundary { index: 0 })
    );
    assert_eq!(
        inverse(&positive, &[1.0, 1.0]),
        Err(OnBoundary { index: 1 })
    );

    let factor = CorrelationCholesky::new(2);
    assert_eq!(
        factor.check(&[1.0, 0.1, 0.0, 1.0]),
        Err(NotLowerTriangular { row: 0, column: 1 })
    );
    assert_eq!(
        factor.check(&[1.0, 0.0, 0.6, -0.8]),
        Err(DiagonalNegative {
            row: 1,
            value: -0.8
        })
    );
    assert_eq!(
        factor.check(&[1.0, 0.0, 0.6, 0.6]),
        Err(RowNotUnitLength {
            row: 1,
            squared_length: 0.72
        })
    );
    assert_eq!(
        inverse(&factor, &[1.0, 0.0, 1.0, 0.0]),
        Err(OnBoundary { index: 3 })
    );

    let cholesky = CovarianceCholesky::new(2);
    assert_eq!(
        cholesky.check(&[1.0, 0.0, 3.0, -2.0]),
        Err(DiagonalNegative {
            row: 1,
            value: -2.0
        })
    );
    assert_eq!(
        cholesky.check(&[1.0, 1e-300, 3.0, 2.0]),
        Err(NotLowerTriangular { row: 0, column: 1 })
    );
    assert_eq!(
        inverse(&cholesky, &[1.0, 0.0, 3.0, 0.0]),
        Err(OnBoundary { index: 3 })
    );

    let covariance = CovarianceMatrix::new(2);
    assert_eq!(
        covariance.check(&[2.0, 1.0, 1.1, 2.0]),
        Err(NotSymmetric { row: 1, column: 0 })
    );
    assert!(covariance.contains(&[2.0, 1.0, 1.0 + 1e-9, 2.0]));
    assert_eq!(
        covariance.check(&[1.0, 1.0, 1.0, 1.0]),
        Err(NotPositiveDefinite { pivot: 1 })
    );
    assert_eq!(
        inverse(&covariance, &[-1.0, 0.0, 0.0, 1.0]),
        Err(NotPositiveDefinite { pivot: 0 })
    );

    let bounded = Elementwise::interval(2, Bound::Shared(0.0), Bound::Shared(2.0)).unwrap();
    assert_eq!(
        bounded.check(&[1.0, 2.5]),
        Err(OutOfBounds {
            index: 1,
            value: 2.5
        })
    );
    assert!(bounded.contains(&[0.0, 2.0]));
    assert_eq!(inverse(&bounded, &[1.0, 2.0]), Err(OnBoundary { index: 1 }));
    assert!(matches!(
        Elementwise::real(1).check(&[f64::NAN]),
        Err(NotFinite { index: 0, .. })
    ));
}

#[test]
fn constructors_validate() {
    use BijectorError::*;
    assert_eq!(Simplex::new(0), Err(EmptySimplex));
    assert_eq!(
        Elementwise::interval(2, Bound::Shared(1.0), Bound::Shared(1.0)),
        Err(InvalidBounds {
            index: 0,
            lower: 1.0,
            upper: 1.0
        })
    );
    let upper = [1.0, -1.0];
    assert_eq!(
        Elementwise::interval(2, Bound::Shared(0.0), Bound::PerElement(&upper)),
        Err(InvalidBounds {
            index: 1,
            lower: 0.0,
            upper: -1.0
        })
    );
    assert_eq!(
        Elementwise::interval(3, Bound::Shared(0.0), Bound::PerElement(&upper)),
        Err(BoundsLength {
            expected: 3,
            found: 2
        })
    );
    assert!(matches!(
        Elementwise::greater_than(1, Bound::Shared(f64::NAN)),
        Err(InvalidBounds { index: 0, .. })
    ));
    assert_eq!(
        Elementwise::less_than(1, Bound::Shared(f64::INFINITY)),
        Err(InvalidBounds {
            index: 0,
            lower: f64::NEG_INFINITY,
            upper: f64::INFINITY
        })
    );
    assert_eq!(
        Elementwise::from_support(2, Support::<f64>::NonNegativeInteger),
        Err(DiscreteSupport)
    );
}

#[test]
fn error_messages_say_what_to_do() {
    assert_eq!(
        BijectorError::NotOrdered { index: 2 }.to_string(),
        "element 2 is smaller than element 1; the vector must be increasing"
    );
    assert_eq!(
        BijectorError::LengthMismatch {
            buffer: "unconstrained",
            expected: 3,
            found: 4
        }
        .to_string(),
        "the unconstrained buffer has 4 elements; this bijector needs 3"
    );
    assert_eq!(
        BijectorError::EmptySimplex.to_string(),
        "a simplex needs at least one component"
    );
}

#[test]
fn forward_maps_do_not_allocate() {
    let before = ALLOCATIONS.with(Cell::get);
    drop(std::hint::black_box(vec![0u8; 16]));
    assert!(
        ALLOCATIONS.with(Cell::get) > before,
        "the counter must see a Vec"
    );
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for c in cases() {
        let u = normals(&mut rng, c.bijector.unconstrained_len(), 1.0);
        let mut x = vec![Var::constant(0.0); c.bijector.constrained_len()];
        let mut x_plain = vec![0.0; c.bijector.constrained_len()];
        let mut g = vec![0.0; u.len()];
        let mut run = |x: &mut [Var], x_plain: &mut [f64]| {
            ForwardMap::<f64>::forward(&*c.bijector, &u, x_plain).unwrap();
            gradient(&u, &mut g, |v: &[Var]| c.bijector.forward(v, x)).unwrap();
        };
        run(&mut x, &mut x_plain); // warms the tape
        let before = ALLOCATIONS.with(Cell::get);
        run(&mut x, &mut x_plain);
        let allocations = ALLOCATIONS.with(Cell::get) - before;
        assert_eq!(allocations, 0, "{}", c.name);
    }
}
