//! The runtime interface of generated code. Not public API: `#[model]` reaches the runtime only
//! through `::model_runtime::__private`, so users' imports never matter.

pub use crate::autodiff::Var;
pub use crate::constraint::Support;
pub use crate::distribution::{Distribution, IntoDistribution, Reparameterized, Samplable};
pub use crate::error::{ModelError, ModelErrorKind};
pub use crate::handler::{DeterministicMsg, FactorMsg, Handler, ParamMsg, SampleMsg};
pub use crate::model::{Body, Model};
pub use crate::param::{Param, ParamInit};
pub use crate::reparam::{ReparamOn, Reparameterizable, SlotAt};
pub use crate::scalar::{IntoParam, Scalar};
pub use crate::site::{
    Columns, DeterministicSite, LatentSite, ModelSites, Nested, ObservedSite, Role, SampleSite,
    Site, SiteVisitor,
};
pub use crate::svi::GuideFor;
pub use crate::value::{IntoObserved, ValueKind};

/// How the model keeps the reparameterizer of latent site `S`.
pub type ReparamSlot<S> = <<S as SampleSite>::Dist as Reparameterizable>::Slot;

use crate::distribution::Value;

type BoxedError = Box<dyn std::error::Error + Send + Sync>;

/// The distribution, or its constructor's error naming the site.
#[inline]
fn constructed<S: SampleSite, D>(
    dist: Result<D, BoxedError>,
    index: &[usize],
) -> Result<D, ModelError> {
    dist.map_err(|e| ModelError::new(S::NAME, index, ModelErrorKind::InvalidParameter(e)))
}

/// A latent `sample!` statement.
#[inline]
pub fn sample_latent<S, D, T, H>(
    handler: &mut H,
    index: &[usize],
    dist: Result<D, BoxedError>,
    reparam: &<S::Dist as Reparameterizable>::Slot,
) -> Result<Value<D>, ModelError>
where
    S: SampleSite,
    S::Dist: Reparameterizable,
    <S::Dist as Reparameterizable>::Slot: SlotAt<T, D>,
    D: Distribution<Scalar = T, Kind = S::Kind>,
    T: Scalar,
    H: Handler<S::Model, T>,
{
    let dist = constructed::<S, D>(dist, index)?;
    let mut msg = SampleMsg::new(&dist, index, reparam.reparameterizer());
    handler.sample::<S, D>(&mut msg)?;
    msg.value
        .ok_or_else(|| ModelError::new(S::NAME, index, ModelErrorKind::MissingValue))
}

/// An observed `sample!` statement; `observation` is `None` when the data is absent (the site is
/// then drawn by sampling handlers and missing for scoring ones).
#[inline]
pub fn sample_observed<S, D, T, H>(
    handler: &mut H,
    index: &[usize],
    dist: Result<D, BoxedError>,
    observation: Option<<S::Kind as ValueKind>::Value<f64>>,
) -> Result<Value<D>, ModelError>
where
    S: SampleSite,
    D: Distribution<Scalar = T, Kind = S::Kind>,
    T: Scalar,
    H: Handler<S::Model, T>,
{
    sample_observed_scaled::<S, D, T, H>(handler, index, dist, observation, 1.0)
}

/// An observed `sample!` statement inside subsampled plates: its log density is multiplied by
/// `scale`, the plates' size over their batch, so that the batch's log-likelihood estimates
/// the full data's without bias. With `scale` 1, [`sample_observed`].
#[inline]
pub fn sample_observed_scaled<S, D, T, H>(
    handler: &mut H,
    index: &[usize],
    dist: Result<D, BoxedError>,
    observation: Option<<S::Kind as ValueKind>::Value<f64>>,
    scale: f64,
) -> Result<Value<D>, ModelError>
where
    S: SampleSite,
    D: Distribution<Scalar = T, Kind = S::Kind>,
    T: Scalar,
    H: Handler<S::Model, T>,
{
    let dist = constructed::<S, D>(dist, index)?;
    observed_message::<S, D, T, H>(handler, index, &dist, observation, scale)
}

/// An observed site through [`Handler::sample`], its data lifted into the body's scalar type.
#[inline]
fn observed_message<S, D, T, H>(
    handler: &mut H,
    index: &[usize],
    dist: &D,
    observation: Option<<S::Kind as ValueKind>::Value<f64>>,
    scale: f64,
) -> Result<Value<D>, ModelError>
where
    S: SampleSite,
    D: Distribution<Scalar = T, Kind = S::Kind>,
    T: Scalar,
    H: Handler<S::Model, T>,
{
    let mut msg = SampleMsg::new(dist, index, None);
    msg.observed = true;
    msg.scale = scale;
    msg.value = observation.as_ref().map(|o| S::Kind::lift(o, T::from_f64));
    handler.sample::<S, D>(&mut msg)?;
    msg.value
        .ok_or_else(|| ModelError::new(S::NAME, index, ModelErrorKind::MissingObservation))
}

