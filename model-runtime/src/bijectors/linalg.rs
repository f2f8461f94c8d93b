//! The small dense linear algebra the matrix bijectors need.

/// Position of element `(row, column)`, `column ≤ row`, in a lower triangle stored row by row
/// with its diagonal.
pub(super) fn packed_index(row: usize, column: usize) -> usize {
    row * (row + 1) / 2 + column
}

/// Writes the Cholesky factor of the symmetric `n×n` matrix `a` (row-major; only its lower
/// triangle is read) into `factor`, a packed lower triangle ([`packed_index`]). Fails with the
/// row of the first pivot that is not positive (or NaN): the matrix is not positive definite.
/// The factorization is [`linalg::cholesky`](crate::linalg::cholesky)'s.
pub(super) fn cholesky_packed(a: &[f64], n: usize, factor: &mut [f64]) -> Result<(), usize> {
    debug_assert_eq!(factor.len(), n * (n + 1) / 2);
    let l = crate::linalg::cholesky(a, n).map_err(|e| e.row)?;
    for i in 0..n {
        factor[packed_index(i, 0)..=packed_index(i, i)].copy_from_slice(&l[i * n..=i * n + i]);
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
