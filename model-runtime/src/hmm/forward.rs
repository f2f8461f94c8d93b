//! The checked inputs, and the forward and backward passes on their plain values.
//!
//! The forward pass is the scaled forward algorithm (Rabiner 1989, "A tutorial on hidden Markov
//! models", section V.A) with the emission step taken in log space: with the predicted state
//! probabilities `p_t = Γᵀ α_{t-1}` (`p_0 = ρ`), the normalizer of step `t` is
//! `s_t = Σ_k p_t(k) exp(log_omega[k][t])`, computed as a log-sum-exp, and the filtered
//! probabilities are `α_t(k) = p_t(k) exp(log_omega[k][t]) / s_t`. The log marginal likelihood
//! is `Σ_t ln s_t`. Since `p_t` sums to 1, `ln s_t` is finite for finite emission
//! log-likelihoods however far apart they are, so long sequences neither underflow nor overflow.
//!
//! The backward pass carries the scaled backward variables `β_t` (`β_{N-1} = 1`,
//! `β_{t-1}(j) = Σ_k Γ_jk e_t(k) β_t(k)` with `e_t(k) = exp(log_omega[k][t] - ln s_t)`), for
//! which `Σ_k α_t(k) β_t(k) = 1`. The partial derivatives of the log marginal are then
//! (Stan Math's `hmm_marginal` uses the same identities):
//!
//! * `∂/∂ log_omega[k][t] = α_t(k) β_t(k)`, the posterior probability of state `k` at `t`;
//! * `∂/∂ Γ_jk = Σ_{t≥1} α_{t-1}(j) e_t(k) β_t(k)`;
//! * `∂/∂ ρ_k = e_0(k) β_0(k)`.

use super::error::HmmError;
use crate::bijectors::CONSTRAINT_TOLERANCE;
use crate::scalar::Scalar;

/// The plain values of a hidden Markov model's inputs, checked.
pub(super) struct Inputs {
    /// Number of states `K`.
    pub states: usize,
    /// Number of time steps `N`.
    pub steps: usize,
    /// Emission log-likelihoods, time-major: `log_omega[t * K + k]`.
    pub log_omega: Vec<f64>,
    /// Transition matrix, row-major: `gamma[j * K + k]` = P(z_t = k | z_{t-1} = j).
    pub gamma: Vec<f64>,
    /// Initial state distribution.
    pub rho: Vec<f64>,
}

impl Inputs {
    /// Checks shapes first, then values, so that the first error named is the most basic one.
    pub fn new<T, O, G>(log_omega: &[O], gamma: &[G], rho: &[T]) -> Result<Self, HmmError>
    where
        T: Scalar,
        O: AsRef<[T]>,
        G: AsRef<[T]>,
    {
        let states = rho.len();
        if states == 0 {
            return Err(HmmError::NoStates);
        }
        for (argument, found) in [("log_omega", log_omega.len()), ("gamma", gamma.len())] {
            if found != states {
                return Err(HmmError::RowCount {
                    argument,
                    states,
                    found,
                });
            }
        }
        for (row, r) in gamma.iter().enumerate() {
            check_length("gamma", row, states, r.as_ref().len())?;
        }
        let steps = log_omega[0].as_ref().len();
        if steps == 0 {
            return Err(HmmError::NoObservations);
        }
        let mut plain_log_omega = vec![0.0; states * steps];
        for (state, r) in log_omega.iter().enumerate() {
            let r = r.as_ref();
            check_length("log_omega", state, steps, r.len())?;
            for (time, v) in r.iter().enumerate() {
                let value = v.value();
                if !value.is_finite() {
                    return Err(HmmError::NonFiniteLogLikelihood { state, time, value });
                }
                plain_log_omega[time * states + state] = value;
            }
        }
        let mut plain_gamma = Vec::with_capacity(states * states);
        for (row, r) in gamma.iter().enumerate() {
            let r: Vec<f64> = r.as_ref().iter().map(|v| v.value()).collect();
            check_probabilities("gamma", Some(row), &r)?;
            plain_gamma.extend(r);
        }
        let plain_rho: Vec<f64> = rho.iter().map(|v| v.value()).collect();
        check_probabilities("rho", None, &plain_rho)?;
        Ok(Inputs {
            states,
            steps,
            log_omega: plain_log_omega,
            gamma: plain_gamma,
            rho: plain_rho,
        })
    }

