//! Effect handlers: values that give `sample!`, `factor!` and `deterministic!` their meaning.
//!
//! A model body calls its handler at every statement. Handlers wrap handlers
//! (`Trace<Substitute<Seed<R>>>`): a wrapper adjusts the message on the way in (substitute a
//! value, scale a log density), passes it to the handler it wraps, and reads the result on the
//! way out (record it). The innermost handler does the work: draw a value ([`Seed`]), or add up
//! the log density ([`LogJoint`], [`LogDensity`]). Everything is monomorphized: no dynamic
//! dispatch, no string hashing and no allocation per site.
//!
//! [`Seed`]: crate::handlers::Seed
//! [`LogJoint`]: crate::handlers::LogJoint
//! [`LogDensity`]: crate::handlers::LogDensity

use crate::constraint::Support;
use crate::distribution::{DataValue, Distribution, Value};
use crate::error::ModelError;
use crate::param::Param;
use crate::reparam::ReparamAt;
use crate::scalar::Scalar;
use crate::site::{DeterministicSite, ModelSites, SampleSite};

/// A `sample!` statement on its way through the handlers.
#[derive(Debug)]
pub struct SampleMsg<'a, D: Distribution> {
    /// The site's distribution at this point of the program.
    pub dist: &'a D,
    /// Indices of the enclosing plates, outermost first.
    pub index: &'a [usize],
    /// The value, once a handler has supplied one (observation, substitution or draw).
    pub value: Option<Value<D>>,
    /// Whether the value is data (observed sites, or sites made observed by `Condition`).
    pub observed: bool,
    /// Multiplier of the site's log density.
    pub scale: f64,
    /// Whether the site's log density counts.
    pub mask: bool,
    /// Set by `Block`: handlers outside it must ignore this site.
    pub blocked: bool,
    /// The site's reparameterizer; `None` (always for observed sites) explores the site through
    /// its support's bijection.
    pub reparam: Option<&'a dyn ReparamAt<D::Scalar, D>>,
}

impl<'a, D: Distribution> SampleMsg<'a, D> {
    /// A message for a site with no value yet.
    pub fn new(
        dist: &'a D,
        index: &'a [usize],
        reparam: Option<&'a dyn ReparamAt<D::Scalar, D>>,
    ) -> Self {
        SampleMsg {
            dist,
            index,
            value: None,
            observed: false,
            scale: 1.0,
            mask: true,
            blocked: false,
            reparam,
        }
    }
}

/// A `factor!` statement: a term added to the log density.
#[derive(Debug, Clone, Copy)]
pub struct FactorMsg<'a, T> {
    /// The factor's name.
    pub name: &'static str,
    /// Indices of the enclosing plates.
    pub index: &'a [usize],
    /// The log-density term.
    pub value: T,
    /// Multiplier of the term.
    pub scale: f64,
    /// Whether the term counts.
    pub mask: bool,
}

/// A `deterministic!` statement: a value computed from other sites, recorded in draws.
#[derive(Debug, Clone, Copy)]
pub struct DeterministicMsg<'a, T> {
    /// Indices of the enclosing plates.
    pub index: &'a [usize],
    /// The value.
    pub value: T,
    /// Set by `Block`: handlers outside it must ignore this site.
    pub blocked: bool,
}

/// A `param!` statement of a variational guide: a quantity the optimizer fits.
#[derive(Debug)]
pub struct ParamMsg<'a, T> {
    /// Indices of the enclosing plates, outermost first.
    pub index: &'a [usize],
    /// The initial value, constrained, flattened (one number for a scalar parameter).
    pub init: &'a [f64],
    /// The set the parameter lives in; the optimizer works on its unconstrained image.
    pub constraint: Support<f64>,
    /// The value, one scalar per element of `init`, once a handler has supplied it.
    pub value: Vec<T>,
}

/// Gives meaning to the statements of models whose sites are `M`, computing with scalar `T`.
///
/// Wrappers forward each call to the handler they wrap; see the module documentation.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::handlers::{LogJoint, Substitute};
///
/// #[model]
/// fn coin(flips: &[bool]) {
///     let p = sample!("p", Beta::new(2.0, 2.0));
///     plate!("flips", flips.len(), |i| {
///         sample!("flip", Bernoulli::new(p), obs = flips[i]);
///     });
/// }
///
/// fn main() -> Result<(), ModelError> {
///     let flips = [true, true, false];
///     let latent = coin::Latent { p: 0.5 };
///     let mut handler = Substitute::new(&latent, LogJoint::new());
///     coin(&flips).run::<f64, _>(&mut handler)?;
///     let log_joint = handler.into_inner().log_joint();
///     let expected = Beta::new(2.0, 2.0).unwrap().log_prob(&0.5) + 3.0 * 0.5f64.ln();
///     assert!((log_joint - expected).abs() < 1e-12);
///     Ok(())
/// }
/// ```
pub trait Handler<M: ModelSites, T: Scalar> {
    /// Handles a `sample!` statement; on success `msg.value` is set.
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>;

