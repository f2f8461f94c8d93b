//! The draws of one scalar quantity, chains × draws: the input of every diagnostic.

use super::chain_matrix::ChainMatrix;
use super::moments;

/// The draws of one scalar quantity from one or more MCMC chains, checked once so that every
/// diagnostic can rely on them: at least one chain, every chain with the same number of draws
/// and at least [`ChainDraws::MIN_DRAWS`] of them, every draw finite.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{ChainDraws, ChainDrawsError};
///
/// let chains = vec![vec![0.1, 0.4, -0.2, 0.3], vec![0.0, 0.2, 0.5, -0.1]];
/// let draws = ChainDraws::new(&chains)?;
/// assert_eq!((draws.n_chains(), draws.n_draws()), (2, 4));
/// assert!((draws.mean() - 0.15).abs() < 1e-15);
///
/// let ragged: [&[f64]; 2] = [&[1.0, 2.0, 3.0, 4.0], &[1.0, 2.0, 3.0]];
/// assert!(matches!(ChainDraws::new(&ragged), Err(ChainDrawsError::RaggedChains { chain: 1, .. })));
/// # Ok::<(), ChainDrawsError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ChainDraws {
    matrix: ChainMatrix,
}

/// Why [`ChainDraws`] could not be built from the given chains.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ChainDrawsError {
    /// No chain was given.
    #[error("no chains were given: pass at least one chain")]
    NoChains,
    /// The chains are shorter than [`ChainDraws::MIN_DRAWS`].
    #[error(
        "each chain has {draws} draws: diagnostics need at least {} per chain",
        ChainDraws::MIN_DRAWS
    )]
    TooFewDraws {
        /// The number of draws in each chain.
        draws: usize,
    },
    /// A chain has a different number of draws than the first chain.
    #[error(
        "chain {chain} has {draws} draws but chain 0 has {expected}: \
         every chain needs the same number of draws"
    )]
    RaggedChains {
        /// The index of the chain that differs.
        chain: usize,
        /// Its number of draws.
        draws: usize,
        /// The number of draws in chain 0.
        expected: usize,
    },
    /// A draw is NaN or infinite.
    #[error("draw {draw} of chain {chain} is {value}: diagnostics need finite draws")]
    NotFinite {
        /// The index of the chain.
        chain: usize,
        /// The index of the draw within its chain.
        draw: usize,
        /// The rejected value.
        value: f64,
    },
}

impl ChainDraws {
    /// The fewest draws per chain the diagnostics accept (as ArviZ): splitting then leaves two
    /// draws in each half-chain.
    pub const MIN_DRAWS: usize = 4;

    /// The draws from chains given as rows (`&[Vec<f64>]`, `&[&[f64]]`, `&[[f64; N]]`, ...).
    pub fn new<C: AsRef<[f64]>>(chains: &[C]) -> Result<Self, ChainDrawsError> {
        let first = chains.first().ok_or(ChainDrawsError::NoChains)?;
        let n_draws = first.as_ref().len();
        if n_draws < Self::MIN_DRAWS {
            return Err(ChainDrawsError::TooFewDraws { draws: n_draws });
        }
        let mut values = Vec::with_capacity(chains.len() * n_draws);
        for (chain, row) in chains.iter().enumerate() {
            let row = row.as_ref();
            if row.len() != n_draws {
                return Err(ChainDrawsError::RaggedChains {
                    chain,
                    draws: row.len(),
                    expected: n_draws,
                });
            }
            if let Some((draw, &value)) = row.iter().enumerate().find(|(_, x)| !x.is_finite()) {
                return Err(ChainDrawsError::NotFinite { chain, draw, value });
            }
            values.extend_from_slice(row);
        }
        Ok(ChainDraws {
            matrix: ChainMatrix::from_values(chains.len(), n_draws, values),
        })
    }