    /// The forward pass (see the module documentation).
    pub fn filter(&self) -> Filter {
        let k = self.states;
        let mut alpha = vec![0.0; self.steps * k];
        let mut log_scale = vec![0.0; self.steps];
        // Log of p_t(k) exp(log_omega[k][t]), reused at every step.
        let mut joint = vec![0.0; k];
        for t in 0..self.steps {
            let mut max = f64::NEG_INFINITY;
            for (state, joint) in joint.iter_mut().enumerate() {
                let predicted = if t == 0 {
                    self.rho[state]
                } else {
                    let previous = &alpha[(t - 1) * k..t * k];
                    (0..k)
                        .map(|j| previous[j] * self.gamma[j * k + state])
                        .sum()
                };
                // ln 0 = -∞: a state that cannot be reached contributes nothing.
                *joint = predicted.ln() + self.log_omega[t * k + state];
                max = max.max(*joint);
            }
            let current = &mut alpha[t * k..(t + 1) * k];
            let mut sum = 0.0;
            for (a, &j) in current.iter_mut().zip(&joint) {
                *a = (j - max).exp();
                sum += *a;
            }
            for a in current.iter_mut() {
                *a /= sum;
            }
            log_scale[t] = max + sum.ln();
        }
        Filter { alpha, log_scale }
    }

    /// The backward pass: the partial derivatives of the log marginal with respect to every
    /// input (see the module documentation).
    pub fn gradient(&self, filter: &Filter) -> Gradient {
        let k = self.states;
        let n = self.steps;
        let mut d_log_omega = vec![0.0; n * k];
        let mut d_gamma = vec![0.0; k * k];
        let mut beta = vec![1.0; k];
        let mut previous_beta = vec![0.0; k];
        // e_t(k) β_t(k), the factor shared by the three derivatives.
        let mut weighted = vec![0.0; k];
        for t in (0..n).rev() {
            let alpha_t = &filter.alpha[t * k..(t + 1) * k];
            for state in 0..k {
                d_log_omega[t * k + state] = alpha_t[state] * beta[state];
                let e = (self.log_omega[t * k + state] - filter.log_scale[t]).exp();
                weighted[state] = e * beta[state];
            }
            if t == 0 {
                break;
            }
            let alpha_previous = &filter.alpha[(t - 1) * k..t * k];
            for j in 0..k {
                let row = &self.gamma[j * k..(j + 1) * k];
                let mut b = 0.0;
                for state in 0..k {
                    d_gamma[j * k + state] += alpha_previous[j] * weighted[state];
                    b += row[state] * weighted[state];
                }
                previous_beta[j] = b;
            }
            core::mem::swap(&mut beta, &mut previous_beta);
        }
        Gradient {
            log_omega: d_log_omega,
            gamma: d_gamma,
            rho: weighted,
        }
    }
}

impl Inputs {
    /// Every scaled backward variable `β_t(k)`, time-major (the gradient keeps only two).
    pub fn backward_variables(&self, filter: &Filter) -> Vec<f64> {
        let (k, n) = (self.states, self.steps);
        let mut beta = vec![1.0; n * k];
        let mut weighted = vec![0.0; k];
        for t in (1..n).rev() {
            for (state, w) in weighted.iter_mut().enumerate() {
                let e = (self.log_omega[t * k + state] - filter.log_scale[t]).exp();
                *w = e * beta[t * k + state];
            }
            for j in 0..k {
                let row = &self.gamma[j * k..(j + 1) * k];
                beta[(t - 1) * k + j] = row.iter().zip(&weighted).map(|(g, w)| g * w).sum();
            }
        }
        beta
    }
}

/// What the forward pass leaves for the backward pass and the samplers.
pub(super) struct Filter {
    /// Filtered state probabilities `α_t(k)` = P(z_t = k | y_0..y_t), time-major.
    pub alpha: Vec<f64>,
    /// `ln s_t`; their sum is the log marginal likelihood.
    pub log_scale: Vec<f64>,
}

impl Filter {
    pub fn log_marginal(&self) -> f64 {
        self.log_scale.iter().sum()
    }
}

/// Partial derivatives of the log marginal, laid out as [`Inputs`].
pub(super) struct Gradient {
    /// Time-major; also the posterior state probabilities.
    pub log_omega: Vec<f64>,
    /// Row-major.
    pub gamma: Vec<f64>,
    pub rho: Vec<f64>,
}

fn check_length(
    argument: &'static str,
    row: usize,
    expected: usize,
    found: usize,
) -> Result<(), HmmError> {
    if found == expected {
        Ok(())
    } else {
        Err(HmmError::RowLength {
            argument,
            row,
            expected,
            found,
        })
    }
}

/// Every entry in `[0, 1]` (to round-off) and the sum 1 within Stan's tolerance; written so that
/// NaN fails.
fn check_probabilities(
    argument: &'static str,
    row: Option<usize>,
    p: &[f64],
) -> Result<(), HmmError> {
    for (column, &value) in p.iter().enumerate() {
        if !(0.0..=1.0 + CONSTRAINT_TOLERANCE).contains(&value) {
            return Err(HmmError::NotProbability {
                argument,
                row,
                column,
                value,
            });
        }
    }
    let sum: f64 = p.iter().sum();
    // Every entry is a number in [0, 1] by now, so the sum is not NaN.
    if (sum - 1.0).abs() > CONSTRAINT_TOLERANCE {
        return Err(HmmError::NotSimplex { argument, row, sum });
    }
    Ok(())
}
