//! The provided effect handlers.
//!
//! Innermost handlers do the work: [`Seed`] draws missing values, [`LogJoint`] adds up the log
//! density at given values, [`LogDensity`] maps an unconstrained vector to site values and adds
//! the log-Jacobians and sums discrete latent sites of finite support out (drawing them back
//! with [`LogDensity::recovering`]), [`Unconstrain`] maps values back. Wrappers change messages on the way:
//! [`Trace`], [`Substitute`], [`Condition`], [`ObserveDraw`], [`Block`], [`Scale`], [`Mask`].
//! [`Observing`] is a model run under [`ObserveDraw`]: a model fitting data it simulated.

mod block;
mod check;
mod condition;
mod enumerate;
mod locate;
mod log_density;
mod log_joint;
mod mask;
mod observe;
mod scale;
mod seed;
mod subsample;
mod substitute;
mod trace;

pub use block::Block;
pub use check::CheckObservations;
pub use condition::Condition;
pub use enumerate::MAX_BRANCHES;
pub use locate::{Evaluating, Locate};
pub use log_density::{LogDensity, Unconstrain};
pub use log_joint::LogJoint;
pub use mask::Mask;
pub use observe::{ObserveDraw, Observing};
pub use scale::Scale;
pub use seed::{Seed, Unobserve};
pub use subsample::Subsample;
pub use substitute::Substitute;
pub use trace::Trace;
