//! The projected normal distribution on the circle and the sphere.

use core::f64::consts::{PI, SQRT_2};

use rand::Rng;
use rand_distr::Distribution as _;

use crate::bijectors::CONSTRAINT_TOLERANCE;
use crate::constraint::Support;
use crate::distribution::{
    Distribution, Family, LN_SQRT_2PI, PlainValue, ProjectedNormalDistribution, Samplable, Value,
};
use crate::scalar::Scalar;
use crate::value::{PooledVec, Reals};

/// The projected normal distribution: the direction `v = x / ‖x‖` of a normal vector
/// `x ~ Normal(concentration, I)` in `ℝ^d`, for `d = 2` (the circle) or `d = 3` (the sphere),
/// with density over arc length or surface area
///
/// `p(v) = ∫_0^∞ r^(d-1) φ_d(r v - c) dr = (2π)^(-(d-1)/2) e^(-‖c - t v‖²/2) M_(d-1)(t)`,
/// where `t = c·v`,
///
/// `M_1(t) = φ(t) + t Φ(t)` and `M_2(t) = t φ(t) + (1 + t²) Φ(t)` (the first two moments of a
/// standard normal shifted by `t` and cut at 0): the closed forms NumPyro uses (after splitting the
/// ray's integral into the coordinate along `v` and the distance from it, `‖c - t v‖`).
///
/// For `t < 0` both moments are small differences of large terms (at `t = -10`, `M_1` keeps 2 of
/// `φ(t)`'s 16 digits when written as above; at `t = -40`, `φ` underflows). There they are taken
/// from Laplace's continued fraction for Mills' ratio, `Φ(-x)/φ(x) = 1/(x + 1/(x + 2/(x + ⋯)))`:
/// with its tails `T_k = x + k / T_(k+1)`, `M_1(-x) = φ(x) / (T_1 T_2)` and
/// `M_2(-x) = 2φ(x) / (T_1 T_2 T_3)`, products of positive numbers carried in log space (Abramowitz
/// and Stegun 26.2.14). The derivatives are `d ln M_1/dt = Φ(t)/M_1(t)` and
/// `d ln M_2/dt = 2 M_1(t)/M_2(t)`, or `T_2` and `T_3` from the fraction.
///
/// Values are unit vectors (`Vec<f64>` of length `d`, `‖v‖ = 1` within Stan's tolerance
/// [`CONSTRAINT_TOLERANCE`]; other vectors have density zero). A latent projected normal site must
/// be reparameterized with [`ProjectedNormalReparam`](crate::reparam::ProjectedNormalReparam),
/// which explores the auxiliary normal vector `x` itself (the direction alone has no unconstrained
/// coordinates here); without it, inference stops with an error naming the site. The element
/// [`support`](Distribution::support) is `[-1, 1]`, reported as `Interval(-1, 1)`.
/// [`ProjectedNormal::mean_direction`] is NumPyro's `mean`, the mode `c / ‖c‖`.
///
/// Reference: NumPyro `dist.ProjectedNormal(concentration)` (Hernandez-Stumpfhauser, Breidt and
/// van der Woerd 2017, "The general projected normal distribution of arbitrary dimension").
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// // With zero concentration the direction is uniform: 1/(2π) on the circle, 1/(4π) on the sphere.
/// let circle = ProjectedNormal::new(vec![0.0, 0.0])?;
/// assert!((circle.log_prob(&PooledVec::from(vec![0.6, 0.8])) + (2.0 * std::f64::consts::PI).ln()).abs() < 1e-15);
/// let sphere = ProjectedNormal::new(vec![0.0, 0.0, 0.0])?;
/// assert!((sphere.log_prob(&PooledVec::from(vec![0.0, 0.0, 1.0])) + (4.0 * std::f64::consts::PI).ln()).abs() < 1e-15);
///
/// let d = ProjectedNormal::new(vec![3.0, 4.0])?;
/// assert_eq!(d.mean_direction(), vec![0.6, 0.8]);
/// assert!(d.log_prob(&PooledVec::from(vec![0.6, 0.8])) > d.log_prob(&PooledVec::from(vec![-0.6, -0.8])));
/// assert_eq!(d.log_prob(&PooledVec::from(vec![1.0, 1.0])), f64::NEG_INFINITY); // not a unit vector
/// assert!(ProjectedNormal::new(vec![1.0, 2.0, 3.0, 4.0]).is_err());
/// # Ok::<(), ProjectedNormalError>(())
/// ```
///
/// A latent direction, explored through its auxiliary normal vector, with observed directions
/// scattered around it:
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn heading(y: &[Vec<f64>]) {
///     let v = sample!("v", ProjectedNormal::new(vec![1.0, 0.5]));
///     plate!("data", y.len(), |i| {
///         sample!("y", ProjectedNormal::new(vec![v[0] * 5.0, v[1] * 5.0]), obs = &y[i]);
///     });
/// }
///
/// let y = vec![vec![0.8, 0.6], vec![0.6, 0.8], vec![1.0, 0.0]];
/// let model = heading(&y).reparam(|r| r.v(ProjectedNormalReparam));
/// let fit = Nuts::default().warmup(200).samples(200).chains(1).seed(3).run(&model)?;
/// assert!(fit.v.iter().all(|v| (v[0] * v[0] + v[1] * v[1] - 1.0).abs() < 1e-12));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectedNormal<T = f64> {
    concentration: Vec<T>,
}

