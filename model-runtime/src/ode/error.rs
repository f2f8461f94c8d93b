//! Why an ODE solve failed.

use crate::error::{ModelError, ModelErrorKind};

/// Why an ODE solver returned no solution: invalid inputs, checked before any step, or a
/// failure during the integration, with the time it happened.
///
/// Inside a `#[model]` body, `?` turns it into a [`ModelError`] at the site `ode`;
/// [`OdeError::at`] names the site the user chose instead. NUTS treats either like any failing
/// log density: the point is rejected (a divergence), the run goes on.
///
/// # Example
///
/// ```
/// use model_runtime::ode::{self, OdeError, OdeSystem};
/// use model_runtime::{FloatOps, Scalar};
///
/// struct Decay;
/// impl OdeSystem for Decay {
///     fn rhs<S: Scalar>(&self, _t: S, y: &[S], _theta: &[S], dydt: &mut [S])
///     where
///         f64: FloatOps<S>,
///     {
///         dydt[0] = -y[0];
///     }
/// }
///
/// let e = ode::rk45(&Decay, &[1.0], 1.0, &[0.5], &[]).unwrap_err();
/// assert_eq!(e, OdeError::TimesNotIncreasing { index: 0, previous: 1.0, value: 0.5 });
/// assert_eq!(
///     e.to_string(),
///     "`ts[0]` is 0.5, not after 1 (`t0` or the previous output time): output times must increase from `t0`"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OdeError {
    /// The initial state has no entries.
    #[error("`y0` is empty: the system needs at least one state")]
    EmptyState,
    /// No output times were given.
    #[error("`ts` is empty: give at least one output time")]
    NoOutputTimes,
    /// An entry of `y0` or `theta` is NaN or infinite.
    #[error("`{argument}[{index}]` is {value}: the initial state and parameters must be finite")]
    NonFiniteInput {
        /// `"y0"` or `"theta"`.
        argument: &'static str,
        /// The entry.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// `t0` (`index` `None`) or an output time is NaN or infinite.
    #[error("{} is {value}: times must be finite", time_name(*index))]
    NonFiniteTime {
        /// The output time's index, or `None` for `t0`.
        index: Option<usize>,
        /// The value found.
        value: f64,
    },
    /// An output time is not after `t0` or the output time before it.
    #[error(
        "`ts[{index}]` is {value}, not after {previous} (`t0` or the previous output time): output times must increase from `t0`"
    )]
    TimesNotIncreasing {
        /// The output time's index.
        index: usize,
        /// `t0` or the previous output time.
        previous: f64,
        /// The value found.
        value: f64,
    },
    /// `rtol` or `atol` is not a positive finite number, or `max_num_steps` is 0.
    #[error("`{name}` is {value}: tolerances must be positive and the step limit at least 1")]
    InvalidTolerance {
        /// `"rtol"`, `"atol"` or `"max_num_steps"`.
        name: &'static str,
        /// The value found.
        value: f64,
    },
    /// The solver took `max_num_steps` steps between two output times without reaching the
    /// next: the system is stiff for this solver, or the tolerances too tight for the limit.
    #[error(
        "ODE solver reached the step limit ({max_num_steps} steps) at t = {t} on its way to the output time {t_out}: the system may be stiff (try the stiff solver) or need a larger `max_num_steps`"
    )]
    StepLimit {
        /// The step limit.
        max_num_steps: usize,
        /// How far the solver got.
        t: f64,
        /// The output time it was heading for.
        t_out: f64,
    },
    /// The right-hand side (or, for the stiff solver, its Jacobian) is NaN or infinite at an
    /// accepted state.
    #[error("ODE right-hand side is not finite at t = {t}: the state left the system's domain")]
    NonFiniteState {
        /// The time.
        t: f64,
    },
    /// The step size fell below what `t` can resolve: the solution is singular (blows up) or
    /// leaves the right-hand side's domain near `t`.
    #[error(
        "ODE solver step size underflow at t = {t} (step {h}): the solution may blow up or leave the system's domain there"
    )]
    StepSizeUnderflow {
        /// The time.
        t: f64,
        /// The last step size tried.
        h: f64,
    },
}

impl OdeError {
    /// A [`ModelError`] at `site`, for a model body whose ODE solution feeds that site.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::ode::OdeError;
    ///
    /// let e = OdeError::StepLimit { max_num_steps: 500, t: 3.5, t_out: 4.0 }.at("y");
    /// assert_eq!(e.site(), "y");
    /// assert!(e.to_string().starts_with("site `y`: ODE solver reached the step limit (500 steps) at t = 3.5"));
    /// ```
    pub fn at(self, site: &'static str) -> ModelError {
        ModelError::new(site, &[], ModelErrorKind::Solver(Box::new(self)))
    }
}

fn time_name(index: Option<usize>) -> String {
    match index {
        Some(i) => format!("`ts[{i}]`"),
        None => "`t0`".to_string(),
    }
}
