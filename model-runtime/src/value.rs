//! The kinds of value a site can hold, and the observation types each kind accepts.
//!
//! A distribution names its [`ValueKind`]; the kind maps a scalar type to the site's value type
//! (`Real` gives `T` itself, `Boolean` gives `bool`, `Count` gives `u64`). The generated site
//! structs store the `f64` form, and `obs =` expressions are checked against the kind at compile
//! time through [`IntoObserved`].

use crate::scalar::Scalar;

pub use pool::PooledVec;

mod pool;

/// How a family of distributions represents its values for a scalar type.
///
/// # Example
///
/// ```
/// use model_runtime::value::{Real, ValueKind};
///
/// let x: <Real as ValueKind>::Plain = 1.5;
/// assert_eq!(<Real as ValueKind>::to_f64(&x), 1.5);
/// ```
pub trait ValueKind: 'static {
    /// The site value when the body runs on scalar `T`.
    type Value<T: Scalar>: Clone + core::fmt::Debug + Default + 'static;
    /// The plain value stored in the typed draw structs (`f64`, `bool`, `u64`, or a `Vec` of
    /// them); the same as `Value<f64>` except for vectors, whose body values are pooled
    /// [`PooledVec`].
    type Plain: Clone + core::fmt::Debug + Default + PartialEq + Send + Sync + 'static;
    /// The pointwise log-likelihood of one observed value: `f64` for a scalar kind, one `f64`
    /// per scored unit for a vector kind (per element for a vectorized site, one for a
    /// multivariate family, whose whole vector is one observation).
    type Pointwise: Clone + core::fmt::Debug + Default + PartialEq + Send + Sync + 'static;
    /// Whether values vary continuously (and so can be fitted by gradient-based inference).
    const CONTINUOUS: bool;
    /// The pointwise log-likelihood from the values a distribution scored (see
    /// [`Distribution::checked_log_prob_pointwise`](crate::distribution::Distribution::checked_log_prob_pointwise)).
    fn pointwise(values: &[f64]) -> Self::Pointwise;
    /// Whether a value is one real scalar that carries a derivative (`Real` only).
    #[doc(hidden)]
    const TRACKED: bool;
    /// Lifts a plain value into scalar `T` (a constant for autodiff types).
    fn from_f64<T: Scalar>(v: &Self::Plain) -> Self::Value<T>;
    /// Drops derivative information.
    fn to_f64<T: Scalar>(v: &Self::Value<T>) -> Self::Plain;
    /// A plain value as a real number (see [`ValueKind::as_real`]).
    fn plain_as_real(v: &Self::Plain) -> f64;
    /// The value as a real number, for summaries and unconstrained coordinates.
    fn as_real<T: Scalar>(v: &Self::Value<T>) -> f64;
    /// Appends every scalar in the value as a real number (one for a scalar kind, one per
    /// element for a vector), for checking observations.
    #[doc(hidden)]
    fn reals_into<T: Scalar>(v: &Self::Value<T>, out: &mut Vec<f64>) {
        out.push(Self::as_real::<T>(v));
    }
    /// The value a real number stands for: itself for `Real`; rounded for discrete kinds, which
    /// gradient-based inference sums out (or refuses) before it would call this.
    fn from_scalar<T: Scalar>(x: T) -> Self::Value<T>;
    /// The `k`-th value of a finite discrete support in its natural order (`false`, `true` for
    /// booleans; `0, 1, ..` for counts), used to sum a discrete latent site out; `None` for
    /// kinds that are not enumerated (real and vector kinds).
    #[doc(hidden)]
    fn enumerated<T: Scalar>(k: u64) -> Option<Self::Value<T>> {
        let _ = k;
        None
    }
    /// The value for another scalar type, with real values made by `seed` (vectorized sites
    /// seed them as dual-number variables).
    #[doc(hidden)]
    fn lift<T: Scalar, D: Scalar>(v: &Self::Value<T>, seed: impl Fn(f64) -> D) -> Self::Value<D>;
    /// The real scalar inside the value, for kinds whose values carry derivatives.
    #[doc(hidden)]
    fn tracked<T: Scalar>(v: &Self::Value<T>) -> Option<T>;
    /// Observed data of this kind as a scoring handler reads them where they lie: the value
    /// itself for a scalar kind, the slice of elements for a vector kind (not copied into a
    /// pooled buffer). See [`Handler::observe`](crate::handler::Handler::observe).
    type Data: ?Sized + 'static;
    /// Data as an owned value (a copy for a vector kind), for handlers that take the site's
    /// value.
    #[doc(hidden)]
    fn data_value(v: &Self::Data) -> Self::Value<f64>;
    /// Data as a value of scalar type `D`, with real values made by `seed` (see
    /// [`ValueKind::lift`]).
    #[doc(hidden)]
    fn lift_data<D: Scalar>(v: &Self::Data, seed: impl Fn(f64) -> D) -> Self::Value<D>;
    /// Values as the scalars themselves without a copy, when a value is its scalar (`Real`
    /// only): a vectorized site's values then reach the tape as one run, and observed data
    /// (`T = f64`) are scored in place.
    #[doc(hidden)]
    #[inline(always)]
    fn scalars<T: Scalar>(values: &[Self::Value<T>]) -> Option<&[T]> {
        let _ = values;
        None
    }
}

