//! A radix-2 fast Fourier transform, enough for autocovariances of MCMC chains.

use std::cell::RefCell;
use std::f64::consts::TAU;

/// The discrete Fourier transform `X[k] = Σ_j x[j] exp(-2πi jk/m)`, in place, of the complex
/// sequence whose real parts are `re` and imaginary parts `im`; the length `m` must be a power of
/// two. Iterative Cooley–Tukey: bit-reversal permutation, then butterflies of doubling span,
/// with twiddle factors taken from one table of `sin`/`cos` values (not a running product, whose
/// error would grow with the length).
#[cfg(test)]
pub(crate) fn fft_in_place(re: &mut [f64], im: &mut [f64]) {
    let m = re.len();
    with_tables(m, |tables| transform(re, im, tables));
}

/// The transform of the real sequence `x` (of a power-of-two length `m ≥ 2`) at frequencies
/// `0..=m/2`, written to `re` and `im` (of length `m/2 + 1` each); the others follow from
/// `X[m - k] = conj(X[k])`.
///
/// The even and odd elements are packed as one complex sequence of length `m/2`, transformed,
/// and separated again (Press et al., *Numerical Recipes*, 3rd ed., §12.3.2): half the
/// butterflies of a complex transform of length `m`.
pub(crate) fn real_fft(x: &[f64], re: &mut [f64], im: &mut [f64]) {
    let m = x.len();
    assert!(
        m.is_power_of_two() && m >= 2,
        "fft length is a power of two"
    );
    let h = m / 2;
    assert!(re.len() == h + 1 && im.len() == h + 1);
    let (mut z_re, mut z_im): (Vec<f64>, Vec<f64>) =
        x.chunks_exact(2).map(|pair| (pair[0], pair[1])).unzip();
    with_tables(h, |tables| {
        transform(&mut z_re, &mut z_im, tables);
        // With E and O the transforms of the even and odd elements, Z[k] = E[k] + i O[k], so
        // E[k] = (Z[k] + conj Z[h - k]) / 2, O[k] = (Z[k] - conj Z[h - k]) / 2i, and
        // X[k] = E[k] + w^k O[k] with w = exp(-2πi/m): `tables.doubled[k]` for k < h, -1 at h.
        let separate = |a: (f64, f64), b: (f64, f64), w: (f64, f64)| {
            let ((a_re, a_im), (b_re, b_im), (w_re, w_im)) = (a, (b.0, -b.1), w);
            let (e_re, e_im) = (0.5 * (a_re + b_re), 0.5 * (a_im + b_im));
            let (o_re, o_im) = (0.5 * (a_im - b_im), -0.5 * (a_re - b_re));
            (
                e_re + (w_re * o_re - w_im * o_im),
                e_im + (w_re * o_im + w_im * o_re),
            )
        };
        // Frequencies 0 and h pair Z[0] with itself; the others Z[k] with Z[h - k], in a loop
        // without a remainder or a select per frequency, which the compiler vectorizes.
        let zero = (z_re[0], z_im[0]);
        (re[0], im[0]) = separate(zero, zero, tables.doubled[0]);
        (re[h], im[h]) = separate(zero, zero, (-1.0, 0.0));
        let (z_re, z_im, doubled) = (&z_re[..h], &z_im[..h], &tables.doubled[..h]);
        for k in 1..h {
            let a = (z_re[k], z_im[k]);
            let b = (z_re[h - k], z_im[h - k]);
            (re[k], im[k]) = separate(a, b, doubled[k]);
        }
    });
}

