//! Probability distributions, one file each: a validated constructor returning `Result`, a log
//! density generic over the scalar, a sampler, the support, and moments where they exist.

mod normal;

pub use crate::distribution::{
    CircularDistribution, Distribution, IntoDistribution, LocScale, PlainValue, Samplable, Value,
};
pub use normal::{Normal, NormalError};