/// Why a [`ProjectedNormal`] could not be built.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ProjectedNormalError {
    /// The concentration's length is not 2 or 3, the dimensions with a closed-form density.
    #[error(
        "ProjectedNormal concentration must have 2 or 3 elements (the circle or the sphere), got {dimension}"
    )]
    DimensionNotTwoOrThree {
        /// The rejected length.
        dimension: usize,
    },
    /// An element of the concentration is NaN or infinite.
    #[error(
        "ProjectedNormal concentration must be finite, got {concentration} for element {index}"
    )]
    ConcentrationNotFinite {
        /// The element's position.
        index: usize,
        /// The rejected value.
        concentration: f64,
    },
    /// The concentration's length `‖c‖` overflows (its elements are finite): its projection
    /// on a direction, which the density needs, would too.
    #[error("ProjectedNormal concentration must have a finite length, it is beyond f64::MAX")]
    ConcentrationNormNotFinite,
}

impl<T: Scalar> ProjectedNormal<T> {
    /// A projected normal distribution with `concentration` (a `Vec`, slice or array) of 2 or 3
    /// finite elements, of finite length: the mean of the normal vector whose direction is the
    /// value.
    pub fn new(concentration: impl Into<Vec<T>>) -> Result<Self, ProjectedNormalError> {
        let concentration = concentration.into();
        if !(2..=3).contains(&concentration.len()) {
            return Err(ProjectedNormalError::DimensionNotTwoOrThree {
                dimension: concentration.len(),
            });
        }
        if let Some((index, c)) = concentration
            .iter()
            .enumerate()
            .find(|(_, c)| !c.value().is_finite())
        {
            return Err(ProjectedNormalError::ConcentrationNotFinite {
                index,
                concentration: c.value(),
            });
        }
        if !concentration
            .iter()
            .fold(0.0_f64, |norm, c| norm.hypot(c.value()))
            .is_finite()
        {
            return Err(ProjectedNormalError::ConcentrationNormNotFinite);
        }
        Ok(ProjectedNormal { concentration })
    }

    /// The dimension `d` of the ambient space (2 or 3).
    pub fn dim(&self) -> usize {
        self.concentration.len()
    }

    /// The concentration `c`.
    pub fn concentration(&self) -> &[T] {
        &self.concentration
    }

    /// The mode `c / ‖c‖`, which NumPyro reports as the mean (the centroid minimizing the
    /// expected squared geodesic distance); `c` itself when it is zero.
    pub fn mean_direction(&self) -> Vec<T> {
        let norm = self
            .concentration
            .iter()
            .fold(T::from_f64(0.0), |sum, &c| sum + c * c)
            .sqrt();
        if norm.value() == 0.0 {
            return self.concentration.clone();
        }
        self.concentration.iter().map(|&c| c / norm).collect()
    }
}

impl<T: Scalar> Distribution for ProjectedNormal<T> {
    type Scalar = T;
    type Kind = Reals;
    const NAME: &'static str = "ProjectedNormal";
    const REQUIRED_REPARAM: Option<&'static str> = Some("ProjectedNormalReparam");

