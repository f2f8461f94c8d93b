//! The marginal likelihood of a hidden Markov model, differentiable in every input.

use super::error::HmmError;
use super::forward::Inputs;
use crate::scalar::Scalar;

/// The log marginal likelihood `ln p(y)` of a sequence under a hidden Markov model, with the
/// hidden states summed out by the forward algorithm: Stan's `hmm_marginal(log_omega, Gamma, rho)`.
///
/// For `K` states and `N` time steps:
///
/// * `log_omega` has `K` rows of `N` entries: `log_omega[k][t]` = `ln p(y_t | z_t = k)`, the
///   emission log-likelihood, usually computed from the model's parameters;
/// * `gamma` is the `K × K` transition matrix by rows: `gamma[j][k]` =
///   `P(z_t = k | z_{t-1} = j)`, each row a probability vector (a simplex site, say);
/// * `rho` is the distribution of the first state `z_0`.
///
/// The result is `ln Σ_z ρ_{z_0} Π_{t≥1} Γ_{z_{t-1} z_t} Π_t exp(log_omega[z_t][t])`, computed
/// in `O(N K²)` by the scaled forward algorithm with its emission step in log space (see
/// [`hmm`](crate::hmm)), which stays finite for sequences of any length. For the autodiff scalar
/// the result is one tape node whose partial derivatives with respect to all `K N + K² + K`
/// inputs come from the backward pass (the posterior state probabilities for `log_omega`), so
/// its gradient costs about one more pass over the sequence, not one node per operation.
///
/// Rows may be any slices: `Vec<T>`, arrays, `&[T]`. Each input's entries are read as numbers
/// before anything is computed; the derivatives are taken with respect to `gamma` and `rho`
/// entry by entry, as if they were free (the simplex constraint is the transform's business).
///
/// # Errors
///
/// [`HmmError`] when the shapes do not agree (an empty `rho`, a matrix without one row per
/// state, rows of different lengths, no time steps), an emission log-likelihood is not finite, a
/// probability lies outside `[0, 1]`, or a row of `gamma` or `rho` does not sum to 1 within
/// [`CONSTRAINT_TOLERANCE`](crate::bijectors::CONSTRAINT_TOLERANCE).
///
/// # Example
///
/// Two states, two steps, against the sum over the four paths:
///
/// ```
/// use model_runtime::hmm::hmm_marginal;
///
/// let log_omega = [vec![-1.0, -2.0], vec![-0.5, -3.0]];
/// let gamma = [[0.9, 0.1], [0.3, 0.7]];
/// let rho = [0.6, 0.4];
/// let lp = hmm_marginal(&log_omega, &gamma, &rho)?;
///
/// let mut total = 0.0;
/// for a in 0..2 {
///     for b in 0..2 {
///         total += rho[a] * gamma[a][b] * (log_omega[a][0] + log_omega[b][1]).exp();
///     }
/// }
/// assert!((lp - total.ln()).abs() < 1e-14);
/// # Ok::<(), model_runtime::hmm::HmmError>(())
/// ```
///
/// In a model, the marginal enters the log density through `factor!`; emission
/// log-likelihoods come from the parameters and the transition rows from simplex sites. This is
/// posteriordb's `hmm_example` (two states with normal emissions of sd 1, ordered means):
///
/// ```
/// use model_runtime::hmm::hmm_marginal;
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn two_state_hmm(y: &[f64]) {
///     let theta1 = sample!("theta1", Dirichlet::new(vec![1.0, 1.0]));
///     let theta2 = sample!("theta2", Dirichlet::new(vec![1.0, 1.0]));
///     let mu = sample!("mu", batch::Normal::new(5.0, 5.0).iid(2).ordered());
///     // ln N(y_t | mu_k, 1), up to a constant.
///     let log_omega: Vec<Vec<_>> = (0..2)
///         .map(|k| y.iter().map(|&yt| (mu[k] - yt) * (mu[k] - yt) * -0.5).collect())
///         .collect();
///     let gamma = [&theta1[..], &theta2[..]];
///     let rho = [scalar(0.5), scalar(0.5)];
///     // `.map_err(|e| e.at("y"))` names the factor in an error; plain `?` names `hmm_marginal`.
///     let log_likelihood = hmm_marginal(&log_omega, &gamma, &rho).map_err(|e| e.at("y"))?;
///     factor!("y", log_likelihood);
/// }
///
/// let y = [1.2, 0.8, 1.1, 5.3, 4.9, 5.2, 5.0, 1.0, 0.9, 1.3];
/// let fit = Nuts::default().warmup(300).samples(300).chains(1).seed(5).run(&two_state_hmm(&y))?;
/// let mu = &fit.posterior().mu;
/// let mean_low = mu.iter().map(|m| m[0]).sum::<f64>() / mu.len() as f64;
/// assert!((mean_low - 1.05).abs() < 0.5, "{mean_low}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn hmm_marginal<T, O, G>(log_omega: &[O], gamma: &[G], rho: &[T]) -> Result<T, HmmError>
where
    T: Scalar,
    O: AsRef<[T]>,
    G: AsRef<[T]>,
{
    let inputs = Inputs::new(log_omega, gamma, rho)?;
    let filter = inputs.filter();
    let value = filter.log_marginal();
    if !T::DIFFERENTIABLE {
        return Ok(T::from_f64(value));
    }
    let d = inputs.gradient(&filter);
    let k = inputs.states;
    let log_omega_partials = log_omega.iter().enumerate().flat_map(|(state, row)| {
        let d = &d.log_omega;
        row.as_ref()
            .iter()
            .enumerate()
            .map(move |(t, &v)| (v, d[t * k + state]))
    });
    let gamma_partials = gamma.iter().enumerate().flat_map(|(j, row)| {
        let d = &d.gamma;
        row.as_ref()
            .iter()
            .enumerate()
            .map(move |(state, &v)| (v, d[j * k + state]))
    });
    let rho_partials = rho.iter().zip(&d.rho).map(|(&v, &dv)| (v, dv));
    Ok(T::from_parts(
        value,
        log_omega_partials.chain(gamma_partials).chain(rho_partials),
    ))
}
