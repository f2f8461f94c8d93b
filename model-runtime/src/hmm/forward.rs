//! The checked inputs, and the forward and backward passes on their plain values.
//!
//! The forward pass is the scaled forward algorithm (Rabiner 1989, "A tutorial on hidden Markov
//! models", section V.A). With the predicted state probabilities `p_t = Γᵀ α_{t-1}`
//! (`p_0 = ρ`), the normalizer of step `t` is `s_t = Σ_k p_t(k) exp(log_omega[k][t])` and the
//! filtered probabilities are `α_t(k) = p_t(k) exp(log_omega[k][t]) / s_t`; the log marginal
//! likelihood is `Σ_t ln s_t`. The emissions of a step are exponentiated relative to their
//! largest, `exp(log_omega[k][t] - c_t)` (as Stan does), so the step costs `K` exponentials and
//! one logarithm. Should the predicted probability of every well-emitting state be so small that
//! the scaled sum underflows, that step is redone in log space (`ln p_t(k) + log_omega[k][t]`,
//! a log-sum-exp). Since `p_t` sums to 1, `ln s_t` is then finite for finite emission
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
        let mut emission = vec![0.0; self.steps * k];
        let mut log_scale = vec![0.0; self.steps];
        let mut predicted = self.rho.clone();
        for t in 0..self.steps {
            if t > 0 {
                let previous = &alpha[(t - 1) * k..t * k];
                for (state, p) in predicted.iter_mut().enumerate() {
                    *p = (0..k)
                        .map(|j| previous[j] * self.gamma[j * k + state])
                        .sum();
                }
            }
            let log_omega = &self.log_omega[t * k..(t + 1) * k];
            let emission_t = &mut emission[t * k..(t + 1) * k];
            let alpha_t = &mut alpha[t * k..(t + 1) * k];
            let max = log_omega.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            let mut sum = 0.0;
            for state in 0..k {
                emission_t[state] = (log_omega[state] - max).exp();
                alpha_t[state] = predicted[state] * emission_t[state];
                sum += alpha_t[state];
            }
            // Far above the smallest normal number, the scaled sum has full precision.
            if sum > 1e-250 {
                for (a, e) in alpha_t.iter_mut().zip(emission_t.iter_mut()) {
                    *a /= sum;
                    *e /= sum;
                }
                log_scale[t] = max + sum.ln();
            } else {
                log_scale[t] = log_space_step(&predicted, log_omega, alpha_t, emission_t);
            }
        }
        Filter {
            alpha,
            emission,
            log_scale,
        }
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
                d_log_omega[t * k + state] = times(alpha_t[state], beta[state]);
                weighted[state] = times(filter.emission[t * k + state], beta[state]);
            }
            if t == 0 {
                break;
            }
            let alpha_previous = &filter.alpha[(t - 1) * k..t * k];
            for j in 0..k {
                let row = &self.gamma[j * k..(j + 1) * k];
                let mut b = 0.0;
                for state in 0..k {
                    d_gamma[j * k + state] += times(alpha_previous[j], weighted[state]);
                    b += times(row[state], weighted[state]);
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
                *w = times(filter.emission[t * k + state], beta[t * k + state]);
            }
            for j in 0..k {
                let row = &self.gamma[j * k..(j + 1) * k];
                beta[(t - 1) * k + j] = row.iter().zip(&weighted).map(|(&g, &w)| times(g, w)).sum();
            }
        }
        beta
    }
}

/// What the forward pass leaves for the backward pass and the samplers.
pub(super) struct Filter {
    /// Filtered state probabilities `α_t(k)` = P(z_t = k | y_0..y_t), time-major.
    pub alpha: Vec<f64>,
    /// `e_t(k) = exp(log_omega[k][t]) / s_t`, time-major.
    pub emission: Vec<f64>,
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

/// One step of the forward pass in log space, for when the scaled sum underflows: writes
/// `α_t` and `e_t` and returns `ln s_t`.
fn log_space_step(
    predicted: &[f64],
    log_omega: &[f64],
    alpha: &mut [f64],
    emission: &mut [f64],
) -> f64 {
    // ln 0 = -∞: a state that cannot be reached contributes nothing.
    let joint = |state: usize| predicted[state].ln() + log_omega[state];
    let max = (0..predicted.len()).fold(f64::NEG_INFINITY, |m, s| m.max(joint(s)));
    let mut sum = 0.0;
    for (state, a) in alpha.iter_mut().enumerate() {
        *a = (joint(state) - max).exp();
        sum += *a;
    }
    let log_scale = max + sum.ln();
    for (state, (a, e)) in alpha.iter_mut().zip(emission.iter_mut()).enumerate() {
        *a /= sum;
        *e = (log_omega[state] - log_scale).exp();
    }
    log_scale
}

/// `a · b`, but 0 when either is exactly 0. A state that cannot be reached (`α_t(k) = 0`) or a
/// forbidden transition (`Γ_jk = 0`) can meet an emission ratio `e_t(k) = exp(log_omega[k][t])
/// / s_t`, or a backward variable, that overflowed because that state emits far better than
/// the reachable ones; the product is then 0, where `0 · ∞` would be NaN.
#[inline]
pub(super) fn times(a: f64, b: f64) -> f64 {
    if a == 0.0 || b == 0.0 { 0.0 } else { a * b }
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