    fn log_prob(&self, v: &Value<Self>) -> T {
        let d = self.dim();
        if v.len() != d {
            return T::from_f64(f64::NAN);
        }
        let squared_norm: f64 = v.iter().map(|x| x.value() * x.value()).sum();
        if !is_unit(squared_norm) {
            return T::from_f64(f64::NEG_INFINITY);
        }
        let t = self
            .concentration
            .iter()
            .zip(v)
            .fold(T::from_f64(0.0), |sum, (&c, &x)| sum + c * x);
        // The squared distance of c from the ray through v, as a sum of squares: ‖c‖² - t²
        // would cancel when c lies along v.
        let off_ray = self
            .concentration
            .iter()
            .zip(v)
            .fold(T::from_f64(0.0), |sum, (&c, &x)| {
                let r = c - t * x;
                sum + r * r
            });
        let (ln_moment, derivative) = ln_truncated_moment(d - 1, t.value());
        let ln_moment = T::from_parts(ln_moment, core::iter::once((t, derivative)));
        -off_ray * 0.5 - (d - 1) as f64 * LN_SQRT_2PI + ln_moment
    }

    /// Elementwise bounds: every element of a unit vector lies in `[-1, 1]`.
    fn support(&self) -> Support<T> {
        Support::Interval(T::from_f64(-1.0), T::from_f64(1.0))
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        loop {
            let x: Vec<f64> = self
                .concentration
                .iter()
                .map(|c| {
                    let z: f64 = rand_distr::StandardNormal.sample(rng);
                    c.value() + z
                })
                .collect();
            let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt();
            // A draw at the origin (probability zero) has no direction: draw again.
            if norm > 0.0 {
                return Some(x.iter().map(|v| v / norm).collect());
            }
        }
    }

    /// The auxiliary vector's length: [`ProjectedNormalReparam`] explores `x ∈ ℝ^d`.
    ///
    /// [`ProjectedNormalReparam`]: crate::reparam::ProjectedNormalReparam
    fn unconstrained_len(&self) -> usize {
        self.dim()
    }

    /// The direction `u / ‖u‖`, with a NaN log-Jacobian: projecting is not a bijection, and the
    /// density of the direction comes from [`ProjectedNormalReparam`], never from this map.
    ///
    /// [`ProjectedNormalReparam`]: crate::reparam::ProjectedNormalReparam
    fn constrain(&self, u: &[T]) -> (Value<Self>, T) {
        (project(u), T::from_f64(f64::NAN))
    }

    /// The value itself: a unit vector is an auxiliary vector whose direction it is.
    fn unconstrain(&self, v: &Vec<f64>, out: &mut Vec<f64>) -> Result<(), f64> {
        if v.len() != self.dim() {
            return Err(f64::NAN);
        }
        if let Some(bad) = v.iter().find(|x| !x.is_finite()) {
            return Err(*bad);
        }
        let squared_norm: f64 = v.iter().map(|x| x * x).sum();
        if !is_unit(squared_norm) {
            return Err(squared_norm);
        }
        out.extend_from_slice(v);
        Ok(())
    }
}

impl<T: Scalar> Samplable for ProjectedNormal<T> {}

impl<T: Scalar> Family for ProjectedNormal<T> {
    type At<U: Scalar> = ProjectedNormal<U>;
}

impl<T: Scalar> ProjectedNormalDistribution for ProjectedNormal<T> {
    fn auxiliary_len<U: Scalar>(dist: &ProjectedNormal<U>) -> usize {
        dist.dim()
    }

    fn project_auxiliary<U: Scalar>(dist: &ProjectedNormal<U>, x: &[U]) -> (PooledVec<U>, U) {
        debug_assert_eq!(
            x.len(),
            dist.dim(),
            "the reparameterizer reads auxiliary_len"
        );
        let squares = dist
            .concentration
            .iter()
            .zip(x)
            .fold(U::from_f64(0.0), |sum, (&c, &x)| {
                let z = x - c;
                sum + z * z
            });
        let ln_density = -squares * 0.5 - dist.dim() as f64 * LN_SQRT_2PI;
        (project(x), ln_density)
    }
}

/// Whether a squared length is 1 within Stan's tolerance (false for NaN).
fn is_unit(squared_norm: f64) -> bool {
    (squared_norm - 1.0).abs() <= CONSTRAINT_TOLERANCE
}