/// Real-valued sites: the value is the scalar itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Real;

/// Two-valued sites (Bernoulli): the value is a `bool`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Boolean;

/// Counting sites (Poisson): the value is a `u64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count;

/// Vectors whose elements are of kind `K`: a multivariate family's values (`Vector<Real>`, also
/// written [`Reals`]) and the values of vectorized sites (`Vector<Boolean>` for a batch of
/// Bernoulli observations, `Vector<Count>` for counts). The value is a `Vec` of the element value.
pub struct Vector<K>(core::marker::PhantomData<K>);

impl<K> Clone for Vector<K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K> Copy for Vector<K> {}
impl<K> core::fmt::Debug for Vector<K> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Vector<{}>", core::any::type_name::<K>())
    }
}

/// Real vectors (multivariate normal, Dirichlet, vectorized real sites).
pub type Reals = Vector<Real>;

/// Vectors of booleans (vectorized Bernoulli sites).
pub type Booleans = Vector<Boolean>;

/// Vectors of counts (Multinomial, vectorized Poisson or Binomial sites).
pub type Counts = Vector<Count>;

impl<K: ValueKind> ValueKind for Vector<K> {
    const TRACKED: bool = false;
    type Value<T: Scalar> = PooledVec<K::Value<T>>;
    type Plain = Vec<K::Plain>;
    type Pointwise = Vec<f64>;
    const CONTINUOUS: bool = K::CONTINUOUS;
    fn pointwise(values: &[f64]) -> Vec<f64> {
        values.to_vec()
    }
    fn from_f64<T: Scalar>(v: &Vec<K::Plain>) -> Self::Value<T> {
        v.iter().map(K::from_f64::<T>).collect()
    }
    fn to_f64<T: Scalar>(v: &Self::Value<T>) -> Vec<K::Plain> {
        v.iter().map(K::to_f64::<T>).collect()
    }
    fn plain_as_real(v: &Vec<K::Plain>) -> f64 {
        v.first().map_or(f64::NAN, K::plain_as_real)
    }
    /// The first element: vector families map their coordinates themselves
    /// ([`Distribution::constrain`](crate::distribution::Distribution::constrain)) and do not use
    /// this.
    fn as_real<T: Scalar>(v: &Self::Value<T>) -> f64 {
        v.first().map_or(f64::NAN, K::as_real::<T>)
    }
    fn reals_into<T: Scalar>(v: &Self::Value<T>, out: &mut Vec<f64>) {
        for element in v.iter() {
            K::reals_into::<T>(element, out);
        }
    }
    fn from_scalar<T: Scalar>(x: T) -> Self::Value<T> {
        core::iter::once(K::from_scalar(x)).collect()
    }
    fn lift<T: Scalar, D: Scalar>(v: &Self::Value<T>, seed: impl Fn(f64) -> D) -> Self::Value<D> {
        v.iter().map(|e| K::lift(e, &seed)).collect()
    }
    /// Vectors are not elements of a vectorized site, so nothing is tracked here.
    fn tracked<T: Scalar>(_v: &Self::Value<T>) -> Option<T> {
        None
    }
    type Data = [K::Value<f64>];
    fn data_value(v: &[K::Value<f64>]) -> PooledVec<K::Value<f64>> {
        PooledVec::from_slice(v)
    }
    fn lift_data<D: Scalar>(v: &[K::Value<f64>], seed: impl Fn(f64) -> D) -> Self::Value<D> {
        v.iter().map(|e| K::lift(e, &seed)).collect()
    }
}

