//! The log joint density at given values.

use crate::distribution::{DataValue, Distribution};
use crate::error::{ModelError, ModelErrorKind};
use crate::handler::{DeterministicMsg, FactorMsg, Handler, SampleMsg};
use crate::scalar::Scalar;
use crate::site::{DeterministicSite, ModelSites, SampleSite};

/// Adds up `scale · log p(value)` over all unmasked sites and factors. Every site needs a value:
/// an observation, or a substitution for latent sites.
///
/// # Example
///
/// See [`Handler`](crate::handler::Handler).
#[derive(Debug, Clone, Default)]
pub struct LogJoint<T> {
    pub(crate) total: T,
    pub(crate) first_non_finite: Option<&'static str>,
}

impl<T: Scalar> LogJoint<T> {
    /// A zero total.
    pub fn new() -> Self {
        LogJoint {
            total: T::from_f64(0.0),
            first_non_finite: None,
        }
    }

    /// The accumulated log joint density.
    pub fn log_joint(&self) -> T {
        self.total
    }

    /// The first site or factor whose term was not finite, if any.
    pub fn first_non_finite(&self) -> Option<&'static str> {
        self.first_non_finite
    }

    pub(crate) fn add(&mut self, name: &'static str, term: T, scale: f64, mask: bool) {
        if !mask {
            return;
        }
        if self.first_non_finite.is_none() && !term.value().is_finite() {
            self.first_non_finite = Some(name);
        }
        self.total += if scale == 1.0 { term } else { term * scale };
    }
}

impl<M: ModelSites, T: Scalar> Handler<M, T> for LogJoint<T> {
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        let Some(value) = &msg.value else {
            let kind = if msg.observed {
                ModelErrorKind::MissingObservation
            } else {
                ModelErrorKind::MissingValue
            };
            return Err(ModelError::new(S::NAME, msg.index, kind));
        };
        let term = msg
            .dist
            .checked_log_prob(value)
            .map_err(|e| e.at(S::NAME, msg.index))?;
        self.add(S::NAME, term, msg.scale, msg.mask);
        Ok(())
    }

    /// Scores the data in place ([`Distribution::checked_log_prob_data`]).
    #[inline]
    fn observe<S, D>(
        &mut self,
        dist: &D,
        index: &[usize],
        data: &DataValue<D>,
        scale: f64,
    ) -> Result<bool, ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        let term = dist
            .checked_log_prob_data(data)
            .map_err(|e| e.at(S::NAME, index))?;
        self.add(S::NAME, term, scale, true);
        Ok(true)
    }

    fn factor(&mut self, msg: &mut FactorMsg<'_, T>) -> Result<(), ModelError> {
        self.add(msg.name, msg.value, msg.scale, msg.mask);
        Ok(())
    }

    fn deterministic<S>(&mut self, _msg: &mut DeterministicMsg<'_, T>) -> Result<(), ModelError>
    where
        S: DeterministicSite<Model = M>,
    {
        Ok(())
    }
}