    /// The number of chains.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::ChainDraws;
    /// let draws = ChainDraws::new(&[[1.0, 2.0, 3.0, 4.0]])?;
    /// assert_eq!(draws.n_chains(), 1);
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn n_chains(&self) -> usize {
        self.matrix.n_chains()
    }

    /// The number of draws in each chain.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::ChainDraws;
    /// let draws = ChainDraws::new(&[[1.0, 2.0, 3.0, 4.0]])?;
    /// assert_eq!(draws.n_draws(), 4);
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn n_draws(&self) -> usize {
        self.matrix.n_draws()
    }

    /// All draws, chain after chain (`n_chains * n_draws` values).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::ChainDraws;
    /// let draws = ChainDraws::new(&[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])?;
    /// assert_eq!(draws.values()[4], 5.0);
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn values(&self) -> &[f64] {
        self.matrix.values()
    }

    /// The draws of each chain in turn.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::ChainDraws;
    /// let draws = ChainDraws::new(&[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])?;
    /// let last: Vec<f64> = draws.chains().map(|chain| chain[3]).collect();
    /// assert_eq!(last, [4.0, 8.0]);
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn chains(&self) -> impl ExactSizeIterator<Item = &[f64]> {
        self.matrix.chains()
    }

    /// The mean of all draws.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::ChainDraws;
    /// let draws = ChainDraws::new(&[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]])?;
    /// assert_eq!(draws.mean(), 4.5);
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn mean(&self) -> f64 {
        moments::mean(self.values())
    }

    /// The standard deviation of all draws, with `n - 1` in the denominator (as ArviZ and
    /// NumPyro's summaries).
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::diagnostics::ChainDraws;
    /// let draws = ChainDraws::new(&[[1.0, 2.0, 3.0, 4.0]])?;
    /// assert!((draws.sd() - (5.0_f64 / 3.0).sqrt()).abs() < 1e-15);
    /// # Ok::<(), model_runtime::diagnostics::ChainDrawsError>(())
    /// ```
    pub fn sd(&self) -> f64 {
        moments::sample_variance(self.values()).sqrt()
    }

    pub(crate) fn matrix(&self) -> &ChainMatrix {
        &self.matrix
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_each_malformed_input() {
        let none: [&[f64]; 0] = [];
        assert_eq!(ChainDraws::new(&none), Err(ChainDrawsError::NoChains));
        assert_eq!(
            ChainDraws::new(&[[1.0, 2.0, 3.0]]),
            Err(ChainDrawsError::TooFewDraws { draws: 3 })
        );
        let ragged = vec![vec![0.0; 5], vec![0.0; 5], vec![0.0; 6]];
        assert_eq!(
            ChainDraws::new(&ragged),
            Err(ChainDrawsError::RaggedChains {
                chain: 2,
                draws: 6,
                expected: 5
            })
        );
        let inf = [[0.0, 1.0, 2.0, 3.0], [0.0, 1.0, f64::INFINITY, 3.0]];
        assert!(matches!(
            ChainDraws::new(&inf),
            Err(ChainDrawsError::NotFinite {
                chain: 1,
                draw: 2,
                ..
            })
        ));
        let nan = [[0.0, f64::NAN, 2.0, 3.0]];
        assert!(matches!(
            ChainDraws::new(&nan),
            Err(ChainDrawsError::NotFinite {
                chain: 0,
                draw: 1,
                ..
            })
        ));
    }

    #[test]
    fn messages_say_what_to_do() {
        assert_eq!(
            ChainDrawsError::RaggedChains {
                chain: 2,
                draws: 6,
                expected: 5
            }
            .to_string(),
            "chain 2 has 6 draws but chain 0 has 5: every chain needs the same number of draws"
        );
        assert_eq!(
            ChainDrawsError::NotFinite {
                chain: 0,
                draw: 7,
                value: f64::NAN
            }
            .to_string(),
            "draw 7 of chain 0 is NaN: diagnostics need finite draws"
        );
    }
}
