//! What a fit should make its user doubt: the checks Stan's `diagnose` and nutpie run after
//! sampling, as data ([`Fit::warnings`]) and as the short text printed after the summary.

use core::fmt;

use crate::diagnostics::{Summary, e_bfmi};
use crate::results::fit::{Fit, FitError};
use crate::site::ModelSites;

/// E-BFMI below this suggests the chain cannot explore the tails (Betancourt 2016; Stan and
/// ArviZ use the same threshold).
pub const E_BFMI_THRESHOLD: f64 = 0.3;

/// Rank-normalized split R-hat above this says the chains disagree (Vehtari et al. 2021).
pub const R_HAT_THRESHOLD: f64 = 1.01;

/// Bulk and tail ESS below this many per chain are too few for reliable estimates (Vehtari et
/// al. 2021 recommend at least 100 per chain, 400 for four chains).
pub const ESS_PER_CHAIN_THRESHOLD: f64 = 100.0;

/// How many element names a warning lists before it says "and n more".
const NAMES_SHOWN: usize = 5;

/// One reason to doubt a fit.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Warning {
    /// Transitions after warmup that ended in a divergence: the posterior has regions the
    /// step size cannot integrate (typically a funnel), and the draws are biased.
    Divergences {
        /// Divergent transitions, all chains.
        count: usize,
        /// Transitions after warmup, all chains.
        draws: usize,
        /// The highest target acceptance a chain's warmup ended with (gradient-based warmup
        /// raises the one asked for after divergences late in warmup).
        target_acceptance: f64,
    },
    /// Transitions whose trajectory stopped at the maximum tree depth rather than at a U-turn.
    TreeDepth {
        /// Transitions at the limit, all chains.
        count: usize,
        /// Transitions after warmup, all chains.
        draws: usize,
        /// The limit.
        max_tree_depth: usize,
    },
    /// Chains whose energy Bayesian fraction of missing information is below
    /// [`E_BFMI_THRESHOLD`].
    LowEBfmi {
        /// Each such chain with its E-BFMI, in chain order.
        chains: Vec<(usize, f64)>,
    },
    /// Scalars whose split R-hat exceeds [`R_HAT_THRESHOLD`], worst first.
    HighRHat {
        /// Element names (`theta[3]`) with their R-hat.
        elements: Vec<(String, f64)>,
    },
    /// Scalars whose bulk or tail ESS is below [`ESS_PER_CHAIN_THRESHOLD`] per chain, lowest
    /// first.
    LowEss {
        /// Element names with their smaller ESS (bulk or tail).
        elements: Vec<(String, f64)>,
        /// The threshold for this fit: 100 times the number of chains.
        threshold: f64,
    },
    /// The fit was cancelled: the chains hold the draws made until then.
    Interrupted {
        /// Draws kept, all chains.
        draws: usize,
        /// The chains cancelled before their first draw (still in warmup, or not started).
        without_draws: Vec<usize>,
        /// The draws per chain the summary uses: every chain's first this many, when the chains
        /// stopped at different lengths (diagnostics need equal ones).
        summarized: Option<usize>,
    },
    /// A chain met a fault that cost it no draws made before it (see
    /// [`ChainFault`](crate::results::fit::ChainFault)).
    Fault {
        /// The chain.
        chain: usize,
        /// What happened (a [`ChainFault`](crate::results::fit::ChainFault), as printed).
        message: String,
    },
    /// Warmup estimated a mass matrix that was not finite or not positive definite, and kept
    /// the previous one: the posterior may be improper, or have a direction the draws never
    /// moved in, or scales too far apart for floating point.
    RejectedMassMatrix {
        /// The chain.
        chain: usize,
        /// The warmup iterations whose estimate was not used.
        iterations: Vec<usize>,
    },
    /// A chain failed and its draws are missing from the fit.
    FailedChain {
        /// The chain.
        chain: usize,
        /// Why.
        message: String,
    },
}

