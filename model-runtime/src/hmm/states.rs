//! The hidden states of a hidden Markov model given its parameters: marginal posteriors,
//! posterior draws, the posterior as a Markov chain, and the most likely path. These read the
//! plain values of their inputs (any scalar, derivatives dropped): they run after sampling, on
//! each posterior draw, or in the `f64` body that Predictive runs.

use rand::{Rng, RngExt};

use super::error::HmmError;
use super::forward::{Inputs, times};
use crate::scalar::Scalar;

/// The posterior probability of every state at every time step, `P(z_t = k | y)`, as `K` rows
/// of `N` entries (Stan's `hmm_hidden_state_prob`). Each column sums to 1.
///
/// The probabilities are the products `α_t(k) β_t(k)` of the scaled forward and backward
/// variables (Rabiner 1989, equation 27), which are also the derivatives of
/// [`hmm_marginal`](super::hmm_marginal) with respect to `log_omega`. The arguments are those of
/// `hmm_marginal`; only their values are read.
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
pub fn hmm_hidden_state_prob<T, O, G>(
    log_omega: &[O],
    gamma: &[G],
    rho: &[T],
) -> Result<Vec<Vec<f64>>, HmmError>
where
    T: Scalar,
    O: AsRef<[T]>,
    G: AsRef<[T]>,
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
pub fn hmm_latent_sample<T, O, G, R>(
    log_omega: &[O],
    gamma: &[G],
    rho: &[T],
    rng: &mut R,
) -> Result<Vec<usize>, HmmError>
where
    T: Scalar,
    O: AsRef<[T]>,
    G: AsRef<[T]>,
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

/// The posterior of the hidden path given `y`, as the Markov chain it is: `P(z_0 | y)` and
/// `P(z_t | z_{t-1}, y)` for every step. Returned by [`hmm_posterior_chain`].
///
/// Drawing `z_0` from [`initial`](Self::initial), then each `z_t` from
/// [`transition(t, z_{t-1})`](Self::transition), draws a path from `p(z | y)`, forward in time:
/// in a model body, one `sample!` per step of a plate, which Predictive then draws.
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorChain {
    states: usize,
    initial: Vec<f64>,
    /// `transitions[((t - 1) * K + j) * K + k]` = P(z_t = k | z_{t-1} = j, y), for t ≥ 1.
    transitions: Vec<f64>,
}

impl PosteriorChain {
    /// The number of time steps `N`.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::hmm::hmm_posterior_chain;
    ///
    /// let chain = hmm_posterior_chain(&[vec![-1.0; 4], vec![-2.0; 4]], &[[0.5, 0.5], [0.5, 0.5]], &[0.5, 0.5])?;
    /// assert_eq!(chain.len(), 4);
    /// # Ok::<(), model_runtime::hmm::HmmError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.transitions.len() / (self.states * self.states) + 1
    }

    /// Always `false`: a chain has at least one step.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::hmm::hmm_posterior_chain;
    ///
    /// let chain = hmm_posterior_chain(&[vec![0.0]], &[[1.0]], &[1.0])?;
    /// assert!(!chain.is_empty());
    /// # Ok::<(), model_runtime::hmm::HmmError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        false
    }

    /// `P(z_0 = k | y)` for each state `k`.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::hmm::{hmm_hidden_state_prob, hmm_posterior_chain};
    ///
    /// let (log_omega, gamma, rho) = ([vec![-1.0, -3.0], vec![-2.0, -0.5]], [[0.7, 0.3], [0.4, 0.6]], [0.5, 0.5]);
    /// let chain = hmm_posterior_chain(&log_omega, &gamma, &rho)?;
    /// let marginals = hmm_hidden_state_prob(&log_omega, &gamma, &rho)?;
    /// assert!((chain.initial()[1] - marginals[1][0]).abs() < 1e-15);
    /// # Ok::<(), model_runtime::hmm::HmmError>(())
    /// ```
    pub fn initial(&self) -> &[f64] {
        &self.initial
    }

    /// `P(z_t = k | z_{t-1} = from, y)` for each state `k`, for `1 ≤ t < N`. For a state `from`
    /// that the posterior never visits at `t - 1`, the prior row `Γ_from` is returned.
    ///
    /// # Panics
    ///
    /// If `t` is 0 or not below [`len`](Self::len), or `from` is not a state.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::hmm::hmm_posterior_chain;
    ///
    /// // State 1 emits the second observation far better, and states are sticky.
    /// let chain = hmm_posterior_chain(&[vec![-1.0, -9.0], vec![-1.0, -1.0]], &[[0.9, 0.1], [0.1, 0.9]], &[0.5, 0.5])?;
    /// let p = chain.transition(1, 0);
    /// assert!(p[1] > 0.99 && (p[0] + p[1] - 1.0).abs() < 1e-15);
    /// # Ok::<(), model_runtime::hmm::HmmError>(())
    /// ```
    pub fn transition(&self, t: usize, from: usize) -> &[f64] {
        assert!(
            t >= 1 && t < self.len() && from < self.states,
            "transition({t}, {from}) of a posterior chain of {} steps and {} states: t runs from 1 to {} and from below {}",
            self.len(),
            self.states,
            self.len() - 1,
            self.states
        );
        let start = ((t - 1) * self.states + from) * self.states;
        &self.transitions[start..start + self.states]
    }

    /// The distribution of `z_t` given the state before it: [`initial`](Self::initial) at
    /// `t = 0` (where `previous` is ignored), else [`transition(t, previous)`](Self::transition).
    /// One call per step of a plate draws a path.
    ///
    /// # Panics
    ///
    /// As [`transition`](Self::transition), for `t ≥ 1`.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::hmm::hmm_posterior_chain;
    ///
    /// let chain = hmm_posterior_chain(&[vec![-1.0, -2.0], vec![-2.0, -1.0]], &[[0.8, 0.2], [0.3, 0.7]], &[0.5, 0.5])?;
    /// assert_eq!(chain.step(0, 1), chain.initial());
    /// assert_eq!(chain.step(1, 1), chain.transition(1, 1));
    /// # Ok::<(), model_runtime::hmm::HmmError>(())
    /// ```
    pub fn step(&self, t: usize, previous: usize) -> &[f64] {
        if t == 0 {
            &self.initial
        } else {
            self.transition(t, previous)
        }
    }
}

