//! The log density in unconstrained coordinates, and the map back from values.

use crate::distribution::{DataValue, Distribution};
use crate::error::{ModelError, ModelErrorKind};
use crate::handler::{DeterministicMsg, FactorMsg, Handler, SampleMsg};
use crate::handlers::LogJoint;
use crate::handlers::enumerate::{Choice, Enumeration};
use crate::reparam::{default_constrain, default_map};
use crate::scalar::Scalar;
use crate::site::{DeterministicSite, ModelSites, SampleSite};
use crate::value::ValueKind;

/// The target of gradient-based inference: reads one unconstrained coordinate per latent site
/// element, in program order, maps it onto the site's support (or through the site's
/// reparameterizer) and adds the log density with the log-Jacobian of the map (Stan reference
/// manual, "Constraint transforms"). Observed sites add their log likelihood.
///
/// Latent sites that already have a value (from `Substitute` or `Condition`) consume no
/// coordinate.
///
/// A discrete latent site of finite support (`Bernoulli`, `Categorical`, `Binomial`) has no
/// coordinate either: it is summed out. The plate element it is met in (or the whole body, for a
/// site outside plates) runs once per value, and contributes the log-sum-exp of the runs' log
/// joints, exactly the marginal density with the site summed over. A mixture assignment `z[i]`
/// costs one run of its plate element per component, linear in the data; sites outside plates
/// are enumerated jointly, at one run of the whole body per assignment, at most
/// [`MAX_BRANCHES`](crate::handlers::MAX_BRANCHES) of them. [`LogDensity::recovering`] then
/// draws them back from their conditional posterior.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::handlers::LogDensity;
///
/// #[model]
/// fn scale_only() {
///     sample!("sigma", Exponential::new(1.0));
/// }
///
/// fn main() -> Result<(), ModelError> {
///     let mut h = LogDensity::new(&[0.3]);
///     scale_only().run::<f64, _>(&mut h)?;
///     // sigma = e^0.3; log p(sigma) + log |d sigma / du| = -e^0.3 + 0.3
///     assert!((h.log_density() - (-(0.3f64.exp()) + 0.3)).abs() < 1e-12);
///     assert_eq!(h.consumed(), 1);
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct LogDensity<'a, T> {
    position: &'a [T],
    cursor: usize,
    probe: bool,
    /// Zeros handed out as coordinates when probing.
    zeros: Vec<T>,
    joint: LogJoint<T>,
    jacobian: bool,
    /// Whether sites add their terms; without, only the latent values are computed.
    score: bool,
    enumeration: Enumeration<T>,
}

impl<'a, T: Scalar> LogDensity<'a, T> {
    /// Reads coordinates from `position`.
    pub fn new(position: &'a [T]) -> Self {
        LogDensity {
            position,
            cursor: 0,
            probe: false,
            zeros: Vec::new(),
            joint: LogJoint::new(),
            jacobian: true,
            score: true,
            enumeration: Enumeration::new(Choice::Sum),
        }
    }

    /// Reads coordinates from `position`, and after summing each scope's discrete latent sites
    /// out (see the type's documentation), runs the scope once more with an assignment drawn
    /// from their conditional posterior given the other sites (exact: `exp(ℓ_k − log Σ_j
    /// exp ℓ_j)` over the scope's assignments `k`), so that a [`Trace`](crate::handlers::Trace)
    /// around it records the drawn values; `seed` seeds the draws. The log density is the
    /// marginal all the same.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// use model_runtime::handlers::{LogDensity, Trace};
    ///
    /// #[model]
    /// fn switch(y: f64) {
    ///     let on = sample!("on", Bernoulli::new(0.5));
    ///     sample!("y", Normal::new(if on { 3.0 } else { 0.0 }, 1.0), obs = y);
    /// }
    ///
    /// // y = 3 is 90 times likelier with the switch on (e^4.5): it is almost always drawn on.
    /// let mut on = 0;
    /// for seed in 0..100 {
    ///     let mut h = Trace::new(LogDensity::recovering(&[], seed));
    ///     switch(3.0).run::<f64, _>(&mut h)?;
    ///     on += h.into_draw().on as usize;
    /// }
    /// assert!(on > 90);
    /// # Ok::<(), ModelError>(())
    /// ```
    pub fn recovering(position: &'a [T], seed: u64) -> Self {
        LogDensity {
            enumeration: Enumeration::new(Choice::sample(seed)),
            ..Self::new(position)
        }
    }

