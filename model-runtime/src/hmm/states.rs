//! The hidden states of a hidden Markov model given its parameters: marginal posteriors,
//! posterior draws and the most likely path. These run on plain values, after sampling: on each
//! posterior draw, or in Predictive's `f64` body.

use rand::{Rng, RngExt};

use super::error::HmmError;
use super::forward::Inputs;

/// The posterior probability of every state at every time step, `P(z_t = k | y)`, as `K` rows
/// of `N` entries (Stan's `hmm_hidden_state_prob`). Each column sums to 1.
///
/// The probabilities are the products `α_t(k) β_t(k)` of the scaled forward and backward
/// variables (Rabiner 1989, equation 27), which are also the derivatives of
/// [`hmm_marginal`](super::hmm_marginal) with respect to `log_omega`. The arguments are those of
/// `hmm_marginal`, as plain numbers.
///
/// # Errors
///
/// As [`hmm_marginal`](super::hmm_marginal).
///
/// # Example
///
/// ```
/// use model_runtime::hmm::hmm_hidden_state_prob;
///
/// // The second observation is far more likely under state 1, and states are sticky.
/// let log_omega = [vec![-1.0, -9.0, -1.0], vec![-1.0, -1.0, -1.0]];
/// let gamma = [[0.95, 0.05], [0.05, 0.95]];
/// let p = hmm_hidden_state_prob(&log_omega, &gamma, &[0.5, 0.5])?;
/// assert!(p[1][1] > 0.999);
/// assert!(p[1][0] > 0.9 && p[1][2] > 0.9);
/// for t in 0..3 {
///     assert!((p[0][t] + p[1][t] - 1.0).abs() < 1e-12);
/// }
/// # Ok::<(), model_runtime::hmm::HmmError>(())
/// ```
pub fn hmm_hidden_state_prob<O, G>(
    log_omega: &[O],
    gamma: &[G],
    rho: &[f64],
) -> Result<Vec<Vec<f64>>, HmmError>
where
    O: AsRef<[f64]>,
    G: AsRef<[f64]>,
{
    let inputs = Inputs::new(log_omega, gamma, rho)?;
    let posterior = inputs.gradient(&inputs.filter()).log_omega;
    let k = inputs.states;
    Ok((0..k)
        .map(|state| {
            (0..inputs.steps)
                .map(|t| posterior[t * k + state])
                .collect()
        })
        .collect())
}

/// One draw of the whole hidden path `z_0, ..., z_{N-1}` (states numbered from 0) from its
/// joint posterior given `y`, by forward filtering, backward sampling (Frühwirth-Schnatter 1994;
/// Stan's `hmm_latent_rng`): `z_{N-1}` is drawn from the filtered probabilities `α_{N-1}`, then
/// each `z_t` from `P(z_t = j | z_{t+1}, y_0..y_t) ∝ α_t(j) Γ_{j, z_{t+1}}`.
///
/// Unlike drawing each state from [`hmm_hidden_state_prob`], the draws of neighbouring states
/// are dependent as the posterior says (a path never takes a transition of probability 0).
///
/// # Errors
///
/// As [`hmm_marginal`](super::hmm_marginal).
///
/// # Example
///
/// ```
/// use model_runtime::hmm::hmm_latent_sample;
/// use rand::SeedableRng;
///
/// // State 1 can never be left and state 0 is never entered: once at 1, the path stays there.
/// let log_omega = [vec![-1.0; 6], vec![-1.0; 6]];
/// let gamma = [[0.5, 0.5], [0.0, 1.0]];
/// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
/// for _ in 0..100 {
///     let z = hmm_latent_sample(&log_omega, &gamma, &[0.5, 0.5], &mut rng)?;
///     assert_eq!(z.len(), 6);
///     assert!(z.windows(2).all(|w| w[0] <= w[1]));
/// }
/// # Ok::<(), model_runtime::hmm::HmmError>(())
/// ```
pub fn hmm_latent_sample<O, G, R>(
    log_omega: &[O],
    gamma: &[G],
    rho: &[f64],
    rng: &mut R,
) -> Result<Vec<usize>, HmmError>
where
    O: AsRef<[f64]>,
    G: AsRef<[f64]>,
    R: Rng + ?Sized,
{
    let inputs = Inputs::new(log_omega, gamma, rho)?;
    let filter = inputs.filter();
    let (k, n) = (inputs.states, inputs.steps);
    let mut path = vec![0; n];
    let mut weights = vec![0.0; k];
    path[n - 1] = draw(&filter.alpha[(n - 1) * k..], rng);
    for t in (0..n - 1).rev() {
        let next = path[t + 1];
        for (j, w) in weights.iter_mut().enumerate() {
            *w = filter.alpha[t * k + j] * inputs.gamma[j * k + next];
        }
        path[t] = draw(&weights, rng);
    }
    Ok(path)
}