    /// Handles a `factor!` statement.
    fn factor(&mut self, msg: &mut FactorMsg<'_, T>) -> Result<(), ModelError>;

    /// Handles a `deterministic!` statement.
    fn deterministic<S>(&mut self, msg: &mut DeterministicMsg<'_, T>) -> Result<(), ModelError>
    where
        S: DeterministicSite<Model = M>;

    /// Chooses the elements a plate with `subsample = batch` runs over, of its `size`
    /// (`plate` is its name). `None`, the default, runs every element unscaled: MCMC,
    /// Predictive and scoring see the full data. Handlers that wrap another forward this;
    /// [`Subsample`](crate::handlers::Subsample) draws a random batch.
    fn subsample(&mut self, plate: &'static str, size: usize, batch: usize) -> Option<Vec<usize>> {
        let _ = (plate, size, batch);
        None
    }

    /// Handles a guide's `param!` statement: sets `msg.value`. The default gives the initial
    /// value; SVI's handlers give the parameter being optimized. Handlers that wrap another
    /// forward this.
    fn param<P: Param<Guide = M>>(&mut self, msg: &mut ParamMsg<'_, T>) -> Result<(), ModelError> {
        msg.value = msg.init.iter().map(|&x| T::from_f64(x)).collect();
        Ok(())
    }

    /// An observed site whose value the body does not read (a `sample!` statement whose result
    /// is dropped), with its data as plain values where they lie (the model's own slice for a
    /// vectorized site, see [`ValueKind::Data`](crate::value::ValueKind::Data)): a handler that
    /// only scores the site may do so here, without copying the data or lifting them into `T`
    /// (a copy of every element, and for vectorized sites a second one into the kernels'
    /// columns), and return `Ok(true)`. The default
    /// returns `Ok(false)`, and the site goes through [`Handler::sample`] as any observed site
    /// does. Wrappers do not forward this: one that scales, masks, records or conditions the
    /// site needs its message, so only a scoring handler called directly takes this path.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    /// use model_runtime::handlers::{LogJoint, Substitute};
    ///
    /// #[model]
    /// fn normal(y: &[f64]) {
    ///     let mu = sample!("mu", Normal::new(0.0, 1.0));
    ///     sample!("y", batch::Normal::new(mu, 1.0), obs = y);
    /// }
    ///
    /// let y = [0.5, -1.0];
    /// let latent = normal::Latent { mu: 0.25 };
    /// // `LogJoint` scores `y` from the data in place; `Substitute` does not forward the
    /// // call, so `LogJoint` gets `y` through `sample` instead. Both add the same term.
    /// let mut direct = LogJoint::new();
    /// let model = normal(&y);
    /// model.run::<f64, _>(&mut Substitute::new(&latent, &mut direct))?;
    /// let expected = Normal::new(0.0, 1.0)?.log_prob(&0.25)
    ///     + y.iter().map(|&v| Normal::new(0.25, 1.0).unwrap().log_prob(&v)).sum::<f64>();
    /// assert!((direct.log_joint() - expected).abs() < 1e-12);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline(always)]
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
        let _ = (dist, index, data, scale);
        Ok(false)
    }

    /// The body is about to evaluate the statement of site `site` (its arguments, then the
    /// site itself) inside plates at `index`, outermost first. The default does nothing and
    /// compiles to nothing, so the gradient pays nothing for it;
    /// [`Locate`](crate::handlers::Locate) keeps the last one, so that a panic in model code
    /// can name the site and element it happened at. Handlers that wrap another forward this.
    #[inline(always)]
    fn enter(&mut self, site: &'static str, index: &[usize]) {
        let _ = (site, index);
    }

    /// An enumeration scope begins: a plate element, or (from [`Model::run`]) the whole body.
    /// The body runs the scope again for as long as
    /// [`enumeration_next`](Handler::enumeration_next) says so, which lets a handler that sums
    /// discrete latent sites out ([`LogDensity`](crate::handlers::LogDensity)) run it once per
    /// value of the discrete sites first met inside it. The default does nothing and compiles
    /// to nothing. Handlers that wrap another forward this.
    ///
    /// [`Model::run`]: crate::model::Model::run
    #[inline(always)]
    fn enumeration_begin(&mut self, scope: &'static str) {
        let _ = scope;
    }

    /// The scope begun last has run once more: whether to run it again. The default, `false`,
    /// runs every scope once. Handlers that wrap another forward this.
    #[inline(always)]
    fn enumeration_next(&mut self) -> Result<bool, ModelError> {
        Ok(false)
    }
}

/// A handler borrowed mutably handles statements as the handler itself does, so that a model
/// wrapper can put a handler of its own around the one its caller passed without taking it
/// (see [`Observing`](crate::handlers::Observing)).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
/// use model_runtime::handlers::{LogJoint, Scale, Substitute};
///
/// #[model]
/// fn one() {
///     sample!("x", Normal::new(0.0, 1.0));
/// }
///
/// let latent = one::Latent { x: 0.5 };
/// let mut log_joint = LogJoint::new();
/// // Score twice through borrowed handlers; the second time scaled by 2.
/// one().run::<f64, _>(&mut Substitute::new(&latent, &mut log_joint))?;
/// one().run::<f64, _>(&mut Substitute::new(&latent, Scale::new(2.0, &mut log_joint)))?;
/// let once = Normal::new(0.0, 1.0).unwrap().log_prob(&0.5);
/// assert!((log_joint.log_joint() - 3.0 * once).abs() < 1e-12);
/// # Ok::<(), ModelError>(())
/// ```
impl<M: ModelSites, T: Scalar, H: Handler<M, T>> Handler<M, T> for &mut H {
    #[inline]
    fn sample<S, D>(&mut self, msg: &mut SampleMsg<'_, D>) -> Result<(), ModelError>
    where
        S: SampleSite<Model = M>,
        D: Distribution<Scalar = T, Kind = S::Kind>,
    {
        (**self).sample::<S, D>(msg)
    }

    #[inline]
    fn factor(&mut self, msg: &mut FactorMsg<'_, T>) -> Result<(), ModelError> {
        (**self).factor(msg)
    }

    #[inline]
    fn deterministic<S>(&mut self, msg: &mut DeterministicMsg<'_, T>) -> Result<(), ModelError>
    where
        S: DeterministicSite<Model = M>,
    {
        (**self).deterministic::<S>(msg)
    }

    fn subsample(&mut self, plate: &'static str, size: usize, batch: usize) -> Option<Vec<usize>> {
        (**self).subsample(plate, size, batch)
    }

    fn param<P: Param<Guide = M>>(&mut self, msg: &mut ParamMsg<'_, T>) -> Result<(), ModelError> {
        (**self).param::<P>(msg)
    }

    #[inline(always)]
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
        (**self).observe::<S, D>(dist, index, data, scale)
    }

    #[inline(always)]
    fn enter(&mut self, site: &'static str, index: &[usize]) {
        (**self).enter(site, index);
    }

    #[inline(always)]
    fn enumeration_begin(&mut self, scope: &'static str) {
        (**self).enumeration_begin(scope);
    }

    #[inline(always)]
    fn enumeration_next(&mut self) -> Result<bool, ModelError> {
        (**self).enumeration_next()
    }
}

/// Implements the forwarding of the `Handler` methods a wrapper does not change.
macro_rules! forward_handler {
    (sample) => {
        fn sample<S, D>(
            &mut self,
            msg: &mut $crate::handler::SampleMsg<'_, D>,
        ) -> Result<(), $crate::error::ModelError>
        where
            S: $crate::site::SampleSite<Model = M>,
            D: $crate::distribution::Distribution<Scalar = T, Kind = S::Kind>,
        {
            self.inner.sample::<S, D>(msg)
        }
    };
    (factor) => {
        fn factor(
            &mut self,
            msg: &mut $crate::handler::FactorMsg<'_, T>,
        ) -> Result<(), $crate::error::ModelError> {
            self.inner.factor(msg)
        }
    };
    (subsample) => {
        fn subsample(
            &mut self,
            plate: &'static str,
            size: usize,
            batch: usize,
        ) -> Option<Vec<usize>> {
            self.inner.subsample(plate, size, batch)
        }
    };
    (param) => {
        fn param<P: $crate::param::Param<Guide = M>>(
            &mut self,
            msg: &mut $crate::handler::ParamMsg<'_, T>,
        ) -> Result<(), $crate::error::ModelError> {
            self.inner.param::<P>(msg)
        }
    };
    (enter) => {
        #[inline(always)]
        fn enter(&mut self, site: &'static str, index: &[usize]) {
            self.inner.enter(site, index);
        }
    };
    (enumeration) => {
        #[inline(always)]
        fn enumeration_begin(&mut self, scope: &'static str) {
            self.inner.enumeration_begin(scope);
        }
        #[inline(always)]
        fn enumeration_next(&mut self) -> Result<bool, $crate::error::ModelError> {
            self.inner.enumeration_next()
        }
    };
    (deterministic) => {
        fn deterministic<S>(
            &mut self,
            msg: &mut $crate::handler::DeterministicMsg<'_, T>,
        ) -> Result<(), $crate::error::ModelError>
        where
            S: $crate::site::DeterministicSite<Model = M>,
        {
            self.inner.deterministic::<S>(msg)
        }
    };
    ($first:ident, $($rest:ident),+ $(,)?) => {
        forward_handler!($first);
        forward_handler!($($rest),+);
    };
}
pub(crate) use forward_handler;
