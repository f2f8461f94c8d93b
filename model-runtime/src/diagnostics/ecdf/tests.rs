use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use super::*;

/// Binomial probabilities of binomial(n, p) by the textbook formula with exact binomial
/// coefficients: an independent reference for small `n`.
fn textbook_pmf(n: usize, p: f64) -> Vec<f64> {
    let mut choose = 1u128;
    (0..=n)
        .map(|k| {
            if k > 0 {
                choose = choose * (n - k + 1) as u128 / k as u128;
            }
            choose as f64 * p.powi(k as i32) * (1.0 - p).powi((n - k) as i32)
        })
        .collect()
}

/// The probability, by enumerating all `(L + 1)^N` rank vectors, that the counts below each
/// bound stay inside `band`.
fn enumerated_coverage(n: usize, possible: usize, bounds: &[usize], band: &Band) -> f64 {
    let total = possible.pow(n as u32);
    let mut inside = 0usize;
    let mut ranks = vec![0; n];
    for code in 0..total {
        let mut c = code;
        for r in &mut ranks {
            *r = c % possible;
            c /= possible;
        }
        let ok = bounds.iter().enumerate().all(|(i, &b)| {
            let count = ranks.iter().filter(|&&r| r < b).count();
            band.0[i] <= count && count <= band.1[i]
        });
        inside += usize::from(ok);
    }
    inside as f64 / total as f64
}

#[test]
fn coverage_recursion_matches_enumeration_of_every_rank_vector() {
    // Small cases where all rank vectors can be listed: uneven grids (K not dividing L + 1)
    // and bands both from the quantiles and chosen by hand.
    for (n, max_rank, intervals) in [(4, 4, 5), (5, 3, 4), (4, 6, 3), (6, 2, 3), (3, 9, 7)] {
        let possible = max_rank + 1;
        let bounds: Vec<usize> = (0..=intervals).map(|i| i * possible / intervals).collect();
        let grid = Grid::new(n, possible, &bounds);
        let mut scratch = Vec::new();
        let mut bands: Vec<Band> = [0.02, 0.2, 0.6]
            .iter()
            .map(|&g| grid.band(g, &mut scratch))
            .collect();
        // A lopsided band: the lower interval pinned at the expected count.
        let lopsided: Vec<usize> = bounds.iter().map(|&b| n * b / possible).collect();
        bands.push((lopsided, vec![n; intervals + 1]));
        for band in &bands {
            let exact = enumerated_coverage(n, possible, &bounds, band);
            let recursion = grid.coverage(band);
            assert!(
                (exact - recursion).abs() < 1e-12,
                "N {n} L {max_rank} K {intervals} band {band:?}: enumerated {exact}, recursion {recursion}"
            );
        }
    }
}

#[test]
fn quantiles_match_the_textbook_binomial() {
    let (n, possible) = (30, 7);
    let bounds: Vec<usize> = (0..=possible).collect();
    let grid = Grid::new(n, possible, &bounds);
    let mut scratch = Vec::new();
    for gamma in [1e-6, 0.003, 0.05, 0.3] {
        let (lower, upper) = grid.band(gamma, &mut scratch);
        for i in 1..possible {
            let pmf = textbook_pmf(n, i as f64 / possible as f64);
            let cdf = |x: usize| pmf[..=x].iter().sum::<f64>();
            let lower_expected = (0..=n).find(|&x| cdf(x) >= gamma / 2.0).unwrap();
            let upper_expected = (0..=n).find(|&x| 1.0 - cdf(x) <= gamma / 2.0).unwrap();
            assert_eq!(lower[i], lower_expected, "lower, gamma {gamma}, point {i}");
            assert_eq!(upper[i], upper_expected, "upper, gamma {gamma}, point {i}");
        }
    }
}

