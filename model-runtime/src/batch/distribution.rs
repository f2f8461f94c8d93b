//! [`Batch`] as a [`Distribution`]: the log density (see `log_density`),
//! sampling element by element, each element's support, and the transforms to unconstrained
//! coordinates (Stan's `ordered` transform for an ordered site).

use rand::Rng;

use super::log_density::{Data, Own};
use super::mask::MaskArg;
use super::params::Params;
use super::{Batch, Vectorized};
use crate::bijectors::{BijectorError, ForwardMap, Ordered, VectorBijector};
use crate::constraint::Support;
use crate::distribution::{
    DataValue, DensityError, Distribution, PlainValue, Reparameterized, Samplable, Value,
};
use crate::scalar::Scalar;
use crate::value::{PooledVec, ValueKind, Vector};

impl<F: Vectorized, T: Scalar, P: Params<T>, M: MaskArg> Batch<F, T, P, M> {
    fn element_support(&self, i: usize) -> Option<Support<T>> {
        self.params
            .scalars(i, |p| F::build(self.ctor, p))
            .ok()
            .map(|d| d.support())
    }
}

impl<F, T, P, M> Distribution for Batch<F, T, P, M>
where
    F: Vectorized,
    T: Scalar,
    P: Params<T> + Clone,
    M: MaskArg + Clone,
{
    type Scalar = T;
    type Kind = Vector<F::Kind>;
    const NAME: &'static str = F::NAME;
    const CIRCULAR: bool = <F::Element<f64> as Distribution>::CIRCULAR;

    /// The sum of the elements' log densities; `NaN` when an element's parameters are invalid
    /// (handlers call [`Distribution::checked_log_prob`], which names the element).
    fn log_prob(&self, x: &Value<Self>) -> T {
        self.evaluate(Own(x))
            .unwrap_or_else(|_| T::from_f64(f64::NAN))
    }

    fn checked_log_prob(&self, x: &Value<Self>) -> Result<T, DensityError> {
        self.evaluate(Own(x))
    }

    /// Scores the data in place: no copy of them in the body's scalar type, and none into the
    /// kernels' columns when they are real numbers.
    fn checked_log_prob_data(&self, x: &DataValue<Self>) -> Result<T, DensityError> {
        self.evaluate(Data(x))
    }

    /// The support of the first element (each element's own support is used by `constrain`).
    /// Each element against its own scalar family's support (see
    /// [`Distribution::check_observation`]), naming the first invalid element.
    fn check_observation(&self, x: &Value<Self>) -> Result<(), DensityError> {
        let n = self.resolve_len(Some(x.len()))?;
        for (i, xi) in x.iter().enumerate().take(n) {
            let dist = self
                .params
                .scalars(i, |p| F::build(self.ctor, p))
                .map_err(|e| Self::invalid(i, e))?;
            dist.check_observation(xi).map_err(|e| DensityError {
                element: Some(i),
                kind: e.kind,
            })?;
        }
        Ok(())
    }

    /// One log density per element, each from the element's own scalar family (masked
    /// elements give 0), for leave-one-out cross-validation by element.
    fn checked_log_prob_pointwise(
        &self,
        x: &Value<Self>,
        out: &mut Vec<f64>,
    ) -> Result<(), DensityError> {
        let n = self.resolve_len(Some(x.len()))?;
        for (i, xi) in x.iter().enumerate().take(n) {
            if self.mask.keep(i) {
                let dist = self
                    .params
                    .scalars(i, |p| F::build(self.ctor, p))
                    .map_err(|e| Self::invalid(i, e))?;
                out.push(dist.log_prob(xi).value());
            } else {
                out.push(0.0);
            }
        }
        Ok(())
    }

    fn support(&self) -> Support<T> {
        self.element_support(0).unwrap_or(Support::Real)
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        self.checked_sample(rng).ok().flatten()
    }

    fn checked_sample<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<Option<PlainValue<Self>>, DensityError> {
        let n = self.resolve_len(None)?;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let dist = self
                .params
                .plain(i, |p| F::build::<f64>(self.ctor, p))
                .map_err(|e| Self::invalid(i, e))?;
            match dist.sample(rng) {
                Some(v) => out.push(v),
                None => return Ok(None),
            }
        }
        if self.ordered {
            out.sort_by(|a, b| F::Kind::plain_as_real(a).total_cmp(&F::Kind::plain_as_real(b)));
        }
        Ok(Some(out))
    }

    /// Each element's reparameterized draw from its own scalar family; `None` for an ordered
    /// site (sorting is not a reparameterization) or invalid parameters.
    fn rsample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<Value<Self>> {
        if self.ordered {
            return None;
        }
        let n = self.resolve_len(None).ok()?;
        (0..n)
            .map(|i| {
                self.params
                    .scalars(i, |p| F::build(self.ctor, p))
                    .ok()?
                    .rsample(rng)
            })
            .collect()
    }

    fn unconstrained_len(&self) -> usize {
        self.resolve_len(None).unwrap_or(0)
    }

    fn constrain(&self, u: &[T]) -> (Value<Self>, T) {
        if self.ordered {
            // Stan's ordered transform (x_1 = u_1, x_k = x_{k-1} + exp(u_k)), with its
            // log-Jacobian Σ_{k>1} u_k, from the `Ordered` bijector.
            let mut x: PooledVec<T> = u.iter().copied().collect();
            return match Ordered::new(u.len()).forward(u, &mut x) {
                Ok(log_jacobian) => (
                    x.iter().map(|&v| F::Kind::from_scalar(v)).collect(),
                    log_jacobian,
                ),
                Err(_) => (PooledVec::default(), T::from_f64(f64::NAN)),
            };
        }
        let mut log_jacobian = T::from_f64(0.0);
        // Broadcast parameters give every element the same support: build it once.
        let shared = self
            .params
            .lens()
            .iter()
            .all(Option::is_none)
            .then(|| self.element_support(0));
        if let Some(Some(Support::Real)) = shared {
            // The identity map: nothing to compute per element, and no log-Jacobian.
            let values = u.iter().map(|&ui| F::Kind::from_scalar(ui)).collect();
            return (values, log_jacobian);
        }
        let values = u
            .iter()
            .enumerate()
            .map(|(i, &ui)| {
                let support = match &shared {
                    Some(support) => *support,
                    None => self.element_support(i),
                };
                let (x, lj) = match support {
                    Some(support) => support.from_unconstrained(ui),
                    // Invalid parameters: the log density names the element.
                    None => (T::from_f64(f64::NAN), T::from_f64(0.0)),
                };
                log_jacobian += lj;
                F::Kind::from_scalar(x)
            })
            .collect();
        (values, log_jacobian)
    }

    fn unconstrain(&self, x: &PlainValue<Self>, out: &mut Vec<f64>) -> Result<(), f64> {
        if self.ordered {
            let plain: Vec<f64> = x.iter().map(F::Kind::plain_as_real).collect();
            let start = out.len();
            out.resize(start + plain.len(), 0.0);
            return Ordered::new(plain.len())
                .inverse(&plain, &mut out[start..])
                .map_err(|e| match e {
                    BijectorError::NotOrdered { index } => plain[index],
                    _ => f64::NAN,
                });
        }
        for (i, xi) in x.iter().enumerate() {
            let v = F::Kind::plain_as_real(xi);
            self.params
                .plain(i, |p| F::build::<f64>(self.ctor, p))
                .map_err(|_| v)?
                .support()
                .push_unconstrained(v, out)?;
        }
        Ok(())
    }
}

impl<F, T, P, M> Samplable for Batch<F, T, P, M>
where
    F: Vectorized,
    F::Element<f64>: Samplable,
    T: Scalar,
    P: Params<T> + Clone,
    M: MaskArg + Clone,
{
}

impl<F, T, P, M> Reparameterized for Batch<F, T, P, M>
where
    F: Vectorized,
    F::Element<f64>: Reparameterized,
    T: Scalar,
    P: Params<T> + Clone,
    M: MaskArg + Clone,
{
}