    /// As [`recovering`](LogDensity::recovering), but each scope runs again with its most
    /// probable assignment of discrete sites given the other sites.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// use model_runtime::handlers::{LogDensity, Trace};
    ///
    /// #[model]
    /// fn switch(y: f64) {
    ///     let on = sample!("on", Bernoulli::new(0.5));
    ///     sample!("y", Normal::new(if on { 3.0 } else { 0.0 }, 1.0), obs = y);
    /// }
    ///
    /// let mut h = Trace::new(LogDensity::most_probable(&[]));
    /// switch(2.0).run::<f64, _>(&mut h)?;
    /// assert!(h.into_draw().on);
    /// # Ok::<(), ModelError>(())
    /// ```
    pub fn most_probable(position: &'a [T]) -> Self {
        LogDensity {
            enumeration: Enumeration::new(Choice::Map),
            ..Self::new(position)
        }
    }

    /// Reads coordinates from `position` and adds no log-Jacobian: the log density of the
    /// constrained values themselves, whose maximum is the MAP estimate (Stan's `optimize`,
    /// NumPyro's `AutoDelta`), not the mode in unconstrained coordinates.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// use model_runtime::handlers::LogDensity;
    ///
    /// #[model]
    /// fn scale_only() {
    ///     sample!("sigma", Exponential::new(1.0));
    /// }
    ///
    /// let mut h = LogDensity::without_jacobian(&[0.3]);
    /// scale_only().run::<f64, _>(&mut h)?;
    /// assert!((h.log_density() - (-(0.3f64.exp()))).abs() < 1e-12);
    /// # Ok::<(), ModelError>(())
    /// ```
    pub fn without_jacobian(position: &'a [T]) -> Self {
        LogDensity {
            jacobian: false,
            ..Self::new(position)
        }
    }

    /// Reads coordinates from `position` and maps them onto the latent sites' supports without
    /// scoring any site: the values of a draw, at a fraction of the cost of its log density
    /// when observed sites hold much data ([`log_density`](Self::log_density) stays 0). For
    /// models without discrete latent sites, which need the scores to be summed out.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// use model_runtime::handlers::{LogDensity, Trace};
    ///
    /// #[model]
    /// fn scale(y: &[f64]) {
    ///     let sigma = sample!("sigma", Exponential::new(1.0));
    ///     sample!("y", batch::Normal::new(0.0, sigma), obs = y);
    /// }
    ///
    /// let mut h = Trace::new(LogDensity::values_only(&[0.3]));
    /// scale(&[1.0, -2.0]).run::<f64, _>(&mut h)?;
    /// let (draw, inner) = h.into_parts();
    /// assert_eq!(draw.sigma, 0.3f64.exp());
    /// assert_eq!(inner.log_density(), 0.0);
    /// # Ok::<(), ModelError>(())
    /// ```
    pub fn values_only(position: &'a [T]) -> Self {
        LogDensity {
            score: false,
            ..Self::new(position)
        }
    }

    /// Runs with every coordinate zero, however many the model needs; used to count them.
    pub fn probe() -> Self {
        LogDensity {
            position: &[],
            cursor: 0,
            probe: true,
            zeros: Vec::new(),
            joint: LogJoint::new(),
            jacobian: true,
            score: true,
            enumeration: Enumeration::new(Choice::Sum),
        }
    }

    /// The accumulated log density.
    pub fn log_density(&self) -> T {
        self.joint.log_joint()
    }

    /// The number of coordinates read.
    pub fn consumed(&self) -> usize {
        self.cursor
    }

    /// The first site or factor whose term was not finite, if any.
    pub fn first_non_finite(&self) -> Option<&'static str> {
        self.joint.first_non_finite()
    }

    /// The next `n` coordinates (zeros when probing).
    fn next_coordinates(
        &mut self,
        n: usize,
        site: &'static str,
        index: &[usize],
    ) -> Result<&[T], ModelError> {
        let start = self.cursor;
        self.cursor += n;
        if self.probe {
            self.zeros.resize(n, T::from_f64(0.0));
            return Ok(&self.zeros[..n]);
        }
        self.position.get(start..self.cursor).ok_or_else(|| {
            ModelError::new(
                site,
                index,
                ModelErrorKind::DimensionMismatch {
                    expected: self.cursor,
                    found: self.position.len(),
                },
            )
        })
    }
}