#[test]
fn binomial_probabilities_match_the_textbook_formula() {
    let bounds = [0, 1];
    let grid = Grid::new(40, 1, &bounds);
    let mut pmf = Vec::new();
    for p in [0.01, 0.3, 0.5, 0.97] {
        grid.binomial_pmf(40, p, &mut pmf);
        for (x, (a, b)) in pmf.iter().zip(textbook_pmf(40, p)).enumerate() {
            assert!(
                (a - b).abs() <= 1e-13 * b.max(1e-300),
                "p {p} x {x}: {a} vs {b}"
            );
        }
    }
}

/// Draws `count` rank vectors of `n` ranks uniform on `0..=max_rank`.
fn uniform_rank_sets(seed: u64, count: usize, n: usize, max_rank: usize) -> Vec<Vec<usize>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| (0..n).map(|_| rng.random_range(0..=max_rank)).collect())
        .collect()
}

#[test]
fn uniform_ranks_stay_inside_at_the_computed_rate() {
    // The recursion's coverage is checked against simulation: 4000 sets of uniform ranks, of
    // which a fraction `coverage` should stay inside; the Monte Carlo standard error is
    // sqrt(0.95 · 0.05 / 4000) ≈ 0.0034, and the tolerance is 4 of them.
    const SETS: usize = 4000;
    for (n, max_rank) in [(100, 99), (60, 199), (30, 19)] {
        let bands = EcdfBands::new(n, max_rank, 0.95).unwrap();
        assert!(
            (bands.coverage() - 0.95).abs() < 0.01,
            "N {n} L {max_rank}: exact coverage {} far from 0.95",
            bands.coverage()
        );
        let inside = uniform_rank_sets(n as u64, SETS, n, max_rank)
            .iter()
            .filter(|ranks| bands.test(ranks).unwrap().inside())
            .count() as f64
            / SETS as f64;
        let p = bands.coverage();
        let tolerance = 4.0 * (p * (1.0 - p) / SETS as f64).sqrt();
        assert!(
            (inside - p).abs() < tolerance,
            "N {n} L {max_rank}: simulated coverage {inside}, computed {p}"
        );
    }
}

