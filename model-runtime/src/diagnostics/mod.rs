//! MCMC diagnostics and posterior summaries: rank-normalized split R-hat, bulk and tail
//! effective sample sizes, Monte Carlo standard errors, quantiles and HPDI, and the ECDF bands
//! that test ranks for uniformity in simulation-based calibration.
//!
//! The convergence diagnostics follow Vehtari, Gelman, Simpson, Carpenter and Bürkner (2021),
//! "Rank-normalization, folding, and localization: An improved R-hat for assessing convergence of
//! MCMC", Bayesian Analysis 16(2), doi:10.1214/20-BA1221, and reproduce ArviZ's implementation
//! of it: `tests/diagnostics.rs` checks every quantity against ArviZ to 1e-12 relative (the
//! measured agreement is about 1e-14).
//!
//! Every diagnostic takes [`ChainDraws`]: the draws of one scalar from one or more chains, validated
//! once. A [`Summary`] gathers named scalars into the table users read.
//!
//! # Example
//!
//! ```
//! use model_runtime::diagnostics::{ess_bulk, r_hat, ChainDraws, Summary};
//!
//! let chains: Vec<Vec<f64>> = (0..4)
//!     .map(|c| (0..500).map(|i| ((i * 31 + c * 7) as f64 * 0.77).sin()).collect())
//!     .collect();
//! let draws = ChainDraws::new(&chains)?;
//! assert!(r_hat(&draws) < 1.01);
//! assert!(ess_bulk(&draws) > 400.0);
//!
//! let mut summary = Summary::new();
//! summary.add("b", &chains)?;
//! println!("{summary}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod autocovariance;
mod chain_matrix;
mod compare;
mod draws;
mod ecdf;
mod energy;
mod ess;
mod fft;
mod hpdi;
mod loo;
mod mcse;
mod moments;
mod probability;
mod psis;
mod quantile;
mod r_hat;
mod rank_normalization;
mod summary;

// The input.
pub use draws::{ChainDraws, ChainDrawsError};

// Convergence: do the chains agree?
pub use r_hat::{r_hat, r_hat_bulk, r_hat_tail};

// Efficiency: how many independent draws are the chains worth?
pub use autocovariance::autocovariance;
pub use ess::{ess_bulk, ess_mean, ess_quantile, ess_tail};

// Hamiltonian Monte Carlo: does the energy move enough?
pub use energy::e_bfmi;

// Importance sampling: how far can the draws be reweighted?
pub use psis::{PsisError, Smoothed, pareto_khat, psis_smooth, tail_length};

// Predictive accuracy: PSIS-LOO, WAIC and model comparison.
pub use compare::{CompareError, Comparison, ComparisonRow, compare};
pub use loo::{Loo, LooError, LooPoint, PointwiseLogLikelihood, Waic, loo, waic};

// Calibration: are ranks uniform? (simulation-based calibration)
pub use ecdf::{EcdfBands, EcdfError, EcdfTest};

// Precision of estimates.
pub use mcse::{mcse_mean, mcse_quantile, mcse_sd};

// Posterior statistics.
pub use hpdi::{Interval, hpdi};
pub use probability::ProbabilityError;
pub use quantile::{median, quantile};
pub(crate) use quantile::{quantile_of_sorted, sorted};
pub(crate) use rank_normalization::normal_quantile;

// The table.
pub use summary::{Summary, SummaryError, SummaryRow};
