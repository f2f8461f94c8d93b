//! Loops over contiguous `f64` slices at the speed of the machine's vector units.
//!
//! Two pieces make a loop vectorize: its body must be free of branches and calls (the
//! elementary functions in [`lanes`] are written for this), and the compiler must be allowed
//! to use the wide instructions. [`dispatch`] provides the second at run time: it detects the
//! CPU's features once and runs the loop inside a function compiled for AVX-512 or AVX2 with
//! FMA, falling back to the baseline instruction set elsewhere. The loop is a [`Kernel`] whose
//! `run` is `#[inline(always)]`, so it is inlined into each feature-enabled function and
//! everything it calls with `#[inline(always)]` is compiled for the wider instructions too (the
//! technique of the `pulp` crate, written out here because it is a few dozen lines).
//!
//! # Example
//!
//! ```
//! use model_runtime::vector_math::{Kernel, dispatch, lanes};
//!
//! /// `y = eˣ` elementwise.
//! struct Exp<'a> {
//!     x: &'a [f64],
//!     y: &'a mut [f64],
//! }
//! impl Kernel for Exp<'_> {
//!     type Output = ();
//!     #[inline(always)]
//!     fn run(self) {
//!         for (y, &x) in self.y.iter_mut().zip(self.x) {
//!             *y = lanes::exp(x);
//!         }
//!     }
//! }
//!
//! let x = [0.0, 1.0, -2.0];
//! let mut y = [0.0; 3];
//! dispatch(Exp { x: &x, y: &mut y });
//! assert_eq!(y[0], 1.0);
//! assert!((y[1] - std::f64::consts::E).abs() < 1e-15);
//! ```

pub mod lanes;
mod scratch;

pub use scratch::Scratch;

use std::sync::atomic::{AtomicU8, Ordering};

/// The widest instruction set this CPU offers that [`dispatch`] compiles for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The target's baseline (SSE2 on x86-64).
    Baseline,
    /// AVX2 with fused multiply-add: four doubles per instruction.
    Avx2,
    /// AVX-512 (foundation and doubleword/quadword): eight doubles per instruction.
    Avx512,
}

/// 0: not yet detected; otherwise `1 + Level as u8`.
static LEVEL: AtomicU8 = AtomicU8::new(0);

/// The level [`dispatch`] uses on this CPU (detected once). Setting the environment variable
/// `MODEL_RUNTIME_SIMD` to `baseline` or `avx2` before the first call caps it, to compare the
/// levels on one machine.
///
/// # Example
///
/// ```
/// use model_runtime::vector_math::{Level, level};
/// let l = level();
/// assert!(matches!(l, Level::Baseline | Level::Avx2 | Level::Avx512));
/// ```
pub fn level() -> Level {
    match LEVEL.load(Ordering::Relaxed) {
        1 => Level::Baseline,
        2 => Level::Avx2,
        3 => Level::Avx512,
        _ => {
            let detected = detect();
            LEVEL.store(1 + detected as u8, Ordering::Relaxed);
            detected
        }
    }
}

