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
    with_twiddles(m, |twiddles| transform(re, im, twiddles));
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
    with_twiddles(m, |twiddles| {
        transform(&mut z_re, &mut z_im, twiddles);
        // With E and O the transforms of the even and odd elements, Z[k] = E[k] + i O[k], so
        // E[k] = (Z[k] + conj Z[h - k]) / 2, O[k] = (Z[k] - conj Z[h - k]) / 2i, and
        // X[k] = E[k] + w^k O[k] with w = exp(-2πi/m): `twiddles[k]` for k < h, -1 at h.
        for k in 0..=h {
            // Indices modulo h, written as selects (a remainder would be a division).
            let (i, j) = (if k == h { 0 } else { k }, if k == 0 { 0 } else { h - k });
            let (a_re, a_im) = (z_re[i], z_im[i]);
            let (b_re, b_im) = (z_re[j], -z_im[j]);
            let (e_re, e_im) = (0.5 * (a_re + b_re), 0.5 * (a_im + b_im));
            let (o_re, o_im) = (0.5 * (a_im - b_im), -0.5 * (a_re - b_re));
            let (w_re, w_im) = if k < h { twiddles[k] } else { (-1.0, 0.0) };
            re[k] = e_re + (w_re * o_re - w_im * o_im);
            im[k] = e_im + (w_re * o_im + w_im * o_re);
        }
    });
}

/// Calls `f` with the twiddle factors `exp(-2πi k/m)`, `k < m/2`, of length `m`.
fn with_twiddles<R>(m: usize, f: impl FnOnce(&[(f64, f64)]) -> R) -> R {
    TWIDDLES.with(|cache| {
        let mut cache = cache.borrow_mut();
        let (length, twiddles) = &mut *cache;
        if *length != m {
            twiddles.clear();
            twiddles.extend((0..m / 2).map(|k| {
                let (sin, cos) = (TAU * k as f64 / m as f64).sin_cos();
                (cos, -sin)
            }));
            *length = m;
        }
        f(twiddles)
    })
}

thread_local! {
    /// The twiddle factors of the last length transformed on this thread: a summary transforms
    /// every chain of every quantity at the same length, and the `m / 2` sines and cosines
    /// cost about as much as the butterflies (computed at each call, they took the
    /// hierarchical anchor's time outside warmup and sampling from 0.164 to 0.200 s).
    static TWIDDLES: RefCell<(usize, Vec<(f64, f64)>)> = const { RefCell::new((0, Vec::new())) };
}

/// The complex transform of `re + i im` in place, of a power-of-two length `l`, with
/// `twiddles` the factors of a length `t ≥ l` (a multiple of it): `exp(-2πi k/l)` is
/// `twiddles[k t/l]`.
fn transform(re: &mut [f64], im: &mut [f64], twiddles: &[(f64, f64)]) {
    let l = re.len();
    assert!(
        l.is_power_of_two() && im.len() == l,
        "fft length is a power of two"
    );
    if l == 1 {
        return;
    }
    let bits = l.trailing_zeros();
    for i in 0..l {
        let j = i.reverse_bits() >> (usize::BITS - bits);
        if i < j {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    let t = 2 * twiddles.len();
    assert!(t >= l && t.is_multiple_of(l));
    butterflies(re, im, twiddles, t / l);
}

/// The butterflies of [`transform`] after its bit-reversal permutation: stage by stage, each
/// block of `2 span` elements split into its halves, so that no element access is checked.
fn butterflies(re: &mut [f64], im: &mut [f64], twiddles: &[(f64, f64)], step: usize) {
    let l = re.len();
    let mut span = 1;
    while span < l {
        let stride = step * l / (2 * span);
        let blocks = re
            .chunks_exact_mut(2 * span)
            .zip(im.chunks_exact_mut(2 * span));
        for (block_re, block_im) in blocks {
            let (a_re, b_re) = block_re.split_at_mut(span);
            let (a_im, b_im) = block_im.split_at_mut(span);
            let factors = twiddles.iter().step_by(stride);
            let pairs = a_re.iter_mut().zip(a_im).zip(b_re.iter_mut().zip(b_im));
            for (((a_re, a_im), (b_re, b_im)), &(w_re, w_im)) in pairs.zip(factors) {
                let t_re = w_re * *b_re - w_im * *b_im;
                let t_im = w_re * *b_im + w_im * *b_re;
                *b_re = *a_re - t_re;
                *b_im = *a_im - t_im;
                *a_re += t_re;
                *a_im += t_im;
            }
        }
        span *= 2;
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
