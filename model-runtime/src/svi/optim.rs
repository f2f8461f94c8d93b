//! Optimizers of SVI: Adam and ClippedAdam with learning-rate schedules, as NumPyro's
//! `numpyro.optim` defines them.

/// A learning rate as a function of the step (counted from 0).
///
/// # Example
///
/// ```
/// use model_runtime::svi::Schedule;
///
/// let decay = Schedule::Exponential { initial: 0.1, rate: 0.5, steps: 100 };
/// assert_eq!(decay.at(0), 0.1);
/// assert!((decay.at(100) - 0.05).abs() < 1e-15);
/// let piecewise = Schedule::Piecewise { boundaries: vec![10], values: vec![0.1, 0.01] };
/// assert_eq!((piecewise.at(9), piecewise.at(10)), (0.1, 0.01));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// The same rate at every step.
    Constant(f64),
    /// `initial · rate^(step / steps)` (optax's `exponential_decay`, without staircase).
    Exponential {
        /// The rate at step 0.
        initial: f64,
        /// The factor per `steps` steps.
        rate: f64,
        /// Steps over which the rate is multiplied by `rate`.
        steps: usize,
    },
    /// `values[k]` from boundary `k - 1` up to boundary `k` (optax's `piecewise_constant`):
    /// one more value than boundaries.
    Piecewise {
        /// Steps at which the rate changes, increasing.
        boundaries: Vec<usize>,
        /// The rates, one more than the boundaries.
        values: Vec<f64>,
    },
    /// From `initial` to `end` over `steps` steps as `(1 - step/steps)^power`, then `end`
    /// (optax's `polynomial_schedule`).
    Polynomial {
        /// The rate at step 0.
        initial: f64,
        /// The rate from step `steps` on.
        end: f64,
        /// The power of the decay (1 is linear).
        power: f64,
        /// Steps of the decay.
        steps: usize,
    },
}

impl Schedule {
    /// The learning rate at `step`.
    pub fn at(&self, step: usize) -> f64 {
        match self {
            Schedule::Constant(rate) => *rate,
            Schedule::Exponential {
                initial,
                rate,
                steps,
            } => initial * rate.powf(step as f64 / (*steps).max(1) as f64),
            Schedule::Piecewise { boundaries, values } => {
                let k = boundaries.iter().take_while(|&&b| step >= b).count();
                values.get(k).or(values.last()).copied().unwrap_or(0.0)
            }
            Schedule::Polynomial {
                initial,
                end,
                power,
                steps,
            } => {
                let t = (step as f64 / (*steps).max(1) as f64).min(1.0);
                end + (initial - end) * (1.0 - t).powf(*power)
            }
        }
    }
}

impl From<f64> for Schedule {
    fn from(rate: f64) -> Self {
        Schedule::Constant(rate)
    }
}

/// Adam (Kingma and Ba 2015, Algorithm 1) with NumPyro's defaults `b1 = 0.9`, `b2 = 0.999`,
/// `eps = 1e-8`. With [`clip`](Adam::clip) it is NumPyro's `ClippedAdam`: every gradient
/// element is clipped to `[-clip_norm, clip_norm]` and the rate decays by `lrd` per step.
///
/// # Example
///
/// ```
/// use model_runtime::svi::{Adam, Schedule};
///
/// let adam = Adam::new(0.01);
/// let clipped = Adam::clipped(0.01).clip(10.0).decay(0.999);
/// let scheduled = Adam::new(Schedule::Exponential { initial: 0.05, rate: 0.1, steps: 5000 });
/// # let _ = (adam, clipped, scheduled);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Adam {
    schedule: Schedule,
    b1: f64,
    b2: f64,
    eps: f64,
    clip_norm: Option<f64>,
    decay: f64,
}

impl Adam {
    /// Adam with a learning rate or a [`Schedule`].
    pub fn new(rate: impl Into<Schedule>) -> Self {
        Adam {
            schedule: rate.into(),
            b1: 0.9,
            b2: 0.999,
            eps: 1e-8,
            clip_norm: None,
            decay: 1.0,
        }
    }