/// The most likely hidden path given `y` and its joint log probability `ln p(z, y)`.
///
/// Returned by [`hmm_viterbi`].
#[derive(Debug, Clone, PartialEq)]
pub struct MostLikelyPath {
    /// The states `z_0, ..., z_{N-1}`, numbered from 0.
    pub states: Vec<usize>,
    /// `ln p(z, y) = ln ρ_{z_0} + Σ_{t≥1} ln Γ_{z_{t-1} z_t} + Σ_t log_omega[z_t][t]`.
    pub log_prob: f64,
}

/// The most likely hidden path, `argmax_z p(z | y)`, by the Viterbi algorithm in log space
/// (Viterbi 1967; Rabiner 1989, section III.B): `δ_0(k) = ln ρ_k + log_omega[k][0]`,
/// `δ_t(k) = max_j (δ_{t-1}(j) + ln Γ_jk) + log_omega[k][t]`, then back through the argmaxes.
/// Ties go to the lower state. This is what posteriordb's HMM programs compute in generated
/// quantities.
///
/// # Errors
///
/// As [`hmm_marginal`](super::hmm_marginal).
///
/// # Example
///
/// ```
/// use model_runtime::hmm::hmm_viterbi;
///
/// let log_omega = [vec![-0.1, -0.2, -5.0, -0.1], vec![-3.0, -2.0, -0.1, -4.0]];
/// let gamma = [[0.8, 0.2], [0.2, 0.8]];
/// let best = hmm_viterbi(&log_omega, &gamma, &[0.5, 0.5])?;
/// assert_eq!(best.states, vec![0, 0, 1, 0]);
/// let by_hand = 0.5f64.ln() + 0.8f64.ln() + 2.0 * 0.2f64.ln() - 0.1 - 0.2 - 0.1 - 0.1;
/// assert!((best.log_prob - by_hand).abs() < 1e-14);
/// # Ok::<(), model_runtime::hmm::HmmError>(())
/// ```
pub fn hmm_viterbi<O, G>(
    log_omega: &[O],
    gamma: &[G],
    rho: &[f64],
) -> Result<MostLikelyPath, HmmError>
where
    O: AsRef<[f64]>,
    G: AsRef<[f64]>,
{
    let inputs = Inputs::new(log_omega, gamma, rho)?;
    let (k, n) = (inputs.states, inputs.steps);
    let log_gamma: Vec<f64> = inputs.gamma.iter().map(|g| g.ln()).collect();
    let mut delta: Vec<f64> = (0..k)
        .map(|state| inputs.rho[state].ln() + inputs.log_omega[state])
        .collect();
    let mut next_delta = vec![0.0; k];
    // back[t * k + k'] is the best predecessor of state k' at time t.
    let mut back = vec![0; n * k];
    for t in 1..n {
        for state in 0..k {
            let (best, value) = (0..k)
                .map(|j| (j, delta[j] + log_gamma[j * k + state]))
                .fold(
                    (0, f64::NEG_INFINITY),
                    |acc, c| if c.1 > acc.1 { c } else { acc },
                );
            back[t * k + state] = best;
            next_delta[state] = value + inputs.log_omega[t * k + state];
        }
        core::mem::swap(&mut delta, &mut next_delta);
    }
    let (last, log_prob) =
        delta
            .iter()
            .copied()
            .enumerate()
            .fold(
                (0, f64::NEG_INFINITY),
                |acc, c| if c.1 > acc.1 { c } else { acc },
            );
    let mut states = vec![last; n];
    for t in (1..n).rev() {
        states[t - 1] = back[t * k + states[t]];
    }
    Ok(MostLikelyPath { states, log_prob })
}

/// An index drawn with probability proportional to `weights` (non-negative, not all 0).
pub(super) fn draw<R: Rng + ?Sized>(weights: &[f64], rng: &mut R) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = rng.random::<f64>() * total;
    for (i, &w) in weights.iter().enumerate() {
        if u < w {
            return i;
        }
        u -= w;
    }
    // Round-off left `u` at the top of the range: the last state with weight.
    weights.iter().rposition(|&w| w > 0.0).unwrap_or(0)
}
