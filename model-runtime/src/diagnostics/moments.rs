//! Means and variances of plain slices, computed the way numpy does (two passes).

/// The arithmetic mean; NaN for an empty slice.
pub(crate) fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// The sample variance with `n - 1` in the denominator (numpy's `ddof=1`), from two passes so
/// that a large common offset does not cancel away the digits of a small spread.
pub(crate) fn sample_variance(values: &[f64]) -> f64 {
    let center = mean(values);
    let sum_of_squares: f64 = values.iter().map(|x| (x - center) * (x - center)).sum();
    sum_of_squares / (values.len() as f64 - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variance_survives_a_large_offset() {
        let values = [1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0];
        assert_eq!(mean(&values), 1e9 + 2.0);
        assert_eq!(sample_variance(&values), 1.0);
    }
}