impl ValueKind for Real {
    const TRACKED: bool = true;
    type Value<T: Scalar> = T;
    type Plain = f64;
    type Pointwise = f64;
    fn pointwise(values: &[f64]) -> f64 {
        values.iter().sum()
    }
    const CONTINUOUS: bool = true;
    #[inline]
    fn from_f64<T: Scalar>(v: &f64) -> T {
        T::from_f64(*v)
    }
    #[inline]
    fn to_f64<T: Scalar>(v: &T) -> f64 {
        v.value()
    }
    #[inline]
    fn plain_as_real(v: &f64) -> f64 {
        *v
    }
    #[inline]
    fn as_real<T: Scalar>(v: &T) -> f64 {
        v.value()
    }
    #[inline]
    fn from_scalar<T: Scalar>(x: T) -> T {
        x
    }
    #[inline(always)]
    fn lift<T: Scalar, D: Scalar>(v: &T, seed: impl Fn(f64) -> D) -> D {
        seed(v.value())
    }
    #[inline(always)]
    fn tracked<T: Scalar>(v: &T) -> Option<T> {
        Some(*v)
    }
    type Data = f64;
    #[inline(always)]
    fn data_value(v: &f64) -> f64 {
        *v
    }
    #[inline(always)]
    fn lift_data<D: Scalar>(v: &f64, seed: impl Fn(f64) -> D) -> Self::Value<D> {
        seed(*v)
    }
    #[inline(always)]
    fn scalars<T: Scalar>(values: &[T]) -> Option<&[T]> {
        Some(values)
    }
}

impl ValueKind for Boolean {
    const TRACKED: bool = false;
    type Value<T: Scalar> = bool;
    type Plain = bool;
    type Pointwise = f64;
    fn pointwise(values: &[f64]) -> f64 {
        values.iter().sum()
    }
    const CONTINUOUS: bool = false;
    #[inline]
    fn from_f64<T: Scalar>(v: &bool) -> bool {
        *v
    }
    #[inline]
    fn to_f64<T: Scalar>(v: &bool) -> bool {
        *v
    }
    #[inline]
    fn plain_as_real(v: &bool) -> f64 {
        f64::from(u8::from(*v))
    }
    #[inline]
    fn as_real<T: Scalar>(v: &bool) -> f64 {
        f64::from(u8::from(*v))
    }
    #[inline]
    fn from_scalar<T: Scalar>(x: T) -> bool {
        x.value() >= 0.5
    }
    fn enumerated<T: Scalar>(k: u64) -> Option<bool> {
        Some(k == 1)
    }
    #[inline(always)]
    fn lift<T: Scalar, D: Scalar>(v: &bool, _seed: impl Fn(f64) -> D) -> bool {
        *v
    }
    #[inline(always)]
    fn tracked<T: Scalar>(_v: &bool) -> Option<T> {
        None
    }
    type Data = bool;
    #[inline(always)]
    fn data_value(v: &bool) -> bool {
        *v
    }
    #[inline(always)]
    fn lift_data<D: Scalar>(v: &bool, _seed: impl Fn(f64) -> D) -> Self::Value<D> {
        *v
    }
}

impl ValueKind for Count {
    const TRACKED: bool = false;
    type Value<T: Scalar> = u64;
    type Plain = u64;
    type Pointwise = f64;
    fn pointwise(values: &[f64]) -> f64 {
        values.iter().sum()
    }
    const CONTINUOUS: bool = false;
    #[inline]
    fn from_f64<T: Scalar>(v: &u64) -> u64 {
        *v
    }
    #[inline]
    fn to_f64<T: Scalar>(v: &u64) -> u64 {
        *v
    }
    #[inline]
    fn plain_as_real(v: &u64) -> f64 {
        *v as f64
    }
    #[inline]
    fn as_real<T: Scalar>(v: &u64) -> f64 {
        *v as f64
    }
    #[inline]
    fn from_scalar<T: Scalar>(x: T) -> u64 {
        x.value().round().max(0.0) as u64
    }
    fn enumerated<T: Scalar>(k: u64) -> Option<u64> {
        Some(k)
    }
    #[inline(always)]
    fn lift<T: Scalar, D: Scalar>(v: &u64, _seed: impl Fn(f64) -> D) -> u64 {
        *v
    }
    #[inline(always)]
    fn tracked<T: Scalar>(_v: &u64) -> Option<T> {
        None
    }
    type Data = u64;
    #[inline(always)]
    fn data_value(v: &u64) -> u64 {
        *v
    }
    #[inline(always)]
    fn lift_data<D: Scalar>(v: &u64, _seed: impl Fn(f64) -> D) -> Self::Value<D> {
        *v
    }
}

