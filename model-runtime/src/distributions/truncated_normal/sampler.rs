//! Draws from the truncated normal: Robert's (1995) rejection samplers.

use rand::{Rng, RngExt};
use rand_distr::Distribution as _;

/// A standard normal draw restricted to `[a, b]` (either end may be infinite), by the
/// rejection samplers of Robert 1995, "Simulation of truncated normal variables": plain normal
/// draws for wide intervals around the mode, uniform proposals for narrow ones, and translated
/// exponential proposals with rate `(a + √(a² + 4))/2` in a tail. Every branch accepts at least
/// about a third of its proposals, however far out the interval lies.
pub(super) fn standard_truncated_normal<R: Rng + ?Sized>(rng: &mut R, a: f64, b: f64) -> f64 {
    if a >= 0.0 {
        upper_side(rng, a, b)
    } else if b <= 0.0 {
        -upper_side(rng, -b, -a)
    } else if b - a >= SQRT_2PI {
        loop {
            let z: f64 = rand_distr::StandardNormal.sample(rng);
            if (a..=b).contains(&z) {
                return z;
            }
        }
    } else {
        // The density peaks at 0, inside the interval.
        loop {
            let z = a + (b - a) * rng.random::<f64>();
            if rng.random::<f64>() <= (-0.5 * z * z).exp() {
                return z;
            }
        }
    }
}

/// `√(2π)`: around the mode, normal proposals are used from this width on (Robert 1995).
const SQRT_2PI: f64 = 2.506_628_274_631_000_5;

/// A standard normal draw restricted to `[a, b]` with `0 ≤ a < b ≤ ∞`.
fn upper_side<R: Rng + ?Sized>(rng: &mut R, a: f64, b: f64) -> f64 {
    let width = b - a;
    if width * (2.0 * a + width) <= 2.0 {
        // Uniform proposals, accepted with the density relative to its maximum at a: at least e^-1.
        loop {
            let z = a + width * rng.random::<f64>();
            if rng.random::<f64>() <= (-0.5 * (z - a) * (z + a)).exp() {
                return z;
            }
        }
    }
    // The optimal rate λ = (a + √(a² + 4))/2 and its excess over a, 2 / (a + √(a² + 4)), are
    // formed without overflow or cancellation, so that z - λ stays exact however large a is.
    let root = a.hypot(2.0);
    let rate = 0.5 * (a + root);
    let excess = 2.0 / (a + root);
    loop {
        let e: f64 = rand_distr::Exp1.sample(rng);
        let offset = e / rate;
        let z = a + offset;
        let distance = offset - excess; // z - λ
        if z <= b && rng.random::<f64>() <= (-0.5 * distance * distance).exp() {
            return z;
        }
    }
}
