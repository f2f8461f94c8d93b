//! The small dense linear algebra the matrix bijectors need.

/// Position of element `(row, column)`, `column ≤ row`, in a lower triangle stored row by row
/// with its diagonal.
pub(super) fn packed_index(row: usize, column: usize) -> usize {
    row * (row + 1) / 2 + column
}

/// Writes the Cholesky factor of the symmetric `n×n` matrix `a` (row-major; only its lower
/// triangle is read) into `factor`, a packed lower triangle ([`packed_index`]). Fails with the
/// row of the first pivot that is not positive (or NaN): the matrix is not positive definite.
///
/// Cholesky–Banachiewicz order, row by row, as in Golub and Van Loan, "Matrix Computations",
/// algorithm 4.2.1.
pub(super) fn cholesky_packed(a: &[f64], n: usize, factor: &mut [f64]) -> Result<(), usize> {
    debug_assert_eq!(a.len(), n * n);
    debug_assert_eq!(factor.len(), n * (n + 1) / 2);
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for m in 0..j {
                s -= factor[packed_index(i, m)] * factor[packed_index(j, m)];
            }
            if i == j {
                if s.is_nan() || s <= 0.0 {
                    return Err(i);
                }
                factor[packed_index(i, i)] = s.sqrt();
            } else {
                factor[packed_index(i, j)] = s / factor[packed_index(j, j)];
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_a_known_matrix() {
        // [[4, 2], [2, 5]] = L Lᵀ with L = [[2, 0], [1, 2]].
        let mut l = [0.0; 3];
        cholesky_packed(&[4.0, 2.0, 2.0, 5.0], 2, &mut l).unwrap();
        assert_eq!(l, [2.0, 1.0, 2.0]);
        assert_eq!(cholesky_packed(&[1.0, 2.0, 2.0, 1.0], 2, &mut l), Err(1));
    }
}
