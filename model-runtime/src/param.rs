//! Parameters of user-written variational guides: the `param!` statement.
//!
//! A guide written with `#[model(guide_for = my_model)]` declares the quantities SVI fits with
//! `param!("name", init)` or `param!("name", init, constraint = Support::Positive)`, as
//! NumPyro's `numpyro.param`. Each parameter gets a marker type in the guide's `params` module
//! (`my_guide::params::loc`), by which a fitted guide's values are read
//! ([`GuideFit::param`](crate::svi::GuideFit::param)); a marker of another guide does not
//! compile there. A parameter inside a plate has one value per element; a parameter whose
//! initial value is a `Vec<f64>` is a vector (for `batch::` sites).

use crate::constraint::Support;
use crate::scalar::Scalar;
use crate::site::ModelSites;

/// A `param!` statement of a guide, as a type: its guide, name and position.
pub trait Param: Copy + 'static {
    /// The sites of the guide the parameter belongs to.
    type Guide: ModelSites;
    /// The parameter's name, as written in `param!`.
    const NAME: &'static str;
    /// Its position among the guide's `param!` statements, in program order.
    const INDEX: usize;
}

/// What a `param!` statement may be initialized with: a number, or a vector of numbers.
///
/// # Example
///
/// ```
/// use model_runtime::param::ParamInit;
///
/// assert_eq!(ParamInit::flat(&2.5), vec![2.5]);
/// let v: Vec<f64> = <Vec<f64> as ParamInit>::build(vec![1.0, 2.0]);
/// assert_eq!(v, vec![1.0, 2.0]);
/// ```
#[diagnostic::on_unimplemented(
    message = "a guide parameter cannot start at a `{Self}`",
    label = "the initial value of this `param!`",
    note = "a parameter's initial value is an `f64` (write `1.0`, not `1`) or a `Vec<f64>`, `&[f64]` or `[f64; N]`"
)]
pub trait ParamInit {
    /// The parameter's value when the body runs on scalar `T`.
    type Value<T: Scalar>;
    /// The initial value, flattened.
    fn flat(&self) -> Vec<f64>;
    /// The value from its flattened scalars (as many as [`flat`](ParamInit::flat) gave).
    fn build<T: Scalar>(flat: Vec<T>) -> Self::Value<T>;
}

impl ParamInit for f64 {
    type Value<T: Scalar> = T;
    fn flat(&self) -> Vec<f64> {
        vec![*self]
    }
    fn build<T: Scalar>(flat: Vec<T>) -> T {
        flat[0]
    }
}

impl ParamInit for Vec<f64> {
    type Value<T: Scalar> = Vec<T>;
    fn flat(&self) -> Vec<f64> {
        self.clone()
    }
    fn build<T: Scalar>(flat: Vec<T>) -> Vec<T> {
        flat
    }
}

impl ParamInit for &[f64] {
    type Value<T: Scalar> = Vec<T>;
    fn flat(&self) -> Vec<f64> {
        self.to_vec()
    }
    fn build<T: Scalar>(flat: Vec<T>) -> Vec<T> {
        flat
    }
}

impl<const N: usize> ParamInit for [f64; N] {
    type Value<T: Scalar> = Vec<T>;
    fn flat(&self) -> Vec<f64> {
        self.to_vec()
    }
    fn build<T: Scalar>(flat: Vec<T>) -> Vec<T> {
        flat
    }
}

/// Why a `param!` statement's initial value was rejected.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("parameter `{name}`: initial value {value} is outside its constraint {constraint}")]
pub struct ParamError {
    /// The parameter.
    pub name: &'static str,
    /// The rejected initial value.
    pub value: f64,
    /// The constraint, as a set.
    pub constraint: Support<f64>,
}
