//! The kinds of value a site can hold, and the observation types each kind accepts.
//!
//! A distribution names its [`ValueKind`]; the kind maps a scalar type to the site's value type
//! (`Real` gives `T` itself, `Boolean` gives `bool`, `Count` gives `u64`). The generated site
//! structs store the `f64` form, and `obs =` expressions are checked against the kind at compile
//! time through [`IntoObserved`].

use crate::Scalar;

/// How a family of distributions represents its values for a scalar type.
///
/// # Example
///
/// ```
/// use model_runtime::value::{Real, ValueKind};
///
/// let x: <Real as ValueKind>::Value<f64> = 1.5;
/// assert_eq!(<Real as ValueKind>::to_f64(&x), 1.5);
/// ```
pub trait ValueKind: 'static {
    /// The site value when the body runs on scalar `T`.
    type Value<T: Scalar>: Clone + core::fmt::Debug + Default;
    /// Whether values vary continuously (and so can be fitted by gradient-based inference).
    const CONTINUOUS: bool;
    /// Lifts a plain value into scalar `T` (a constant for autodiff types).
    fn from_f64<T: Scalar>(v: &Self::Value<f64>) -> Self::Value<T>;
    /// Drops derivative information.
    fn to_f64<T: Scalar>(v: &Self::Value<T>) -> Self::Value<f64>;
    /// The value as a real number, for summaries and unconstrained coordinates.
    fn as_real<T: Scalar>(v: &Self::Value<T>) -> f64;
    /// The value a real number stands for: itself for `Real`; rounded for discrete kinds, which
    /// gradient-based inference refuses before it would call this.
    fn from_scalar<T: Scalar>(x: T) -> Self::Value<T>;
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

/// Real vectors (multivariate normal): the value is a `Vec` of the scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reals;

impl ValueKind for Reals {
    type Value<T: Scalar> = Vec<T>;
    const CONTINUOUS: bool = true;
    fn from_f64<T: Scalar>(v: &Vec<f64>) -> Vec<T> {
        v.iter().map(|x| T::from_f64(*x)).collect()
    }
    fn to_f64<T: Scalar>(v: &Vec<T>) -> Vec<f64> {
        v.iter().map(|x| x.value()).collect()
    }
    /// The first element: vector families map their coordinates themselves
    /// ([`Distribution::constrain`](crate::Distribution::constrain)) and do not use this.
    fn as_real<T: Scalar>(v: &Vec<T>) -> f64 {
        v.first().map_or(f64::NAN, |x| x.value())
    }
    fn from_scalar<T: Scalar>(x: T) -> Vec<T> {
        vec![x]
    }
}

impl ValueKind for Real {
    type Value<T: Scalar> = T;
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
    fn as_real<T: Scalar>(v: &T) -> f64 {
        v.value()
    }
    #[inline]
    fn from_scalar<T: Scalar>(x: T) -> T {
        x
    }
}

impl ValueKind for Boolean {
    type Value<T: Scalar> = bool;
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
    fn as_real<T: Scalar>(v: &bool) -> f64 {
        f64::from(u8::from(*v))
    }
    #[inline]
    fn from_scalar<T: Scalar>(x: T) -> bool {
        x.value() >= 0.5
    }
}

impl ValueKind for Count {
    type Value<T: Scalar> = u64;
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
    fn as_real<T: Scalar>(v: &u64) -> f64 {
        *v as f64
    }
    #[inline]
    fn from_scalar<T: Scalar>(x: T) -> u64 {
        x.value().round().max(0.0) as u64
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
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is the wrong type for an observation of this site, whose values are of kind `{K}`",
    label = "this `obs` value has the wrong type for the site's distribution",
    note = "real-valued distributions observe `f64`, Bernoulli observes `bool`, Poisson observes `u64` (each also as `Option<_>` or a reference); multivariate ones observe `&[f64]` or `Vec<f64>`"
)]
pub trait IntoObserved<K: ValueKind> {
    /// The observed value, or `None` when there is no data for this site.
    fn into_observed(self) -> Option<K::Value<f64>>;
}

macro_rules! observed_impls {
    ($kind:ty, $ty:ty) => {
        impl IntoObserved<$kind> for $ty {
            #[inline]
            fn into_observed(self) -> Option<$ty> {
                Some(self)
            }
        }
        impl IntoObserved<$kind> for &$ty {
            #[inline]
            fn into_observed(self) -> Option<$ty> {
                Some(*self)
            }
        }
        impl IntoObserved<$kind> for Option<$ty> {
            #[inline]
            fn into_observed(self) -> Option<$ty> {
                self
            }
        }
        impl IntoObserved<$kind> for Option<&$ty> {
            #[inline]
            fn into_observed(self) -> Option<$ty> {
                self.copied()
            }
        }
    };
}
observed_impls!(Real, f64);

impl IntoObserved<Reals> for &[f64] {
    fn into_observed(self) -> Option<Vec<f64>> {
        Some(self.to_vec())
    }
}
impl IntoObserved<Reals> for Vec<f64> {
    fn into_observed(self) -> Option<Vec<f64>> {
        Some(self)
    }
}
impl IntoObserved<Reals> for &Vec<f64> {
    fn into_observed(self) -> Option<Vec<f64>> {
        Some(self.clone())
    }
}
impl IntoObserved<Reals> for Option<&[f64]> {
    fn into_observed(self) -> Option<Vec<f64>> {
        self.map(<[f64]>::to_vec)
    }
}
observed_impls!(Boolean, bool);
observed_impls!(Count, u64);
