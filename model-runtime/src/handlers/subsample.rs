//! Drawing the batch of a subsampled plate.

use rand::Rng;

use crate::handler::{Handler, forward_handler};
use crate::scalar::Scalar;
use crate::site::ModelSites;

/// Runs every plate written with `subsample = batch` over `batch` of its elements drawn
/// uniformly without replacement (Floyd's algorithm, so a batch of 1000 from 1,000,000 rows
/// costs what the batch costs), a new batch at every run of the model; the log densities
/// inside are scaled by `size / batch` (the macro does that), so the batch's log-likelihood
/// is an unbiased estimate of the full data's: NumPyro's `plate(..., subsample_size=batch)`.
/// [`Svi`](crate::svi::Svi) uses it for every step; without it (MCMC, Predictive) a plate
/// runs over all its elements.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::handlers::{LogJoint, Subsample, Substitute};
/// use rand::SeedableRng;
///
/// #[model]
/// fn mean(y: &[f64]) {
///     let mu = sample!("mu", Normal::new(0.0, 1.0));
///     plate!("data", y.len(), subsample = 10, |i| {
///         sample!("y", Normal::new(mu, 1.0), obs = y[i]);
///     });
/// }
///
/// let y: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.1).sin()).collect();
/// let latent = mean::Latent { mu: 0.2 };
/// let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
/// let mut h = Substitute::new(&latent, Subsample::new(&mut rng, LogJoint::new()));
/// mean(&y).run::<f64, _>(&mut h)?;
/// let batch = h.into_inner().into_inner().log_joint();
/// // Ten rows scaled by 100 estimate the full log-likelihood.
/// assert!(batch.is_finite());
/// # Ok::<(), ModelError>(())
/// ```
#[derive(Debug)]
pub struct Subsample<R, H> {
    rng: R,
    inner: H,
}

impl<R: Rng, H> Subsample<R, H> {
    /// Draws batches with `rng`.
    pub fn new(rng: R, inner: H) -> Self {
        Subsample { rng, inner }
    }

    /// The wrapped handler.
    pub fn into_inner(self) -> H {
        self.inner
    }
}

impl<M: ModelSites, T: Scalar, R: Rng, H: Handler<M, T>> Handler<M, T> for Subsample<R, H> {
    forward_handler!(sample, factor, deterministic, param, enter, enumeration);

    fn subsample(&mut self, _plate: &'static str, size: usize, batch: usize) -> Option<Vec<usize>> {
        if batch >= size {
            return None;
        }
        // In increasing order, so the batch reads the data front to back.
        let mut elements = rand::seq::index::sample(&mut self.rng, size, batch.max(1)).into_vec();
        elements.sort_unstable();
        Some(elements)
    }
}