impl<M: ModelSites, T: Scalar> Handler<M, T> for LogDensity<'_, T> {
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        if msg.observed && msg.value.is_none() && self.probe {
            // Counting coordinates does not need the data; any value lets the body go on.
            msg.value = Some(Default::default());
            return Ok(());
        }
        if msg.value.is_some() || msg.observed {
            if !self.score {
                return Ok(());
            }
            return Handler::<M, T>::sample::<S, D>(&mut self.joint, msg);
        }
        if !S::Kind::CONTINUOUS {
            // Summed out: this branch's value, scored like a substituted one.
            let size = msg.dist.enumerable_len();
            let k = self.enumeration.value(S::NAME, msg.index, size)?;
            let value = S::Kind::enumerated::<T>(k)
                .ok_or_else(|| ModelError::new(S::NAME, msg.index, ModelErrorKind::MissingValue))?;
            msg.value = Some(value);
            return Handler::<M, T>::sample::<S, D>(&mut self.joint, msg);
        }
        let dist = msg.dist;
        let (jacobian, score) = (self.jacobian, self.score);
        // The default map is called statically, so that it inlines on the common path.
        let constrained = match msg.reparam {
            None => {
                let u = self.next_coordinates(dist.unconstrained_len(), S::NAME, msg.index)?;
                if score {
                    default_constrain(dist, u, jacobian)
                } else {
                    default_map(dist, u)
                }
            }
            Some(reparam) => {
                let len = reparam.unconstrained_len(dist);
                let u = self.next_coordinates(len, S::NAME, msg.index)?;
                reparam.constrain(dist, u, jacobian)
            }
        };
        let (value, term) = constrained.map_err(|e| e.at(S::NAME, msg.index))?;
        msg.value = Some(value);
        if self.score {
            self.joint.add(S::NAME, term, msg.scale, msg.mask);
        }
        Ok(())
    }

    /// Scores the data in place, as [`LogJoint`] does (nothing when only the values are
    /// wanted).
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
        if !self.score {
            return Ok(true);
        }
        Handler::<M, T>::observe::<S, D>(&mut self.joint, dist, index, data, scale)
    }

    fn factor(&mut self, msg: &mut FactorMsg<'_, T>) -> Result<(), ModelError> {
        if !self.score {
            return Ok(());
        }
        Handler::<M, T>::factor(&mut self.joint, msg)
    }

    fn deterministic<S>(&mut self, _msg: &mut DeterministicMsg<'_, T>) -> Result<(), ModelError>
    where
        S: DeterministicSite<Model = M>,
    {
        Ok(())
    }

    #[inline(always)]
    fn enumeration_begin(&mut self, _scope: &'static str) {
        if M::DISCRETE_LATENT {
            self.enumeration.begin(&self.joint, self.cursor);
        }
    }

    #[inline(always)]
    fn enumeration_next(&mut self) -> Result<bool, ModelError> {
        if M::DISCRETE_LATENT {
            self.enumeration.next(&mut self.joint, &mut self.cursor)
        } else {
            Ok(false)
        }
    }
}

/// The inverse of [`LogDensity`]'s map: wrapped around a handler that supplies latent values
/// (`Substitute`), collects each latent element's unconstrained coordinate, in the order
/// `LogDensity` reads them. Used to start inference from given values.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::handlers::{Substitute, Unconstrain};
///
/// #[model]
/// fn scale_only() {
///     sample!("sigma", Exponential::new(1.0));
/// }
///
/// fn main() -> Result<(), ModelError> {
///     let latent = scale_only::Latent { sigma: 2.0 };
///     let mut h = Substitute::new(&latent, Unconstrain::new());
///     scale_only().run::<f64, _>(&mut h)?;
///     assert_eq!(h.into_inner().into_coordinates(), vec![2f64.ln()]);
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Unconstrain {
    coordinates: Vec<f64>,
}

impl Unconstrain {
    /// An empty collection.
    pub fn new() -> Self {
        Unconstrain::default()
    }

    /// The coordinates, in program order.
    pub fn into_coordinates(self) -> Vec<f64> {
        self.coordinates
    }
}

impl<M: ModelSites> Handler<M, f64> for Unconstrain {
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = f64, Kind = S::Kind>,
    {
        if msg.observed {
            return Ok(());
        }
        if !S::Kind::CONTINUOUS {
            // Discrete latent sites are summed out: they have no coordinate. One with no value
            // given takes the first value of its support, so that the body can go on.
            if msg.value.is_none() {
                msg.value = S::Kind::enumerated::<f64>(0);
            }
            return Ok(());
        }
        let value = msg
            .value
            .as_ref()
            .ok_or_else(|| ModelError::new(S::NAME, msg.index, ModelErrorKind::MissingValue))?;
        let plain = S::Kind::to_f64::<f64>(value);
        match msg.reparam {
            None => msg.dist.unconstrain(&plain, &mut self.coordinates),
            Some(reparam) => reparam.unconstrain(msg.dist, &plain, &mut self.coordinates),
        }
        .map_err(|x| {
            ModelError::new(
                S::NAME,
                msg.index,
                ModelErrorKind::OutOfSupport { value: x },
            )
        })
    }

    fn factor(&mut self, _msg: &mut FactorMsg<'_, f64>) -> Result<(), ModelError> {
        Ok(())
    }

    fn deterministic<S>(&mut self, _msg: &mut DeterministicMsg<'_, f64>) -> Result<(), ModelError>
    where
        S: DeterministicSite<Model = M>,
    {
        Ok(())
    }
}