/// An observed `sample!` statement whose value the body does not read (its result is dropped):
/// a handler that only scores it takes the data as they are ([`Handler::observe`]); any other
/// handler gets the site as [`sample_observed_scaled`] gives it.
#[inline]
pub fn observe_scaled<S, D, T, H>(
    handler: &mut H,
    index: &[usize],
    dist: Result<D, BoxedError>,
    observation: Option<&<S::Kind as ValueKind>::Data>,
    scale: f64,
) -> Result<(), ModelError>
where
    S: SampleSite,
    D: Distribution<Scalar = T, Kind = S::Kind>,
    T: Scalar,
    H: Handler<S::Model, T>,
{
    let dist = constructed::<S, D>(dist, index)?;
    if let Some(data) = observation
        && handler.observe::<S, D>(&dist, index, data, scale)?
    {
        return Ok(());
    }
    // A handler that takes the site's value gets its own copy of the data.
    let observation = observation.map(S::Kind::data_value);
    observed_message::<S, D, T, H>(handler, index, &dist, observation, scale).map(drop)
}

/// The elements a subsampled plate of `size` runs over: the batch the handler chooses, or all
/// of them.
#[inline]
pub fn subsample<M, T, H>(
    handler: &mut H,
    plate: &'static str,
    size: usize,
    batch: usize,
) -> Vec<usize>
where
    M: ModelSites,
    T: Scalar,
    H: Handler<M, T>,
{
    handler
        .subsample(plate, size, batch)
        .unwrap_or_else(|| (0..size).collect())
}

/// A `factor!` statement inside subsampled plates, its value multiplied by `scale` (with
/// `scale` 1, [`factor`]).
#[inline]
pub fn factor_scaled<M, T, H>(
    handler: &mut H,
    name: &'static str,
    index: &[usize],
    value: T,
    scale: f64,
) -> Result<(), ModelError>
where
    M: ModelSites,
    T: Scalar,
    H: Handler<M, T>,
{
    let mut msg = FactorMsg {
        name,
        index,
        value,
        scale,
        mask: true,
    };
    handler.factor(&mut msg)
}

/// The value of an `obs =` expression, checked against the site's value kind.
#[inline]
pub fn observation<S: SampleSite, O: IntoObserved<S::Kind>>(
    obs: O,
) -> Option<<S::Kind as ValueKind>::Value<f64>> {
    obs.into_observed()
}

/// The data of an `obs =` expression where they lie, checked against the site's value kind:
/// for an observed site whose value the body does not read ([`observe_scaled`]).
#[inline]
pub fn observed_data<S: SampleSite, O: IntoObserved<S::Kind>>(
    obs: &O,
) -> Option<&<S::Kind as ValueKind>::Data> {
    obs.observed_data()
}

/// A model argument a plate indexes by its element, for [`check_plate_data`]: its length is
/// known when it is a slice, a `Vec` or an array (or a reference to one), through
/// [`KnownDataLen`], and unknown otherwise, through [`UnknownDataLen`]. Generated code calls
/// `(&&DataLen(&y)).data_len()`, and method resolution picks the first that applies (the
/// known length, whose receiver is one reference deeper).
pub struct DataLen<'a, D: ?Sized>(pub &'a D);

/// Types whose element count a plate can check.
pub trait SliceLike {
    /// The number of elements.
    fn element_count(&self) -> usize;
}

impl<T> SliceLike for [T] {
    fn element_count(&self) -> usize {
        self.len()
    }
}

impl<T> SliceLike for Vec<T> {
    fn element_count(&self) -> usize {
        self.len()
    }
}

impl<T, const N: usize> SliceLike for [T; N] {
    fn element_count(&self) -> usize {
        N
    }
}

impl<D: SliceLike + ?Sized> SliceLike for &D {
    fn element_count(&self) -> usize {
        (**self).element_count()
    }
}

/// The length of data that has one (see [`DataLen`]).
pub trait KnownDataLen {
    /// The number of elements.
    fn data_len(&self) -> Option<usize>;
}

impl<D: SliceLike + ?Sized> KnownDataLen for &DataLen<'_, D> {
    fn data_len(&self) -> Option<usize> {
        Some(self.0.element_count())
    }
}

/// Data whose length is unknown (see [`DataLen`]): not checked.
pub trait UnknownDataLen {
    /// `None`.
    fn data_len(&self) -> Option<usize>;
}

impl<D: ?Sized> UnknownDataLen for DataLen<'_, D> {
    fn data_len(&self) -> Option<usize> {
        None
    }
}

