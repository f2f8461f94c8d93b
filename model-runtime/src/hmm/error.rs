//! Why the inputs of a hidden Markov model function were rejected.

use crate::error::{ModelError, ModelErrorKind};

/// Why [`hmm_marginal`](super::hmm_marginal) or one of the state functions rejected its inputs.
///
/// Inputs are checked before any arithmetic, so a malformed model fails with the name of the
/// argument, the row and the column at fault rather than with a NaN log density. Rows and columns
/// count from 0. Inside a `#[model]` body, `?` turns it into a [`ModelError`] at the site
/// `hmm_marginal`; [`HmmError::at`] names the site the user chose instead.
///
/// # Example
///
/// ```
/// use model_runtime::hmm::{HmmError, hmm_marginal};
///
/// let log_omega = [vec![-1.0, -2.0], vec![-0.5, -0.1]];
/// let gamma = [vec![0.9, 0.2], vec![0.5, 0.5]];
/// let e = hmm_marginal(&log_omega, &gamma, &[0.5, 0.5]).unwrap_err();
/// assert!(matches!(e, HmmError::NotSimplex { row: Some(0), .. }));
/// assert_eq!(
///     e.to_string(),
///     "`gamma` row 0 sums to 1.1, not 1: each row of the transition matrix holds the probabilities of moving from one state"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum HmmError {
    /// `rho` is empty: a hidden Markov model needs at least one state.
    #[error("`rho` is empty: a hidden Markov model needs at least one state")]
    NoStates,
    /// `log_omega`'s rows are empty: there is no observation to sum the states out of.
    #[error(
        "`log_omega` has no columns: give one column of emission log-likelihoods per time step"
    )]
    NoObservations,
    /// A matrix has the wrong number of rows for the `K` states of `rho`.
    #[error(
        "`{argument}` has {found} rows but `rho` has {states} states: it needs one row per state"
    )]
    RowCount {
        /// `"log_omega"` or `"gamma"`.
        argument: &'static str,
        /// The number of states (`rho`'s length).
        states: usize,
        /// The number of rows found.
        found: usize,
    },
    /// A row of a matrix has the wrong length: `gamma`'s rows need one entry per state, and
    /// every row of `log_omega` one entry per time step (the length of its first row).
    #[error("`{argument}` row {row} has {found} entries but needs {expected}")]
    RowLength {
        /// `"log_omega"` or `"gamma"`.
        argument: &'static str,
        /// The row.
        row: usize,
        /// The length it needs.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// An emission log-likelihood is NaN or infinite.
    #[error(
        "`log_omega[{state}][{time}]` is {value}: emission log-likelihoods must be finite numbers"
    )]
    NonFiniteLogLikelihood {
        /// The state (row).
        state: usize,
        /// The time step (column).
        time: usize,
        /// The value found.
        value: f64,
    },
    /// A probability (an entry of `gamma` or `rho`) is negative, above 1, NaN or infinite.
    #[error("`{argument}{}` is {value}, not a probability in [0, 1]", position(*row, *column))]
    NotProbability {
        /// `"gamma"` or `"rho"`.
        argument: &'static str,
        /// The row of `gamma` (`None` for `rho`).
        row: Option<usize>,
        /// The column of `gamma`, or the entry of `rho`.
        column: usize,
        /// The value found.
        value: f64,
    },
    /// A probability vector (a row of `gamma`, or `rho`) does not sum to 1 within Stan's
    /// tolerance [`CONSTRAINT_TOLERANCE`](crate::bijectors::CONSTRAINT_TOLERANCE).
    #[error("{} sums to {sum}, not 1: {}", vector_name(argument, *row), vector_role(argument))]
    NotSimplex {
        /// `"gamma"` or `"rho"`.
        argument: &'static str,
        /// The row of `gamma` (`None` for `rho`).
        row: Option<usize>,
        /// The sum found.
        sum: f64,
    },
}

impl HmmError {
    /// A [`ModelError`] at `site`, for a model body whose marginal enters the log density
    /// through `factor!(site, ...)`.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::hmm::hmm_marginal;
    ///
    /// let e = hmm_marginal(&[vec![0.0]], &[vec![1.0]], &[f64::NAN]).unwrap_err().at("y");
    /// assert_eq!(e.site(), "y");
    /// assert_eq!(
    ///     e.to_string(),
    ///     "site `y`: invalid distribution parameter: `rho[0]` is NaN, not a probability in [0, 1]"
    /// );
    /// ```
    pub fn at(self, site: &'static str) -> ModelError {
        ModelError::new(site, &[], ModelErrorKind::InvalidParameter(Box::new(self)))
    }
}

/// `?` in a model body: the error names the function, `hmm_marginal`, as its site.
impl From<HmmError> for ModelError {
    fn from(e: HmmError) -> Self {
        e.at("hmm_marginal")
    }
}

fn position(row: Option<usize>, column: usize) -> String {
    match row {
        Some(row) => format!("[{row}][{column}]"),
        None => format!("[{column}]"),
    }
}

fn vector_name(argument: &str, row: Option<usize>) -> String {
    match row {
        Some(row) => format!("`{argument}` row {row}"),
        None => format!("`{argument}`"),
    }
}

fn vector_role(argument: &str) -> &'static str {
    if argument == "gamma" {
        "each row of the transition matrix holds the probabilities of moving from one state"
    } else {
        "the initial state distribution is a probability vector"
    }
}