/// The twiddle factors of a complex transform of length `l`, each from its own `sin`/`cos`
/// (not a running product, whose error would grow with the length).
#[derive(Default)]
struct Tables {
    length: usize,
    /// Stage by stage, the factors `exp(-πi k/span)`, `k < span`, of the butterflies of span
    /// `span` (1, 2, 4, …, l/2) at offsets `span - 1 ..`: contiguous, so that a stage's
    /// butterflies run on the vector units.
    stage_re: Vec<f64>,
    stage_im: Vec<f64>,
    /// `exp(-2πi k/2l)`, `k < l`: for separating a real transform of length `2l`.
    doubled: Vec<(f64, f64)>,
    /// The pairs `(i, j)`, `i < j`, of positions whose bits are each other's reversed: the
    /// swaps of the bit-reversal permutation.
    swaps: Vec<(u32, u32)>,
}

/// Calls `f` with the twiddle factors of length `l`.
fn with_tables<R>(l: usize, f: impl FnOnce(&Tables) -> R) -> R {
    TABLES.with(|cache| {
        let mut tables = cache.borrow_mut();
        if tables.length != l {
            let factor = |k: usize, period: usize| {
                let (sin, cos) = (TAU * k as f64 / period as f64).sin_cos();
                (cos, -sin)
            };
            let stages = (0..l.trailing_zeros()).map(|stage| 1usize << stage);
            let (stage_re, stage_im) = stages
                .flat_map(|span| (0..span).map(move |k| factor(k, 2 * span)))
                .unzip();
            let bits = l.trailing_zeros();
            let reversed = |i: usize| i.reverse_bits().checked_shr(usize::BITS - bits);
            let swaps = (0..l)
                .filter_map(|i| {
                    let j = reversed(i).unwrap_or(0);
                    (i < j).then_some((i as u32, j as u32))
                })
                .collect();
            *tables = Tables {
                length: l,
                stage_re,
                stage_im,
                doubled: (0..l).map(|k| factor(k, 2 * l)).collect(),
                swaps,
            };
        }
        f(&tables)
    })
}

thread_local! {
    /// The twiddle factors of the last length transformed on this thread: a summary transforms
    /// every chain of every quantity at the same length, and the sines and cosines cost about
    /// as much as the butterflies (computed at each call, they took the hierarchical anchor's
    /// time outside warmup and sampling from 0.164 to 0.200 s).
    static TABLES: RefCell<Tables> = RefCell::new(Tables::default());
}

/// The complex transform of `re + i im` in place, of the power-of-two length of `tables`.
fn transform(re: &mut [f64], im: &mut [f64], tables: &Tables) {
    let l = re.len();
    assert!(
        l.is_power_of_two() && im.len() == l && tables.length == l,
        "fft length is a power of two"
    );
    if l == 1 {
        return;
    }
    for &(i, j) in &tables.swaps {
        re.swap(i as usize, j as usize);
        im.swap(i as usize, j as usize);
    }
    crate::vector_math::dispatch(Butterflies { re, im, tables });
}

/// The butterflies of [`transform`] after its bit-reversal permutation, stage by stage,
/// compiled for the vector units: each block of `2 span` elements is split into its halves,
/// which with the stage's contiguous factors are six slices that the compiler runs through
/// several butterflies at a time (one at a time, through a strided table, they took two thirds
/// of a summary's transforms).
struct Butterflies<'a> {
    re: &'a mut [f64],
    im: &'a mut [f64],
    tables: &'a Tables,
}