    /// NumPyro's `ClippedAdam`: gradient elements clipped to `[-10, 10]`.
    pub fn clipped(rate: impl Into<Schedule>) -> Self {
        Adam {
            clip_norm: Some(10.0),
            ..Adam::new(rate)
        }
    }

    /// Clips every gradient element to `[-norm, norm]`.
    pub fn clip(mut self, norm: f64) -> Self {
        self.clip_norm = Some(norm.abs());
        self
    }

    /// Multiplies the rate by `lrd^step` (ClippedAdam's learning-rate decay).
    pub fn decay(mut self, lrd: f64) -> Self {
        self.decay = lrd;
        self
    }

    /// The exponential decay rates of the moment estimates (default 0.9, 0.999).
    pub fn betas(mut self, b1: f64, b2: f64) -> Self {
        self.b1 = b1;
        self.b2 = b2;
        self
    }

    /// The state of one optimization over `n` parameters.
    pub(crate) fn state(&self, n: usize) -> AdamState {
        AdamState {
            m: vec![0.0; n],
            v: vec![0.0; n],
            step: 0,
        }
    }

    /// One ascent step of `params` along `gradient` (of the objective to maximize).
    pub(crate) fn ascend(&self, state: &mut AdamState, params: &mut [f64], gradient: &[f64]) {
        let t = state.step;
        state.step += 1;
        let rate = self.schedule.at(t) * self.decay.powf(t as f64);
        let (b1, b2) = (self.b1, self.b2);
        let c1 = 1.0 - b1.powi(t as i32 + 1);
        let c2 = 1.0 - b2.powi(t as i32 + 1);
        for (((p, &g), m), v) in params
            .iter_mut()
            .zip(gradient)
            .zip(&mut state.m)
            .zip(&mut state.v)
        {
            let g = match self.clip_norm {
                Some(c) => g.clamp(-c, c),
                None => g,
            };
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            *p += rate * (*m / c1) / ((*v / c2).sqrt() + self.eps);
        }
    }
}

/// Adam's moment estimates and step count.
#[derive(Debug, Clone)]
pub(crate) struct AdamState {
    m: Vec<f64>,
    v: Vec<f64>,
    step: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adam_climbs_a_quadratic() {
        // Maximize -(x - 3)²: Adam reaches 3.
        let adam = Adam::new(0.1);
        let mut state = adam.state(1);
        let mut x = [0.0];
        for _ in 0..2000 {
            let g = [-2.0 * (x[0] - 3.0)];
            adam.ascend(&mut state, &mut x, &g);
        }
        assert!((x[0] - 3.0).abs() < 1e-3, "{x:?}");
    }

    #[test]
    fn the_first_adam_step_has_the_rate_as_length() {
        // With bias correction, the first step is rate · g / (|g| + eps).
        let adam = Adam::new(0.5);
        let mut state = adam.state(2);
        let mut x = [0.0, 0.0];
        adam.ascend(&mut state, &mut x, &[4.0, -0.001]);
        assert!(
            (x[0] - 0.5).abs() < 1e-6 && (x[1] + 0.5).abs() < 1e-4,
            "{x:?}"
        );
    }

    #[test]
    fn clipping_bounds_the_gradient() {
        let clipped = Adam::clipped(1.0).clip(1.0).betas(0.0, 0.0);
        let mut state = clipped.state(1);
        let mut x = [0.0];
        // b1 = b2 = 0: the step is rate · clip(g) / |clip(g)|.
        clipped.ascend(&mut state, &mut x, &[100.0]);
        assert!((x[0] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn schedules() {
        let poly = Schedule::Polynomial {
            initial: 1.0,
            end: 0.0,
            power: 1.0,
            steps: 10,
        };
        assert_eq!((poly.at(0), poly.at(5), poly.at(20)), (1.0, 0.5, 0.0));
        assert_eq!(Schedule::from(0.3).at(1000), 0.3);
    }
}
