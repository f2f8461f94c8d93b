//! Hidden Markov models with the discrete states summed out: the marginal likelihood and its
//! gradient for fitting, and the hidden states given the parameters for after it (Stan's
//! `hmm_marginal`, `hmm_hidden_state_prob` and `hmm_latent_rng`, and the Viterbi path).
//!
//! A hidden Markov model with `K` states has hidden states `z_0, ..., z_{N-1}` that form a
//! Markov chain, `z_0 ~ ρ` and `P(z_t = k | z_{t-1} = j) = Γ_jk`, and observations `y_t` that
//! depend on `z_t` alone. All the functions here take the model in Stan's form:
//!
//! | argument | shape | meaning |
//! |---|---|---|
//! | `log_omega` | `K` rows of `N` | `log_omega[k][t] = ln p(y_t \| z_t = k)` |
//! | `gamma` | `K` rows of `K` | `gamma[j][k] = P(z_t = k \| z_{t-1} = j)` (rows sum to 1) |
//! | `rho` | `K` | `rho[k] = P(z_0 = k)` |
//!
//! | function | result |
//! |---|---|
//! | [`hmm_marginal`] | `ln p(y)`, generic over the scalar: one autodiff node with every partial |
//! | [`hmm_hidden_state_prob`] | `P(z_t = k \| y)` for every `k`, `t` |
//! | [`hmm_latent_sample`] | a draw of the path from `p(z \| y)` (forward filtering, backward sampling) |
//! | [`hmm_posterior_chain`] | `p(z \| y)` as a Markov chain, to draw paths forward in time (in Predictive) |
//! | [`hmm_viterbi`] | `argmax_z p(z \| y)` and its log probability |
//!
//! Inputs are validated ([`HmmError`]); inside a `#[model]` body `?` turns the error into a
//! [`ModelError`](crate::error::ModelError), which NUTS treats like any failing log density.
//! The state functions accept any scalar and read only the values, so they can be called on
//! the same `log_omega` a model body builds; [`hmm_posterior_chain`] shows a model whose hidden
//! states Predictive draws.
//!
//! References: L. R. Rabiner (1989), "A tutorial on hidden Markov models and selected
//! applications in speech recognition", Proc. IEEE 77(2); S. Frühwirth-Schnatter (1994), "Data
//! augmentation and dynamic linear models", J. Time Series Analysis 15(2); A. Viterbi (1967),
//! "Error bounds for convolutional codes and an asymptotically optimum decoding algorithm",
//! IEEE Trans. Information Theory 13(2); Stan Functions Reference, "Hidden Markov models".
//!
//! # Example
//!
//! ```
//! use model_runtime::hmm::{hmm_hidden_state_prob, hmm_marginal, hmm_viterbi};
//!
//! // Two sticky states; the third observation points to state 1.
//! let log_omega = [vec![-0.2, -0.3, -4.0], vec![-2.0, -1.5, -0.1]];
//! let gamma = [[0.9, 0.1], [0.1, 0.9]];
//! let rho = [0.5, 0.5];
//! let lp = hmm_marginal(&log_omega, &gamma, &rho)?;
//! assert!(lp < 0.0);
//! let p = hmm_hidden_state_prob(&log_omega, &gamma, &rho)?;
//! assert!(p[1][2] > 0.9);
//! assert_eq!(hmm_viterbi(&log_omega, &gamma, &rho)?.states[2], 1);
//! # Ok::<(), model_runtime::hmm::HmmError>(())
//! ```

mod error;
mod forward;
mod marginal;
mod states;

pub use error::HmmError;
pub use marginal::hmm_marginal;
pub use states::{
    MostLikelyPath, PosteriorChain, hmm_hidden_state_prob, hmm_latent_sample, hmm_posterior_chain,
    hmm_viterbi,
};

#[cfg(test)]
mod tests;