impl crate::vector_math::Kernel for Butterflies<'_> {
    type Output = ();
    #[inline(always)]
    fn run(self) {
        let Butterflies { re, im, tables } = self;
        let l = re.len();
        let mut span = 1;
        if l >= 4 {
            // Spans 1 and 2 in one pass over blocks of four: their factors are 1 and -i, so a
            // block is additions only (the generic loop spent most of its time on these
            // stages' one- and two-butterfly blocks).
            let blocks = re.chunks_exact_mut(4).zip(im.chunks_exact_mut(4));
            for (x_re, x_im) in blocks {
                let (s0_re, s0_im) = (x_re[0] + x_re[1], x_im[0] + x_im[1]);
                let (d0_re, d0_im) = (x_re[0] - x_re[1], x_im[0] - x_im[1]);
                let (s1_re, s1_im) = (x_re[2] + x_re[3], x_im[2] + x_im[3]);
                let (d1_re, d1_im) = (x_re[2] - x_re[3], x_im[2] - x_im[3]);
                // -i (d1_re + i d1_im) = d1_im - i d1_re.
                x_re[0] = s0_re + s1_re;
                x_im[0] = s0_im + s1_im;
                x_re[2] = s0_re - s1_re;
                x_im[2] = s0_im - s1_im;
                x_re[1] = d0_re + d1_im;
                x_im[1] = d0_im - d1_re;
                x_re[3] = d0_re - d1_im;
                x_im[3] = d0_im + d1_re;
            }
            span = 4;
        }
        while span < l {
            let w_re = &tables.stage_re[span - 1..2 * span - 1];
            let w_im = &tables.stage_im[span - 1..2 * span - 1];
            let blocks = re
                .chunks_exact_mut(2 * span)
                .zip(im.chunks_exact_mut(2 * span));
            for (block_re, block_im) in blocks {
                let (a_re, b_re) = block_re.split_at_mut(span);
                let (a_im, b_im) = block_im.split_at_mut(span);
                // Six slices of one length, indexed below it: checks the compiler drops,
                // and a loop it vectorizes.
                let (b_re, a_im, b_im) = (&mut b_re[..span], &mut a_im[..span], &mut b_im[..span]);
                for k in 0..span {
                    let t_re = w_re[k] * b_re[k] - w_im[k] * b_im[k];
                    let t_im = w_re[k] * b_im[k] + w_im[k] * b_re[k];
                    b_re[k] = a_re[k] - t_re;
                    b_im[k] = a_im[k] - t_im;
                    a_re[k] += t_re;
                    a_im[k] += t_im;
                }
            }
            span *= 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct sum `Σ_j x[j] exp(-2πi jk/m)` of a real sequence.
    fn direct(x: &[f64], k: usize) -> (f64, f64) {
        let m = x.len();
        let (mut sum_re, mut sum_im) = (0.0, 0.0);
        for (j, xj) in x.iter().enumerate() {
            let angle = -TAU * ((j * k) % m) as f64 / m as f64;
            sum_re += xj * angle.cos();
            sum_im += xj * angle.sin();
        }
        (sum_re, sum_im)
    }

    fn sequence(m: usize) -> Vec<f64> {
        (0..m)
            .map(|j| ((j * j) as f64 * 0.37).sin() + 0.1 * j as f64)
            .collect()
    }

    /// Lengths in turn, so that the twiddle factors kept from one length are never used for
    /// another.
    #[test]
    fn matches_the_direct_sum() {
        for m in [16, 8, 16, 32, 1, 2, 32] {
            let x = sequence(m);
            let (mut re, mut im) = (x.clone(), vec![0.0; m]);
            fft_in_place(&mut re, &mut im);
            for k in 0..m {
                let (sum_re, sum_im) = direct(&x, k);
                assert!((re[k] - sum_re).abs() < 1e-12, "m {m}: re[{k}]");
                assert!((im[k] - sum_im).abs() < 1e-12, "m {m}: im[{k}]");
            }
        }
    }

    #[test]
    fn the_real_transform_matches_the_direct_sum() {
        for m in [2, 4, 64, 8, 256] {
            let x = sequence(m);
            let (mut re, mut im) = (vec![0.0; m / 2 + 1], vec![0.0; m / 2 + 1]);
            real_fft(&x, &mut re, &mut im);
            for k in 0..=m / 2 {
                let (sum_re, sum_im) = direct(&x, k);
                let tolerance = 1e-12 * (m as f64);
                assert!((re[k] - sum_re).abs() < tolerance, "m {m}: re[{k}]");
                assert!((im[k] - sum_im).abs() < tolerance, "m {m}: im[{k}]");
            }
        }
    }
}
