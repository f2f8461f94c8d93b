//! Rank normalization and folding (Vehtari et al. 2021): the transforms
//! that make R-hat and ESS work for heavy tails and see differences in scale.

use std::f64::consts::SQRT_2;

use statrs::function::erf::erfc_inv;

use super::chain_matrix::ChainMatrix;

/// Blom's (1958) offset in the fractional rank `(r - 3/8) / (S + 1/4)`.
const BLOM_OFFSET: f64 = 3.0 / 8.0;

/// Every value replaced by the normal quantile of its fractional rank among all `S` values of the
/// matrix (pooled across chains): `z = Φ⁻¹((r - 3/8) / (S - 2·3/8 + 1))`, with tied values
/// sharing their average rank. Rank-normalized draws have finite mean and variance whatever the
/// tails of the original, so R-hat and ESS computed on them are defined for any posterior.
pub(crate) fn rank_normalize(matrix: &ChainMatrix) -> ChainMatrix {
    rank_normalize_sorted(matrix, &sort_with_positions(matrix.values()))
}

/// [`rank_normalize`] given the matrix's values sorted beside their positions
/// ([`sort_with_positions`]), which a summary row shares with its quantiles.
pub(crate) fn rank_normalize_sorted(matrix: &ChainMatrix, order: &[(f64, usize)]) -> ChainMatrix {
    let size = matrix.values().len() as f64;
    let denominator = size - 2.0 * BLOM_OFFSET + 1.0;
    let z = average_ranks(order)
        .into_iter()
        .map(|rank| normal_quantile((rank - BLOM_OFFSET) / denominator))
        .collect();
    matrix.with_values(z)
}

/// Every value replaced by its absolute deviation from `median`, the median of the whole
/// matrix: R-hat of folded draws compares the chains' spread rather than their location.
pub(crate) fn fold_about(matrix: &ChainMatrix, median: f64) -> ChainMatrix {
    matrix.map(|x| (x - median).abs())
}

/// The values sorted, each beside its position: sorting the pairs themselves, rather than
/// positions compared through the values, reads the values in order, and took half the time.
pub(crate) fn sort_with_positions(values: &[f64]) -> Vec<(f64, usize)> {
    let mut order: Vec<(f64, usize)> = values.iter().copied().zip(0..).collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    order
}

/// Ranks from 1 to `n` of the values sorted in `order` (see [`sort_with_positions`]), ties
/// sharing the mean of the ranks they span (scipy's `rankdata(method="average")`).
fn average_ranks(order: &[(f64, usize)]) -> Vec<f64> {
    let mut ranks = vec![0.0; order.len()];
    let mut start = 0;
    while start < order.len() {
        let value = order[start].0;
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&(v, _)| v == value)
                .count();
        // Ranks start + 1 ..= end, whose mean is (start + 1 + end) / 2.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &(_, i) in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
    ranks
}

/// The standard normal quantile `Φ⁻¹(p) = -√2 erfc⁻¹(2p)`; the complementary form keeps full
/// relative accuracy in the lower tail.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    -SQRT_2 * erfc_inv(2.0 * p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_their_average_rank() {
        assert_eq!(
            average_ranks(&sort_with_positions(&[3.0, 1.0, 3.0, 2.0, 3.0, -0.0, 0.0])),
            [6.0, 3.0, 6.0, 4.0, 6.0, 1.5, 1.5]
        );
    }

    #[test]
    fn normal_quantile_matches_scipy() {
        // scipy.stats.norm.ppf at these points.
        let cases = [
            (0.5, 0.0),
            (0.975, 1.959_963_984_540_054),
            (0.05, -1.644_853_626_951_472_9),
            (1.0 / 2000.25, -3.290_561_897_001_458),
            (1e-10, -6.361_340_902_404_056),
        ];
        for (p, z) in cases {
            let got = normal_quantile(p);
            assert!(
                (got - z).abs() <= 1e-15 * z.abs().max(1.0),
                "p = {p}: {got} vs {z}"
            );
        }
    }

    #[test]
    fn rank_normalized_values_are_symmetric() {
        let m = ChainMatrix::from_values(2, 3, vec![10.0, -5.0, 7.0, 100.0, 0.0, 1.0]);
        let z = rank_normalize(&m);
        let mut v = z.values().to_vec();
        v.sort_by(f64::total_cmp);
        for i in 0..3 {
            assert!((v[i] + v[5 - i]).abs() < 1e-15);
        }
        assert!(v[0] < -1.0);
    }
}