/// The target acceptance to suggest after divergences at `target`: Stan's usual next steps.
fn higher_target(target: f64) -> f64 {
    if target < 0.95 {
        0.95
    } else if target < 0.99 {
        0.99
    } else {
        0.999
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Divergences {
                count,
                draws,
                target_acceptance,
            } => write!(
                f,
                "{count} of {draws} transitions after warmup ({:.1}%) ended with a divergence. \
                 The draws may be biased: raise the target acceptance (warmup ended at \
                 {target_acceptance}; try `.target_acceptance({})`) or reparameterize (for a \
                 hierarchical scale, `LocScaleReparam` on the sites it scales)",
                percent(*count, *draws),
                higher_target(*target_acceptance)
            ),
            Warning::TreeDepth {
                count,
                draws,
                max_tree_depth,
            } => write!(
                f,
                "{count} of {draws} transitions ({:.1}%) hit the maximum tree depth of \
                 {max_tree_depth}: exploration is slow; raise `.max_tree_depth(..)` or \
                 reparameterize",
                percent(*count, *draws)
            ),
            Warning::LowEBfmi { chains } => {
                let chains: Vec<(String, f64)> = chains
                    .iter()
                    .map(|(chain, value)| (format!("chain {chain}"), *value))
                    .collect();
                write!(
                    f,
                    "E-BFMI below {E_BFMI_THRESHOLD} (the sampler may not explore the tails; \
                     reparameterize if you can): {}",
                    listed(&chains, 3)
                )
            }
            Warning::HighRHat { elements } => write!(
                f,
                "R-hat above {R_HAT_THRESHOLD} (chains disagree; run longer or reparameterize): {}",
                listed(elements, 3)
            ),
            Warning::LowEss {
                elements,
                threshold,
            } => write!(
                f,
                "bulk or tail ESS below {threshold:.0} (100 per chain; estimates are unreliable; \
                 run longer): {}",
                listed(elements, 0)
            ),
            Warning::Interrupted {
                draws,
                without_draws,
                summarized,
            } => {
                write!(
                    f,
                    "the fit was cancelled; its {draws} draws are those made before, and fewer than asked for"
                )?;
                if !without_draws.is_empty() {
                    let chains: Vec<String> =
                        without_draws.iter().map(ToString::to_string).collect();
                    write!(
                        f,
                        "; chain{} {} had made none",
                        if chains.len() == 1 { "" } else { "s" },
                        chains.join(", ")
                    )?;
                }
                if let Some(n) = summarized {
                    write!(
                        f,
                        "; the summary uses each chain's first {n} draws (the shortest chain's count)"
                    )?;
                }
                Ok(())
            }
            Warning::Fault { chain, message } => write!(f, "chain {chain}: {message}"),
            Warning::RejectedMassMatrix { chain, iterations } => write!(
                f,
                "chain {chain}: the mass matrix estimated at warmup iteration{} {} was not finite \
                 or not positive definite and was not used; check that the posterior is proper \
                 and its scales are within floating point range",
                if iterations.len() == 1 { "" } else { "s" },
                iterations
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Warning::FailedChain { chain, message } => {
                write!(
                    f,
                    "chain {chain} failed and its draws are missing: {message}"
                )
            }
        }
    }
}

fn percent(count: usize, total: usize) -> f64 {
    100.0 * count as f64 / total.max(1) as f64
}

/// `a (1.05), b (1.02) and 3 more`.
fn listed(elements: &[(String, f64)], decimals: usize) -> String {
    let mut parts: Vec<String> = elements
        .iter()
        .take(NAMES_SHOWN)
        .map(|(name, value)| format!("{name} ({value:.decimals$})"))
        .collect();
    if elements.len() > NAMES_SHOWN {
        parts.push(format!("and {} more", elements.len() - NAMES_SHOWN));
    }
    parts.join(", ")
}