/// An `obs =` expression accepted for sites of kind `K`: a value, a reference to one, or an
/// `Option` of either (`None` leaves the site to be predicted).
///
/// # Example
///
/// ```
/// use model_runtime::value::{IntoObserved, Real};
///
/// let y = [0.5, 1.5];
/// assert_eq!(IntoObserved::<Real>::into_observed(Some(&y[1])), Some(1.5));
/// assert_eq!(IntoObserved::<Real>::into_observed(None::<f64>), None);
///
/// // A handler that only scores a vector of data reads them where they lie.
/// use model_runtime::value::Reals;
/// let obs: &[f64] = &y;
/// let data = IntoObserved::<Reals>::observed_data(&obs).unwrap();
/// assert!(core::ptr::eq(data, obs));
/// assert_eq!(IntoObserved::<Reals>::observed_data(&None::<Vec<f64>>), None);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is the wrong type for an observation of this site, whose values are of kind `{K}`",
    label = "this `obs` value has the wrong type for the site's distribution",
    note = "real-valued distributions observe `f64`, Bernoulli observes `bool`, Poisson observes `u64` (each also as `Option<_>` or a reference); multivariate ones observe `&[f64]` or `Vec<f64>`"
)]
pub trait IntoObserved<K: ValueKind> {
    /// The observed value, or `None` when there is no data for this site.
    fn into_observed(self) -> Option<K::Value<f64>>;
    /// The observed data where they lie, or `None` when there are none: what a handler that
    /// only scores the site reads, with no copy of a vector.
    fn observed_data(&self) -> Option<&K::Data>;
}

macro_rules! observed_impls {
    ($kind:ty, $ty:ty) => {
        impl IntoObserved<$kind> for $ty {
            #[inline]
            fn into_observed(self) -> Option<$ty> {
                Some(self)
            }
            #[inline]
            fn observed_data(&self) -> Option<&$ty> {
                Some(self)
            }
        }
        impl IntoObserved<$kind> for &$ty {
            #[inline]
            fn into_observed(self) -> Option<$ty> {
                Some(*self)
            }
            #[inline]
            fn observed_data(&self) -> Option<&$ty> {
                Some(*self)
            }
        }
        impl IntoObserved<$kind> for Option<$ty> {
            #[inline]
            fn into_observed(self) -> Option<$ty> {
                self
            }
            #[inline]
            fn observed_data(&self) -> Option<&$ty> {
                self.as_ref()
            }
        }
        impl IntoObserved<$kind> for Option<&$ty> {
            #[inline]
            fn into_observed(self) -> Option<$ty> {
                self.copied()
            }
            #[inline]
            fn observed_data(&self) -> Option<&$ty> {
                *self
            }
        }
    };
}
observed_impls!(Real, f64);

/// Vector observations are copied into a pooled buffer where a handler takes the site's value,
/// so observing data allocates nothing once the pool is warm; a handler that only scores them
/// reads them in place ([`IntoObserved::observed_data`]).
macro_rules! observed_vector_impls {
    ($kind:ty, $ty:ty) => {
        impl IntoObserved<Vector<$kind>> for &[$ty] {
            fn into_observed(self) -> Option<PooledVec<$ty>> {
                Some(PooledVec::from_slice(self))
            }
            #[inline]
            fn observed_data(&self) -> Option<&[$ty]> {
                Some(*self)
            }
        }
        impl IntoObserved<Vector<$kind>> for Vec<$ty> {
            fn into_observed(self) -> Option<PooledVec<$ty>> {
                Some(PooledVec::from(self))
            }
            #[inline]
            fn observed_data(&self) -> Option<&[$ty]> {
                Some(self.as_slice())
            }
        }
        impl IntoObserved<Vector<$kind>> for &Vec<$ty> {
            fn into_observed(self) -> Option<PooledVec<$ty>> {
                Some(PooledVec::from_slice(self))
            }
            #[inline]
            fn observed_data(&self) -> Option<&[$ty]> {
                Some(self.as_slice())
            }
        }
        impl<const N: usize> IntoObserved<Vector<$kind>> for &[$ty; N] {
            fn into_observed(self) -> Option<PooledVec<$ty>> {
                Some(PooledVec::from_slice(self))
            }
            #[inline]
            fn observed_data(&self) -> Option<&[$ty]> {
                Some(self.as_slice())
            }
        }
        impl IntoObserved<Vector<$kind>> for Option<&[$ty]> {
            fn into_observed(self) -> Option<PooledVec<$ty>> {
                self.map(PooledVec::from_slice)
            }
            #[inline]
            fn observed_data(&self) -> Option<&[$ty]> {
                *self
            }
        }
        impl IntoObserved<Vector<$kind>> for Option<&Vec<$ty>> {
            fn into_observed(self) -> Option<PooledVec<$ty>> {
                self.map(|v| PooledVec::from_slice(v))
            }
            #[inline]
            fn observed_data(&self) -> Option<&[$ty]> {
                self.map(|v| v.as_slice())
            }
        }
        impl IntoObserved<Vector<$kind>> for Option<Vec<$ty>> {
            fn into_observed(self) -> Option<PooledVec<$ty>> {
                self.map(PooledVec::from)
            }
            #[inline]
            fn observed_data(&self) -> Option<&[$ty]> {
                self.as_deref()
            }
        }
    };
}
observed_vector_impls!(Real, f64);
observed_vector_impls!(Boolean, bool);
observed_vector_impls!(Count, u64);
observed_impls!(Boolean, bool);
observed_impls!(Count, u64);
