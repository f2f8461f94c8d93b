//! A rectangular chains × draws array: the shape every diagnostic computes on.
//!
//! [`ChainDraws`](super::ChainDraws) is the validated public form; the diagnostics transform it (split
//! halves, rank-normalized values, indicators) into further matrices of this type.

/// Values of one scalar, `n_chains` rows of `n_draws` draws, stored chain after chain.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChainMatrix {
    n_chains: usize,
    n_draws: usize,
    values: Vec<f64>,
}

impl ChainMatrix {
    /// A matrix from values stored chain after chain; `values.len()` must be
    /// `n_chains * n_draws`, with both positive.
    pub(crate) fn from_values(n_chains: usize, n_draws: usize, values: Vec<f64>) -> Self {
        assert!(n_chains > 0 && n_draws > 0, "a chain matrix is never empty");
        assert_eq!(
            values.len(),
            n_chains * n_draws,
            "values fill the matrix exactly"
        );
        ChainMatrix {
            n_chains,
            n_draws,
            values,
        }
    }

    pub(crate) fn n_chains(&self) -> usize {
        self.n_chains
    }

    pub(crate) fn n_draws(&self) -> usize {
        self.n_draws
    }

    /// All values, chain after chain.
    pub(crate) fn values(&self) -> &[f64] {
        &self.values
    }

    /// The rows, one slice per chain.
    pub(crate) fn chains(&self) -> impl ExactSizeIterator<Item = &[f64]> {
        self.values.chunks_exact(self.n_draws)
    }

    /// The same shape with `f` applied to every value.
    pub(crate) fn map(&self, f: impl FnMut(f64) -> f64) -> Self {
        ChainMatrix {
            values: self.values.iter().copied().map(f).collect(),
            ..*self
        }
    }

    /// The same shape with new values, chain after chain.
    pub(crate) fn with_values(&self, values: Vec<f64>) -> Self {
        ChainMatrix::from_values(self.n_chains, self.n_draws, values)
    }

    /// Each chain cut into its first and last `n_draws / 2` draws, the first halves of all chains
    /// before the second halves (the order ArviZ stacks them in). An odd chain loses its middle
    /// draw. Splitting lets R-hat and ESS see a trend within a chain as disagreement between
    /// chains (the split-R-hat of Vehtari et al. 2021); `n_draws` must be at least 2.
    pub(crate) fn split_halves(&self) -> Self {
        let half = self.n_draws / 2;
        let first = self.chains().flat_map(|chain| &chain[..half]);
        let second = self.chains().flat_map(|chain| &chain[chain.len() - half..]);
        ChainMatrix::from_values(
            2 * self.n_chains,
            half,
            first.chain(second).copied().collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_stacks_first_halves_then_second_halves_and_drops_odd_middles() {
        let m = ChainMatrix::from_values(2, 5, vec![1., 2., 3., 4., 5., 6., 7., 8., 9., 10.]);
        let split = m.split_halves();
        assert_eq!((split.n_chains(), split.n_draws()), (4, 2));
        assert_eq!(split.values(), &[1., 2., 6., 7., 4., 5., 9., 10.]);
    }
}
