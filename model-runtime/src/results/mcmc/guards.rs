//! Checks before a fit and guards around model code: the observed data checked once, a panic
//! in model code located at its statement, a non-finite start explained by its site.

use crate::error::{ModelError, ModelErrorKind};
use crate::handler::Handler;
use crate::handlers::{CheckObservations, Locate, LogDensity};
use crate::model::Body;
use crate::results::fit::FitError;
use crate::results::model_target::take_panicked_position;
use crate::results::{LocatedPanic, locate_panic, panic_location, panic_message};

/// Checks the observed data once before the chains start, so that a value outside its
/// distribution's support (or not finite) is an error naming the site, element and value
/// rather than a start that is never finite. The model runs at the origin of the unconstrained
/// space, where every latent value is valid; any other failure there is left to the chains,
/// whose start search reports it.
pub(super) fn check_observations<M: Body<f64>>(model: &M) -> Result<(), FitError> {
    let (probe, counted) = run_located(model, LogDensity::<f64>::probe())?;
    match counted {
        // Data of another size than the plate that indexes them: wrong wherever the chains go.
        Err(e) if matches!(e.kind(), ModelErrorKind::PlateData { .. }) => {
            return Err(FitError::Model(e));
        }
        Err(_) => return Ok(()),
        Ok(()) => {}
    }
    let position = vec![0.0; probe.consumed()];
    let check = CheckObservations::new(LogDensity::new(&position));
    match run_located(model, check)?.1 {
        Err(e) if matches!(e.kind(), ModelErrorKind::InvalidObservation { .. }) => {
            Err(FitError::Model(e))
        }
        _ => Ok(()),
    }
}

/// Runs `f`, which evaluates `model`'s gradient target; a panic in model code is raised again
/// with the statement it happened in, found by running the body once more where the target
/// panicked (the body is deterministic given the position, so it panics at the same place).
pub(super) fn located<M: Body<f64>, T>(model: &M, f: impl FnOnce() -> T) -> T {
    // A position left by a panic caught elsewhere on this thread is not this one's.
    take_panicked_position();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let at = take_panicked_position().and_then(|position| locate_panic(model, &position));
        let message = panic_message(payload.as_ref());
        std::panic::resume_unwind(Box::new(LocatedPanic { message, at }))
    })
}

/// Runs the body once under `handler`; a panic in model code becomes
/// [`FitError::Panicked`] naming the statement it happened in.
pub(super) fn run_located<M: Body<f64>, H: Handler<M::Sites, f64>>(
    model: &M,
    handler: H,
) -> Result<(H, Result<(), ModelError>), FitError> {
    let mut located = Locate::new(handler);
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        model.run::<f64, _>(&mut located)
    }));
    match run {
        Ok(result) => Ok((located.into_inner(), result)),
        Err(payload) => Err(FitError::Panicked {
            message: panic_message(payload.as_ref()),
            at: located.last().cloned(),
        }),
    }
}

/// Runs `f`, turning a panic in the model code it runs into [`FitError::Panicked`].
pub(super) fn catching<T>(f: impl FnOnce() -> Result<T, FitError>) -> Result<T, FitError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        Err(FitError::Panicked {
            message: panic_message(payload.as_ref()),
            at: panic_location(payload.as_ref()),
        })
    })
}

/// Explains a non-finite log density by the first site whose term is not finite.
pub(super) fn non_finite_at<M: Body<f64>>(model: &M, u: &[f64], value: f64) -> FitError {
    let mut handler = LogDensity::new(u);
    let site = match model.run::<f64, _>(&mut handler) {
        Ok(()) => handler.first_non_finite().unwrap_or("<gradient>"),
        Err(e) => return FitError::Model(e),
    };
    FitError::Model(ModelError::new(
        site,
        &[],
        ModelErrorKind::NonFinite { value },
    ))
}