impl<S: ModelSites> Fit<S> {
    /// The warnings Stan and nutpie give after a fit, as data: divergences, tree depth
    /// saturation, low E-BFMI per chain, R-hat above 1.01, bulk or tail ESS below 100 per chain
    /// and failed chains. [`Fit::print_summary`] prints them after the summary.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// use model_runtime::results::warnings::Warning;
    ///
    /// #[model]
    /// fn m() {
    ///     sample!("mu", Normal::new(0.0, 1.0));
    /// }
    ///
    /// // 20 draws per chain cannot give 100 effective draws per chain.
    /// let fit = Nuts::default().warmup(50).samples(20).chains(2).seed(1).run(&m())?;
    /// let warnings = fit.warnings();
    /// assert!(warnings.iter().any(|w| matches!(w, Warning::LowEss { .. })));
    /// for warning in &warnings {
    ///     println!("warning: {warning}");
    /// }
    /// # Ok::<(), model_runtime::FitError>(())
    /// ```
    pub fn warnings(&self) -> Vec<Warning> {
        let mut warnings = Vec::new();
        let draws: usize = self.chains().iter().map(|c| c.sampler.stats.len()).sum();
        let divergences = self.divergences();
        if divergences > 0 {
            let target_acceptance = self
                .chains()
                .iter()
                .map(|c| c.sampler.target_acceptance)
                .fold(0.0, f64::max);
            warnings.push(Warning::Divergences {
                count: divergences,
                draws,
                target_acceptance,
            });
        }
        if let Some(max_tree_depth) = self.chains().first().and_then(|c| c.max_tree_depth) {
            let count = self
                .chains()
                .iter()
                .flat_map(|c| &c.sampler.stats)
                .filter(|s| s.tree_depth >= max_tree_depth)
                .count();
            if count > 0 {
                warnings.push(Warning::TreeDepth {
                    count,
                    draws,
                    max_tree_depth,
                });
            }
        }
        let low_e_bfmi: Vec<(usize, f64)> = self
            .chains()
            .iter()
            .filter_map(|fit| {
                let energy: Vec<f64> = fit.sampler.stats.iter().map(|s| s.energy).collect();
                let value = e_bfmi(&energy)?;
                (value < E_BFMI_THRESHOLD).then_some((fit.chain, value))
            })
            .collect();
        if !low_e_bfmi.is_empty() {
            warnings.push(Warning::LowEBfmi { chains: low_e_bfmi });
        }
        if let Ok(summary) = self.summary() {
            warnings.extend(convergence_warnings(&summary, self.chains().len()));
        }
        if self.interrupted() {
            let without_draws = self
                .failures()
                .iter()
                .filter(|(_, e)| matches!(e, FitError::Interrupted))
                .map(|(chain, _)| *chain)
                .collect();
            warnings.push(Warning::Interrupted {
                draws,
                without_draws,
                summarized: self.common_length(),
            });
        }
        for fit in self.chains() {
            if !fit.sampler.rejected_estimates.is_empty() {
                warnings.push(Warning::RejectedMassMatrix {
                    chain: fit.chain,
                    iterations: fit.sampler.rejected_estimates.clone(),
                });
            }
            warnings.extend(fit.faults.iter().map(|fault| Warning::Fault {
                chain: fit.chain,
                message: fault.to_string(),
            }));
        }
        // Chains cancelled before their first draw are told by the `Interrupted` warning.
        for (chain, error) in self
            .failures()
            .iter()
            .filter(|(_, e)| !matches!(e, FitError::Interrupted))
        {
            warnings.push(Warning::FailedChain {
                chain: *chain,
                message: error.to_string(),
            });
        }
        warnings
    }
}

/// R-hat and ESS warnings from a summary of `chains` chains.
fn convergence_warnings(summary: &Summary, chains: usize) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let mut high: Vec<(String, f64)> = summary
        .rows()
        .iter()
        .filter(|row| row.r_hat() > R_HAT_THRESHOLD || row.r_hat().is_nan())
        .map(|row| (row.name().to_string(), row.r_hat()))
        .collect();
    if !high.is_empty() {
        high.sort_by(|a, b| b.1.total_cmp(&a.1));
        warnings.push(Warning::HighRHat { elements: high });
    }
    let threshold = ESS_PER_CHAIN_THRESHOLD * chains as f64;
    let mut low: Vec<(String, f64)> = summary
        .rows()
        .iter()
        .map(|row| (row.name().to_string(), row.ess_bulk().min(row.ess_tail())))
        .filter(|(_, ess)| *ess < threshold || ess.is_nan())
        .collect();
    if !low.is_empty() {
        low.sort_by(|a, b| a.1.total_cmp(&b.1));
        warnings.push(Warning::LowEss {
            elements: low,
            threshold,
        });
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_name_five_elements_then_count_the_rest() {
        let elements: Vec<(String, f64)> = (0..7).map(|i| (format!("theta[{i}]"), 1.5)).collect();
        assert_eq!(
            listed(&elements, 2),
            "theta[0] (1.50), theta[1] (1.50), theta[2] (1.50), theta[3] (1.50), theta[4] (1.50), and 2 more"
        );
    }

    #[test]
    fn convergence_checks_use_the_per_chain_threshold() {
        // Two chains that disagree: R-hat is large and ESS small.
        let mut summary = Summary::new();
        let apart = [
            (0..50).map(|i| (i as f64 * 0.37).sin()).collect::<Vec<_>>(),
            (0..50).map(|i| 5.0 + (i as f64 * 0.41).sin()).collect(),
        ];
        summary.add("a", &apart).unwrap();
        let warnings = convergence_warnings(&summary, 2);
        assert!(matches!(&warnings[0], Warning::HighRHat { elements } if elements[0].0 == "a"));
        assert!(matches!(&warnings[1], Warning::LowEss { threshold, .. } if *threshold == 200.0));
    }
}
