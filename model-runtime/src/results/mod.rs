//! What a model becomes once it runs: the gradient target inference samples, the fit that
//! holds each chain's typed draws, Predictive's draws, and the files other tools read.
//!
//! The walk from a `sample!` site to every output goes one way. The macro compiles each site
//! into a marker type ([`crate::site`]); the model's log density is a
//! [`GradientTarget`](crate::inference::GradientTarget) through [`model_target`]; [`mcmc`]
//! runs the chains and maps each draw to the typed `Draw` struct, appending it to the model's
//! columns with [`Columns::push_selected`](crate::site::Columns::push_selected); [`fit`] holds
//! the result, with its [`warnings`]; [`log_likelihood`] scores every observation at every draw
//! for PSIS-LOO and WAIC; [`predictive`] runs the model again per draw; [`sbc`] checks a
//! sampler by simulation-based calibration, fitting data simulated from the prior many times;
//! `progress.rs` shows the chains while they run. Every step after sampling (columns, Predictive's site choice, the
//! summary, the log-likelihood, ArviZ's JSON in `arviz.rs`, CmdStan's CSV in `cmdstan.rs`)
//! walks the sites with a [`SiteVisitor`](crate::site::SiteVisitor), by type and index, never
//! by name.

mod arviz;
mod cmdstan;
pub mod fit;
pub mod log_likelihood;
pub mod mcmc;
pub mod model_target;
pub mod predictive;
pub(crate) mod progress;
pub mod sbc;
pub mod warnings;

use crate::handlers::{Evaluating, Locate, LogDensity};
use crate::model::Body;

/// The message of a panic payload (`panic!` with a literal or a formatted message), for the
/// errors that a panic in model code becomes.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(located) = payload.downcast_ref::<LocatedPanic>() {
        located.message.clone()
    } else if let Some(message) = payload.downcast_ref::<&'static str>() {
        (*message).to_string()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic with a payload that is not a message".to_string()
    }
}

/// A panic in model code, caught where the position was known, located by running the body
/// there again (see [`locate_panic`]), and raised again to the chain's catch.
pub(crate) struct LocatedPanic {
    pub message: String,
    pub at: Option<Evaluating>,
}

/// Where a panic payload says the body was, when it was located.
pub(crate) fn panic_location(payload: &(dyn std::any::Any + Send)) -> Option<Evaluating> {
    payload
        .downcast_ref::<LocatedPanic>()
        .and_then(|located| located.at.clone())
}

/// The statement the model body panics in at unconstrained `position`, found by running it
/// there once more under [`Locate`] (the body is deterministic given the position, so it
/// panics at the same place); `None` when it does not panic again.
pub(crate) fn locate_panic<M: Body<f64>>(model: &M, position: &[f64]) -> Option<Evaluating> {
    let mut located = Locate::new(LogDensity::new(position));
    let again = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        model.run::<f64, _>(&mut located)
    }));
    again.is_err().then(|| located.last().cloned()).flatten()
}

/// ` while evaluating `y[3]``, or nothing, for the messages of panics.
pub(crate) fn while_evaluating(at: Option<&Evaluating>) -> String {
    at.map(|at| format!(" while evaluating `{at}`"))
        .unwrap_or_default()
}

/// The model's data as one draw: the observed sites hold the data as given (the latent values
/// are drawn from the prior with a fixed seed and not meant to be used).
pub(crate) fn observed_data<M>(
    model: &M,
) -> Result<<M::Sites as crate::site::ModelSites>::Draw, crate::error::ModelError>
where
    M: crate::model::Model + crate::model::Body<f64>,
{
    use rand::SeedableRng;
    let rng = rand::rngs::ChaCha8Rng::seed_from_u64(0);
    let mut trace = crate::handlers::Trace::new(crate::handlers::Seed::new(rng));
    model.run::<f64, _>(&mut trace)?;
    Ok(trace.into_draw())
}