/// `x / ‖x‖`. The origin, which has no direction, is given the first axis: a point of measure
/// zero, which the sampler never meets but the all-zero position that counts a model's
/// coordinates does, so the sites after it still see a valid unit vector.
fn project<T: Scalar>(x: &[T]) -> PooledVec<T> {
    let norm = x
        .iter()
        .fold(T::from_f64(0.0), |sum, &v| sum + v * v)
        .sqrt();
    if norm.value() == 0.0 {
        return (0..x.len())
            .map(|i| T::from_f64(if i == 0 { 1.0 } else { 0.0 }))
            .collect();
    }
    x.iter().map(|&v| v / norm).collect()
}

/// From this distance below 0 on, the moments come from the continued fraction; above it, the
/// closed forms lose at most a factor 19 (for `M_2` at `t = -2`) to cancellation.
const CONTINUED_FRACTION_FROM: f64 = 2.0;

/// `(ln M_k(t), d ln M_k / dt)` for `k = 1, 2`: `M_k(t) = ∫_0^∞ r^k φ(r - t) dr` (see
/// [`ProjectedNormal`]).
fn ln_truncated_moment(k: usize, t: f64) -> (f64, f64) {
    if t < -CONTINUED_FRACTION_FROM {
        let x = -t;
        // Backward recurrence T_j = x + j / T_(j+1) from a depth at which the omitted tail no
        // longer changes T_1..T_3 in double precision (about 100 terms at x = 2, 12 at x = 30,
        // found against mpmath).
        let depth = 12 + (700.0 / (x * x)).ceil() as usize;
        let (mut tail, mut tails) = (x, [0.0; 4]);
        for j in (1..=depth).rev() {
            tail = x + j as f64 / tail;
            if j <= 3 {
                tails[j] = tail;
            }
        }
        let ln_phi = -0.5 * x * x - LN_SQRT_2PI;
        return if k == 1 {
            (ln_phi - tails[1].ln() - tails[2].ln(), tails[2])
        } else {
            (
                ln_phi + 2f64.ln() - tails[1].ln() - tails[2].ln() - tails[3].ln(),
                tails[3],
            )
        };
    }
    if t > 1e150 {
        // M_k = t^k (1 + O(1/t²)) to double precision; the closed forms would square t to ∞.
        let k = k as f64;
        return (k * t.ln(), k / t);
    }
    let phi = (-0.5 * t * t).exp() / (2.0 * PI).sqrt();
    let cdf = 0.5 * libm::erfc(-t / SQRT_2);
    let m1 = phi + t * cdf;
    if k == 1 {
        (m1.ln(), cdf / m1)
    } else {
        let m2 = t * phi + (1.0 + t * t) * cdf;
        (m2.ln(), 2.0 * m1 / m2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continued_fraction_agrees_with_the_closed_forms_where_they_meet() {
        // Just below the switch the closed forms lose under two digits; the two must agree.
        for t in [-2.0 - 1e-9, -2.5, -3.0] {
            for k in [1, 2] {
                let (fraction, fraction_slope) = ln_truncated_moment(k, t);
                let phi = (-0.5 * t * t).exp() / (2.0 * PI).sqrt();
                let cdf = 0.5 * libm::erfc(-t / SQRT_2);
                let m1 = phi + t * cdf;
                let (closed, slope) = if k == 1 {
                    (m1.ln(), cdf / m1)
                } else {
                    let m2 = t * phi + (1.0 + t * t) * cdf;
                    (m2.ln(), 2.0 * m1 / m2)
                };
                assert!(
                    (fraction - closed).abs() < 1e-13,
                    "{k} {t}: {fraction} vs {closed}"
                );
                assert!((fraction_slope - slope).abs() < 1e-12 * slope, "{k} {t}");
            }
        }
    }

    #[test]
    fn far_negative_projections_stay_finite() {
        // Concentration 100 pointing away from v: t = -100, where φ(t) underflows.
        let d = ProjectedNormal::new([-100.0, 0.0, 0.0]).unwrap();
        let lp = d.log_prob(&PooledVec::from_slice(&[1.0, 0.0, 0.0]));
        // ln M_2(-x) ≈ ln(2 φ(x) / x³) for large x.
        let expected = -5000.0 - LN_SQRT_2PI + 2f64.ln() - 3.0 * 100f64.ln() - 2.0 * LN_SQRT_2PI;
        assert!((lp - expected).abs() < 1e-3, "{lp} vs {expected}");
    }
}
