//! Density estimates for plots: a Gaussian kernel density with boundary reflection, its
//! wrapped form on the circle, and histograms.

use core::f64::consts::{PI, TAU};

/// A curve: `y[k]` at `x[k]`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Curve {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Where the estimate is drawn: the range of the values it was made from (a grid shared
    /// with other samples extends beyond it, with density zero there).
    pub support: (f64, f64),
}

impl Curve {
    /// The points of the curve inside its support, for drawing.
    pub fn points(&self) -> Vec<(f64, f64)> {
        let (lo, hi) = self.support;
        self.x
            .iter()
            .zip(&self.y)
            .filter(|(x, _)| **x >= lo && **x <= hi)
            .map(|(&x, &y)| (x, y))
            .collect()
    }
}

/// Points at which a density is evaluated.
const GRID: usize = 200;

/// Silverman's rule of thumb for the bandwidth of a Gaussian kernel (Silverman 1986, eq. 3.31):
/// `0.9 min(sd, IQR/1.34) n^(-1/5)`, robust to heavy tails through the interquartile range.
fn bandwidth(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let quantile = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize];
    let iqr = quantile(0.75) - quantile(0.25);
    let spread = if iqr > 0.0 { sd.min(iqr / 1.34) } else { sd };
    let h = 0.9 * spread * n.powf(-0.2);
    if h > 0.0 {
        h
    } else {
        // Every value equal: any small width draws the spike.
        1e-3 * mean.abs().max(1.0)
    }
}

/// The Gaussian kernel density of the finite `values` on a grid over their range. Mass that a
/// kernel puts beyond the smallest or largest value is reflected back inside (ArviZ's
/// `bound_correction`), so a positive parameter's density does not leak below its bound.
/// `None` for fewer than two finite values.
pub(super) fn kde(values: &[f64]) -> Option<Curve> {
    let (lo, hi) = values
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    kde_on(values, lo, hi)
}

/// [`kde`] evaluated on a grid over `lo..hi` (zero outside the values' own range), so the
/// densities of several samples share one grid and can be averaged.
pub(super) fn kde_on(values: &[f64], lo: f64, hi: f64) -> Option<Curve> {
    let values: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if values.len() < 2 || !(lo.is_finite() && hi.is_finite()) {
        return None;
    }
    let h = bandwidth(&values);
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    // All values equal: a spike of the kernel's width, without reflection.
    let (spike, lo, hi) = if max > min {
        (false, lo, hi)
    } else {
        (true, lo.min(min - 3.0 * h), hi.max(max + 3.0 * h))
    };
    let norm = 1.0 / (values.len() as f64 * h * (2.0 * PI).sqrt());
    let kernel = |u: f64| (-0.5 * u * u).exp();
    let x = grid(lo, hi);
    let support = if spike { (lo, hi) } else { (min, max) };
    let y = x
        .iter()
        .map(|&x| {
            if spike {
                norm * values.iter().map(|&v| kernel((x - v) / h)).sum::<f64>()
            } else if x < min || x > max {
                0.0
            } else {
                norm * values
                    .iter()
                    .map(|&v| {
                        kernel((x - v) / h)
                            + kernel((x - (2.0 * min - v)) / h)
                            + kernel((x - (2.0 * max - v)) / h)
                    })
                    .sum::<f64>()
            }
        })
        .collect();
    Some(Curve { x, y, support })
}

/// The wrapped Gaussian kernel density of angles on `[-π, π)`: each kernel is summed over its
/// images one turn away, so the density is continuous across ±π.
pub(super) fn circular_kde(angles: &[f64]) -> Option<Curve> {
    let angles: Vec<f64> = angles
        .iter()
        .filter(|v| v.is_finite())
        .map(|&a| crate::special::wrap_angle(a))
        .collect();
    if angles.len() < 2 {
        return None;
    }
    // The bandwidth of the angles' spread around their circular mean, capped at a quarter
    // turn so a uniform sample is drawn flat rather than as one wide bump.
    let (s, c) = angles
        .iter()
        .fold((0.0, 0.0), |(s, c), a| (s + a.sin(), c + a.cos()));
    let mean = s.atan2(c);
    let centered: Vec<f64> = angles
        .iter()
        .map(|&a| crate::special::wrap_angle(a - mean))
        .collect();
    let h = bandwidth(&centered).min(PI / 2.0);
    let norm = 1.0 / (angles.len() as f64 * h * (2.0 * PI).sqrt());
    let x = grid(-PI, PI);
    let y = x
        .iter()
        .map(|&x| {
            norm * angles
                .iter()
                .map(|&a| {
                    let d = crate::special::wrap_angle(x - a);
                    [-TAU, 0.0, TAU]
                        .iter()
                        .map(|shift| (-0.5 * ((d + shift) / h).powi(2)).exp())
                        .sum::<f64>()
                })
                .sum::<f64>()
        })
        .collect();
    Some(Curve {
        x,
        y,
        support: (-PI, PI),
    })
}