/// The posterior of the hidden path as a Markov chain ([`PosteriorChain`]): `P(z_0 = k | y) =
/// α_0(k) β_0(k)` and `P(z_t = k | z_{t-1} = j, y) ∝ Γ_jk exp(log_omega[k][t]) β_t(k)`, from
/// the scaled forward and backward variables (Rabiner 1989; the backward form of forward
/// filtering, backward sampling). Use it to draw hidden paths forward in time, one `sample!` per
/// step, so that Predictive draws them from each posterior draw.
///
/// # Errors
///
/// As [`hmm_marginal`](super::hmm_marginal).
///
/// # Example
///
/// Predictive draws the hidden states of a fitted model when asked to (`decode`), and the fit
/// never runs that part:
///
/// ```
/// use model_runtime::hmm::{hmm_marginal, hmm_posterior_chain};
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn regimes(y: &[f64], decode: bool) {
///     let theta1 = sample!("theta1", Dirichlet::new(vec![4.0, 1.0]));
///     let theta2 = sample!("theta2", Dirichlet::new(vec![1.0, 4.0]));
///     let mu = sample!("mu", batch::Normal::new(5.0, 5.0).iid(2).ordered());
///     let log_omega: Vec<Vec<_>> = (0..2)
///         .map(|k| y.iter().map(|&yt| (mu[k] - yt) * (mu[k] - yt) * -0.5).collect())
///         .collect();
///     let gamma = [&theta1[..], &theta2[..]];
///     let rho = [scalar(0.5), scalar(0.5)];
///     factor!("y", hmm_marginal(&log_omega, &gamma, &rho)?);
///     // Sites cannot sit inside `if`: the plate has no steps unless decoding.
///     let chain = if decode { Some(hmm_posterior_chain(&log_omega, &gamma, &rho)?) } else { None };
///     let steps = chain.as_ref().map_or(0, |c| c.len());
///     let mut previous = 0;
///     plate!("time", steps, |t| {
///         let p = chain.as_ref().map(|c| c.step(t, previous).to_vec()).unwrap_or_default();
///         let z = sample!("z", Categorical::new(p), obs = None::<u64>);
///         previous = z as usize;
///     });
/// }
///
/// let y = [0.1, -0.2, 0.3, 6.1, 5.8, 6.2, 0.0, 0.2];
/// let fit = Nuts::default().warmup(300).samples(200).chains(1).seed(2).run(&regimes(&y, false))?;
/// let decoded = Predictive::posterior(&fit).seed(3).run(&regimes(&y, true))?;
/// let z: &Vec<Vec<u64>> = &decoded.z;
/// let share_high = z.iter().filter(|path| path[4] == 1).count() as f64 / z.len() as f64;
/// assert!(share_high > 0.9, "{share_high}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn hmm_posterior_chain<T, O, G>(
    log_omega: &[O],
    gamma: &[G],
    rho: &[T],
) -> Result<PosteriorChain, HmmError>
where
    T: Scalar,
    O: AsRef<[T]>,
    G: AsRef<[T]>,
{
    let inputs = Inputs::new(log_omega, gamma, rho)?;
    let filter = inputs.filter();
    let beta = inputs.backward_variables(&filter);
    let (k, n) = (inputs.states, inputs.steps);
    let initial = (0..k).map(|s| times(filter.alpha[s], beta[s])).collect();
    let mut transitions = Vec::with_capacity((n - 1) * k * k);
    let mut row = vec![0.0; k];
    for t in 1..n {
        for j in 0..k {
            let prior = &inputs.gamma[j * k..(j + 1) * k];
            for (state, r) in row.iter_mut().enumerate() {
                *r = times(
                    prior[state],
                    times(filter.emission[t * k + state], beta[t * k + state]),
                );
            }
            let total: f64 = row.iter().sum();
            if total > 0.0 && total.is_finite() {
                transitions.extend(row.iter().map(|r| r / total));
            } else {
                transitions.extend_from_slice(prior);
            }
        }
    }
    Ok(PosteriorChain {
        states: k,
        initial,
        transitions,
    })
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
pub fn hmm_viterbi<T, O, G>(
    log_omega: &[O],
    gamma: &[G],
    rho: &[T],
) -> Result<MostLikelyPath, HmmError>
where
    T: Scalar,
    O: AsRef<[T]>,
    G: AsRef<[T]>,
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
