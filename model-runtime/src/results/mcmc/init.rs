//! Where chains start: the choices ([`Init`]) and the search for a point where the log density
//! and its gradient are finite.

use rand::RngExt;
use rand::rngs::ChaCha8Rng;

use crate::autodiff::Var;
use crate::handlers::{Seed, Trace};
use crate::inference::GradientTarget;
use crate::model::Body;
use crate::results::fit::FitError;
use crate::results::model_target::ModelTarget;
use crate::site::ModelSites;

use super::guards::non_finite_at;

/// Where chains start, in unconstrained coordinates.
#[derive(Debug, Clone, Default)]
pub enum Init<L> {
    /// Uniform in `(-2, 2)` for every coordinate (Stan's default), retried up to 100 times
    /// until the log density and its gradient are finite.
    #[default]
    Uniform,
    /// The given latent values (mapped to unconstrained coordinates).
    Values(L),
    /// The coordinate-wise median of 101 prior draws (NumPyro's `init_to_median`).
    PriorMedian,
    /// One draw from the prior (NumPyro's `init_to_sample`).
    PriorSample,
}

/// Finds a starting point where the log density and its gradient are finite.
pub(crate) fn initial_position<M: Body<f64> + Body<Var>>(
    model: &M,
    target: &mut ModelTarget<'_, M>,
    init: &Init<<M::Sites as ModelSites>::Latent>,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<f64>, FitError> {
    let dim = target.dim();
    let mut gradient = vec![0.0; dim];
    let mut usable = |u: &[f64]| -> Result<(), FitError> {
        let lp = target
            .log_density_and_gradient(u, &mut gradient)
            .map_err(FitError::Model)?;
        if lp.is_finite() && gradient.iter().all(|g| g.is_finite()) {
            Ok(())
        } else {
            Err(non_finite_at(model, u, lp))
        }
    };
    match init {
        Init::Values(latent) => {
            let u = model.unconstrain(latent).map_err(FitError::Model)?;
            usable(&u)?;
            Ok(u)
        }
        Init::PriorMedian => {
            let mut coordinates: Vec<Vec<f64>> = vec![Vec::new(); dim];
            for _ in 0..101 {
                let draw = prior_latent_draw(model, rng)?;
                let u = model
                    .unconstrain(&<M::Sites as ModelSites>::latent_of(&draw))
                    .map_err(FitError::Model)?;
                for (c, x) in coordinates.iter_mut().zip(u) {
                    c.push(x);
                }
            }
            let u: Vec<f64> = coordinates
                .iter_mut()
                .map(|c| {
                    c.sort_by(f64::total_cmp);
                    c[c.len() / 2]
                })
                .collect();
            usable(&u)?;
            Ok(u)
        }
        Init::PriorSample => {
            let draw = prior_latent_draw(model, rng)?;
            let u = model
                .unconstrain(&<M::Sites as ModelSites>::latent_of(&draw))
                .map_err(FitError::Model)?;
            usable(&u)?;
            Ok(u)
        }
        Init::Uniform => {
            let mut last = None;
            for _ in 0..100 {
                let u: Vec<f64> = (0..dim).map(|_| rng.random_range(-2.0..2.0)).collect();
                match usable(&u) {
                    Ok(()) => return Ok(u),
                    Err(e) => last = Some(e),
                }
            }
            Err(FitError::NoValidStart {
                attempts: 100,
                last: Box::new(last.expect("tried")),
            })
        }
    }
}

/// A draw of the latent sites from the prior, the observed sites keeping their data (not
/// simulated: on a million rows that is the difference between a start in milliseconds and in
/// seconds).
fn prior_latent_draw<M: Body<f64>>(
    model: &M,
    rng: &mut ChaCha8Rng,
) -> Result<<M::Sites as ModelSites>::Draw, FitError> {
    let mut handler = Trace::new(Seed::new(&mut *rng));
    model.run::<f64, _>(&mut handler).map_err(FitError::Model)?;
    Ok(handler.into_draw())
}