/// Before plate `plate` (inside outer plates at `index`) runs over `size` elements: the model
/// argument `data`, which its body indexes by its element, must have `size` elements.
#[inline]
pub fn check_plate_data(
    plate: &'static str,
    index: &[usize],
    size: usize,
    data: &'static str,
    len: Option<usize>,
) -> Result<(), ModelError> {
    match len {
        Some(len) if len != size => Err(ModelError::new(
            plate,
            index,
            ModelErrorKind::PlateData { data, size, len },
        )),
        _ => Ok(()),
    }
}

/// The body enters a statement or a plate element (see `Handler::enter`).
#[inline(always)]
pub fn enter<M: ModelSites, T: Scalar, H: Handler<M, T>>(
    handler: &mut H,
    name: &'static str,
    index: &[usize],
) {
    handler.enter(name, index);
}

/// A plate element begins: an enumeration scope (see `Handler::enumeration_begin`).
#[inline(always)]
pub fn enumeration_begin<M: ModelSites, T: Scalar, H: Handler<M, T>>(
    handler: &mut H,
    plate: &'static str,
) {
    handler.enumeration_begin(plate);
}

/// A plate element has run: whether to run it again (see `Handler::enumeration_next`).
#[inline(always)]
pub fn enumeration_next<M: ModelSites, T: Scalar, H: Handler<M, T>>(
    handler: &mut H,
) -> Result<bool, ModelError> {
    handler.enumeration_next()
}

/// A `factor!` statement.
#[inline]
pub fn factor<M, T, H>(
    handler: &mut H,
    name: &'static str,
    index: &[usize],
    value: T,
) -> Result<(), ModelError>
where
    M: ModelSites,
    T: Scalar,
    H: Handler<M, T>,
{
    factor_scaled::<M, T, H>(handler, name, index, value, 1.0)
}

/// A `deterministic!` statement; returns the value so the body can use it.
#[inline]
pub fn deterministic<S, T, H>(handler: &mut H, index: &[usize], value: T) -> Result<T, ModelError>
where
    S: DeterministicSite,
    T: Scalar,
    H: Handler<S::Model, T>,
{
    let mut msg = DeterministicMsg {
        index,
        value,
        blocked: false,
    };
    handler.deterministic::<S>(&mut msg)?;
    Ok(value)
}

/// Compile-time check that an observed site's distribution can be sampled.
pub fn assert_samplable<D: Samplable>() {}

/// The position of `name` in `names` (`usize::MAX` if absent), at compile time: a guide's
/// sites are mapped to its model's by name once, when the guide compiles.
pub const fn site_index(names: &[&str], name: &str) -> usize {
    let mut i = 0;
    while i < names.len() {
        let (a, b) = (names[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut k = 0;
            while k < a.len() && a[k] == b[k] {
                k += 1;
            }
            if k == a.len() {
                return i;
            }
        }
        i += 1;
    }
    usize::MAX
}

/// Compile-time check that a guide's site is drawn by a reparameterized sampler.
pub fn assert_reparameterized<D: Reparameterized>() {}

/// A guide's `param!` statement: its value, as the handler gives it (the initial value, or the
/// parameter SVI is fitting).
#[inline]
pub fn param<P, I, T, H>(
    handler: &mut H,
    index: &[usize],
    init: I,
    constraint: Support<f64>,
) -> Result<I::Value<T>, ModelError>
where
    P: Param,
    I: ParamInit,
    T: Scalar,
    H: Handler<P::Guide, T>,
{
    let init = init.flat();
    if let Some(&value) = init.iter().find(|&&x| !constraint.contains(x)) {
        let error = crate::param::ParamError {
            name: P::NAME,
            value,
            constraint,
        };
        return Err(ModelError::new(
            P::NAME,
            index,
            ModelErrorKind::InvalidParameter(Box::new(error)),
        ));
    }
    let mut msg = ParamMsg {
        index,
        init: &init,
        constraint,
        value: Vec::new(),
    };
    handler.param::<P>(&mut msg)?;
    if msg.value.len() != init.len() {
        return Err(ModelError::new(
            P::NAME,
            index,
            ModelErrorKind::LengthMismatch {
                argument: "parameter",
                expected: init.len(),
                found: msg.value.len(),
            },
        ));
    }
    Ok(I::build(msg.value))
}

/// The element of a draw-column at draw `i`, or an error naming the missing site.
pub fn column_entry<V: Clone>(column: &[V], i: usize, site: &'static str) -> Result<V, ModelError> {
    column
        .get(i)
        .cloned()
        .ok_or_else(|| ModelError::new(site, &[i], ModelErrorKind::MissingValue))
}

/// Stands in for a statement the macro rejected, so the rest of the body still type-checks and
/// the user sees the one error that matters. Never runs: the crate does not compile.
pub fn invalid_statement<T: Scalar>() -> T {
    unreachable!("the #[model] macro reported an error for this statement")
}