#[test]
fn adjusted_gamma_agrees_with_the_simulation_method() {
    // The paper's simulation method (`adjust_gamma_simulate` in the R package SBC): for each
    // set of uniform ranks, the smallest two-sided binomial tail probability over the points,
    // g = min_i 2 min(P(X_i ≤ x_i), P(X_i ≥ x_i)); the ECDF stays inside the bands at level γ
    // exactly when g ≥ γ, so the adjusted γ is the α-quantile of g. A distribution-free
    // 99.9% interval for that quantile from 4000 sets is between the order statistics at
    // 4000 α ∓ 3.3 sqrt(4000 α (1 - α)).
    const SETS: usize = 4000;
    let (n, max_rank) = (100, 99);
    let bands = EcdfBands::new(n, max_rank, 0.95).unwrap();
    let possible = max_rank + 1;
    let cdfs: Vec<Vec<f64>> = (1..possible)
        .map(|b| {
            let mut pmf = textbook_pmf(n, b as f64 / possible as f64);
            for x in 1..=n {
                pmf[x] += pmf[x - 1];
            }
            pmf
        })
        .collect();
    let mut g: Vec<f64> = uniform_rank_sets(11, SETS, n, max_rank)
        .iter()
        .map(|ranks| {
            cdfs.iter()
                .enumerate()
                .map(|(i, cdf)| {
                    let x = ranks.iter().filter(|&&r| r < i + 1).count();
                    let at_most = cdf[x];
                    let at_least = if x == 0 { 1.0 } else { 1.0 - cdf[x - 1] };
                    2.0 * at_most.min(at_least)
                })
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    g.sort_by(f64::total_cmp);
    let (alpha, m) = (0.05, SETS as f64);
    let spread = 3.3 * (m * alpha * (1.0 - alpha)).sqrt();
    let (low, high) = (
        g[(m * alpha - spread).floor() as usize],
        g[(m * alpha + spread).ceil() as usize],
    );
    // γ sits at a step of the discrete g; the slack covers the bisection's last interval.
    assert!(
        low * (1.0 - 1e-9) <= bands.gamma() && bands.gamma() <= high * (1.0 + 1e-9),
        "adjusted gamma {} outside the simulated interval [{low}, {high}]",
        bands.gamma()
    );
}

#[test]
fn unadjusted_pointwise_bands_are_far_too_narrow() {
    // Without the adjustment (γ = α), the 95% intervals at 100 points together hold a
    // uniform ECDF far less often than 95%: the adjustment is what makes the test valid.
    let possible = 100;
    let bounds: Vec<usize> = (0..=possible).collect();
    let grid = Grid::new(100, possible, &bounds);
    let band = grid.band(0.05, &mut Vec::new());
    assert!(grid.coverage(&band) < 0.7, "{}", grid.coverage(&band));
}

#[test]
fn non_uniform_ranks_fail() {
    let (n, max_rank) = (100, 99);
    let bands = EcdfBands::new(n, max_rank, 0.95).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut flagged = [0usize; 3];
    for _ in 0..200 {
        // A posterior shifted by a fifth of its width; one too narrow (ranks pile at both
        // ends); one too wide (ranks pile in the middle).
        let shifted: Vec<usize> = (0..n)
            .map(|_| (rng.random_range(0..=max_rank) + 20).min(max_rank))
            .collect();
        let narrow: Vec<usize> = (0..n)
            .map(|_| {
                let u: f64 = rng.random();
                let v = if u < 0.5 {
                    (2.0 * u).powi(2) / 2.0
                } else {
                    1.0 - (2.0 * (1.0 - u)).powi(2) / 2.0
                };
                ((v * 100.0) as usize).min(max_rank)
            })
            .collect();
        let wide: Vec<usize> = (0..n).map(|_| rng.random_range(25..=74)).collect();
        for (k, ranks) in [shifted, narrow, wide].iter().enumerate() {
            flagged[k] += usize::from(!bands.test(ranks).unwrap().inside());
        }
    }
    // Each departure is flagged in nearly every one of the 200 sets.
    assert!(
        flagged.iter().all(|&f| f >= 190),
        "flagged {flagged:?} of 200"
    );
}

#[test]
fn invalid_arguments_are_errors() {
    assert!(matches!(
        EcdfBands::new(10, 9, f64::NAN),
        Err(EcdfError::InvalidLevel { .. })
    ));
    assert!(matches!(
        EcdfBands::new(10, 9, 0.0),
        Err(EcdfError::InvalidLevel { .. })
    ));
    assert_eq!(
        EcdfBands::with_intervals(10, 9, 11, 0.95).unwrap_err(),
        EcdfError::InvalidIntervals {
            intervals: 11,
            possible: 10
        }
    );
    assert_eq!(
        EcdfBands::with_intervals(10, 9, 0, 0.95).unwrap_err(),
        EcdfError::InvalidIntervals {
            intervals: 0,
            possible: 10
        }
    );
    assert!(matches!(
        EcdfBands::new(MAX_RANKS + 1, 9, 0.95),
        Err(EcdfError::TooManyRanks { .. })
    ));
    let bands = EcdfBands::new(3, 9, 0.95).unwrap();
    assert_eq!(
        bands.test(&[1, 2]).unwrap_err(),
        EcdfError::WrongCount {
            expected: 3,
            found: 2
        }
    );
    assert_eq!(
        bands.test(&[1, 2, 10]).unwrap_err(),
        EcdfError::RankOutOfRange {
            rank: 10,
            max_rank: 9
        }
    );
}

#[test]
fn one_interval_needs_no_adjustment() {
    // With K = 1 the ECDF is only evaluated at 0 and 1, where it is always inside.
    let bands = EcdfBands::with_intervals(20, 0, 1, 0.95).unwrap();
    assert_eq!(bands.coverage(), 1.0);
    assert!(bands.test(&[0; 20]).unwrap().inside());
}