fn detect() -> Level {
    let cap = std::env::var("MODEL_RUNTIME_SIMD").unwrap_or_default();
    #[cfg(target_arch = "x86_64")]
    {
        let avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
        let avx512 = avx2
            && is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512vl");
        match cap.as_str() {
            "baseline" => Level::Baseline,
            "avx2" if avx2 => Level::Avx2,
            _ if avx512 => Level::Avx512,
            _ if avx2 => Level::Avx2,
            _ => Level::Baseline,
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = cap;
        Level::Baseline
    }
}

/// A loop to run at the widest vector width: its [`Kernel::run`] must be marked
/// `#[inline(always)]`, so that [`dispatch`] compiles it into each feature-enabled copy (a
/// closure would not do: the compiler keeps it a separate function compiled for the baseline).
///
/// # Example
///
/// ```
/// use model_runtime::vector_math::{Kernel, dispatch, lanes};
///
/// struct Exp<'a>(&'a mut [f64]);
/// impl Kernel for Exp<'_> {
///     type Output = ();
///     #[inline(always)]
///     fn run(self) {
///         for x in self.0.iter_mut() {
///             *x = lanes::exp(*x);
///         }
///     }
/// }
/// let mut x = [0.0, 1.0];
/// dispatch(Exp(&mut x));
/// assert_eq!(x[0], 1.0);
/// ```
pub trait Kernel {
    /// What the loop returns.
    type Output;
    /// The loop.
    fn run(self) -> Self::Output;
}

/// Runs `kernel` compiled for the widest vector instructions of this CPU (see the
/// [module](self) docs).
#[inline]
pub fn dispatch<K: Kernel>(kernel: K) -> K::Output {
    #[cfg(target_arch = "x86_64")]
    {
        match level() {
            // SAFETY: `level` returns these only when the CPU has the features.
            Level::Avx512 => unsafe { avx512(kernel) },
            Level::Avx2 => unsafe { avx2(kernel) },
            Level::Baseline => kernel.run(),
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        kernel.run()
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
fn avx512<K: Kernel>(kernel: K) -> K::Output {
    kernel.run()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn avx2<K: Kernel>(kernel: K) -> K::Output {
    kernel.run()
}

/// Independent partial sums per reduction: enough to cover the latency of the adds at full
/// vector width (four vectors of eight lanes), and a fixed-size array the compiler keeps in
/// registers.
const LANES: usize = 32;

/// Adds the partial sums pairwise.
#[inline(always)]
fn reduce(partial: [f64; LANES]) -> f64 {
    let mut width = LANES;
    let mut p = partial;
    while width > 1 {
        width /= 2;
        for k in 0..width {
            p[k] += p[k + width];
        }
    }
    p[0]
}

/// `Σ xs`, with independent partial sums so that the additions vectorize (the result can
/// differ from the left-to-right sum in the last bits).
///
/// # Example
///
/// ```
/// assert_eq!(model_runtime::vector_math::sum(&[1.0, 2.0, 3.5]), 6.5);
/// ```
#[inline(always)]
pub fn sum(xs: &[f64]) -> f64 {
    let (chunks, tail) = xs.as_chunks::<LANES>();
    let mut partial = [0.0; LANES];
    for chunk in chunks {
        for k in 0..LANES {
            partial[k] += chunk[k];
        }
    }
    let mut total = reduce(partial);
    for x in tail {
        total += x;
    }
    total
}

/// `Σ a_i b_i`, with independent partial sums of fused multiply-adds.
///
/// Call it inside a [`Kernel`] run by [`dispatch`] in hot loops: compiled for a baseline x86-64
/// target, each `f64::mul_add` is a call to libm's `fma` (the same result, several times
/// slower).
///
/// # Example
///
/// ```
/// assert_eq!(model_runtime::vector_math::dot(&[1.0, 2.0], &[3.0, 4.0]), 11.0);
/// ```
#[inline(always)]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a_chunks, a_tail) = a[..n].as_chunks::<LANES>();
    let (b_chunks, b_tail) = b[..n].as_chunks::<LANES>();
    let mut partial = [0.0; LANES];
    for (ca, cb) in a_chunks.iter().zip(b_chunks) {
        for k in 0..LANES {
            partial[k] = ca[k].mul_add(cb[k], partial[k]);
        }
    }
    let mut total = reduce(partial);
    for (x, y) in a_tail.iter().zip(b_tail) {
        total = x.mul_add(*y, total);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `y = f(x)` elementwise for each lane function, at the dispatched width.
    struct Apply<'a> {
        x: &'a [f64],
        out: &'a mut [[f64; 5]],
    }

    impl Kernel for Apply<'_> {
        type Output = ();
        #[inline(always)]
        fn run(self) {
            for (o, &x) in self.out.iter_mut().zip(self.x) {
                *o = [
                    lanes::exp(x),
                    lanes::ln(x),
                    lanes::ln_1p(x),
                    lanes::ln_1p_exp(x),
                    lanes::sigmoid(x),
                ];
            }
        }
    }

    /// The vectorized loops compute what the lane functions compute one at a time, special
    /// values included (a select compiled to a blend must not change any result).
    #[test]
    fn dispatched_loops_match_the_lane_functions() {
        let mut x = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            f64::MIN_POSITIVE / 8.0,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            709.9,
            -745.5,
        ];
        x.extend((0..997).map(|i| -750.0 + 1.5 * i as f64 + 0.123));
        let mut out = vec![[0.0; 5]; x.len()];
        dispatch(Apply {
            x: &x,
            out: &mut out,
        });
        for (&x, o) in x.iter().zip(&out) {
            let expected = [
                lanes::exp(x),
                lanes::ln(x),
                lanes::ln_1p(x),
                lanes::ln_1p_exp(x),
                lanes::sigmoid(x),
            ];
            for (a, b) in o.iter().zip(expected) {
                assert!(
                    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                    "{x}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn sums_and_dots_match_sequential_sums() {
        let a: Vec<f64> = (0..1037)
            .map(|i| ((i * 7919) % 1000) as f64 / 997.0 - 0.4)
            .collect();
        let b: Vec<f64> = (0..1037)
            .map(|i| ((i * 104_729) % 1000) as f64 / 991.0)
            .collect();
        let reference: f64 = a.iter().sum();
        assert!((sum(&a) - reference).abs() < 1e-12);
        let reference: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - reference).abs() < 1e-11);
        assert_eq!(sum(&[]), 0.0);
        assert_eq!(dot(&[1.0, 2.0, 3.0], &[1.0, 1.0]), 3.0);
    }
}