/// `GRID` evenly spaced points from `lo` to `hi`.
fn grid(lo: f64, hi: f64) -> Vec<f64> {
    (0..GRID)
        .map(|k| lo + (hi - lo) * k as f64 / (GRID - 1) as f64)
        .collect()
}

/// Counts of the finite `values` in `bins` equal bins over `lo..hi` (a value at `hi` goes in
/// the last bin; values outside are left out).
pub(super) fn histogram(values: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<usize> {
    let mut counts = vec![0; bins];
    let width = (hi - lo) / bins as f64;
    for &v in values {
        if v.is_finite() && v >= lo && v <= hi && width > 0.0 {
            let bin = (((v - lo) / width) as usize).min(bins - 1);
            counts[bin] += 1;
        }
    }
    counts
}

/// Sturges' number of histogram bins, `log2(n) + 1`, doubled as ArviZ's rank plots do.
pub(super) fn rank_bins(n: usize) -> usize {
    2 * ((n.max(1) as f64).log2().ceil() as usize + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};

    fn normal_draws(n: usize, seed: u64) -> Vec<f64> {
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(seed);
        let normal = Normal::new(0.0, 1.0).unwrap();
        (0..n).map(|_| normal.sample(&mut rng)).collect()
    }

    /// Trapezoid rule over a curve.
    fn area(curve: &Curve) -> f64 {
        curve
            .x
            .windows(2)
            .zip(curve.y.windows(2))
            .map(|(x, y)| 0.5 * (x[1] - x[0]) * (y[0] + y[1]))
            .sum()
    }

    #[test]
    fn kde_of_normal_draws_is_the_normal_density() {
        let curve = kde(&normal_draws(4000, 1)).unwrap();
        // Reflection keeps the mass inside the data's range.
        assert!((area(&curve) - 1.0).abs() < 0.01, "area {}", area(&curve));
        // Near the centre the estimate is within a few percent of 1/sqrt(2 pi): the bias of
        // Silverman's bandwidth at n = 4000 is about 1%, the noise about 2%.
        let peak = curve
            .x
            .iter()
            .zip(&curve.y)
            .filter(|(x, _)| x.abs() < 0.05)
            .map(|(_, y)| *y)
            .next()
            .unwrap();
        assert!((peak - 0.3989).abs() < 0.02, "peak {peak}");
    }

    #[test]
    fn kde_reflects_at_a_bound() {
        // Exponential draws: a kernel estimate without reflection halves the density at 0.
        let draws: Vec<f64> = normal_draws(4000, 2)
            .iter()
            .zip(normal_draws(4000, 3))
            .map(|(a, b)| 0.5 * (a * a + b * b))
            .collect();
        let curve = kde(&draws).unwrap();
        assert!(curve.y[0] > 0.8, "density at the bound {}", curve.y[0]);
    }

    #[test]
    fn circular_kde_is_continuous_across_pi() {
        let angles: Vec<f64> = normal_draws(2000, 4).iter().map(|z| PI + 0.3 * z).collect();
        let curve = circular_kde(&angles).unwrap();
        let (first, last) = (curve.y[0], curve.y[GRID - 1]);
        assert!((first - last).abs() < 1e-9 * first.max(1.0));
        // Mass one: the normal with sd 0.3 at its mean has density 1.33.
        assert!((area(&curve) - 1.0).abs() < 0.01);
        assert!((first - 1.33).abs() < 0.1, "{first}");
    }

    #[test]
    fn histogram_counts_every_value_once() {
        let counts = histogram(&[0.0, 0.5, 1.0, 2.0, f64::NAN, -1.0], 0.0, 2.0, 2);
        assert_eq!(counts, vec![2, 2]);
        assert_eq!(rank_bins(1000), 22);
    }

    #[test]
    fn too_few_values_have_no_density() {
        assert!(kde(&[1.0, f64::NAN]).is_none());
        let spike = kde(&[2.0, 2.0, 2.0]).unwrap();
        assert!(spike.y.iter().all(|y| y.is_finite()));
    }
}
