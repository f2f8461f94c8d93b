//! Finite mixtures of a vectorized family's components: [`Mixture`].

use core::fmt;

use rand::{Rng, RngExt};

use super::elements::{Elements, backprop_vector};
use super::kernels::{Column, Fused};
use super::log_density::{
    Data, Own, Scored, outside_support, reals_of, three_blocks, with_accumulator,
};
use super::params::Params;
use super::{Batch, BoxedError, NoMask, Vectorized, agree};
use crate::constraint::Support;
use crate::distribution::{DataValue, DensityError, Distribution, PlainValue, Samplable, Value};
use crate::distributions::{MixtureError, SUM_TOLERANCE, plain_support};
use crate::error::ModelErrorKind;
use crate::scalar::Scalar;
use crate::value::{PooledVec, ValueKind, Vector};
use crate::vector_math::{Kernel, Scratch, dispatch, lanes};

/// A finite mixture of a vectorized family: every element of the site is drawn from one mixture
/// of `K` components, `p(x_i) = Σ_k w_k p_k(x_i)`, the component indicators summed out.
///
/// The components are a [`Batch`] of `K` elements (`batch::Normal::new(&mu, &sigma)` with
/// `mu` and `sigma` of length `K`), mixed by [`Batch::mixture`] with probabilities or by
/// [`Batch::mixture_from_logits`] with log weights: NumPyro's
/// `MixtureSameFamily(Categorical(w), Normal(mu, sigma))` observed over a data vector, PyMC's
/// `NormalMixture`, Stan's `log_mix` over a vector.
///
/// # How the single node is computed
///
/// For each component, the family's fused kernel (or forward-mode `Dual`s through the scalar
/// family, where it has none) gives every element's log density `ℓ_ik` and its partials with
/// respect to the component's parameters and the value. One dispatched loop then forms
/// `ln p(x_i) = m_i + ln Σ_k e^(ln w_k + ℓ_ik - m_i)` around the largest term `m_i` and the
/// responsibilities `r_ik = e^(ln w_k + ℓ_ik) / p(x_i)`; the partials of the statement are
/// `Σ_i r_ik ∂ℓ_ik/∂θ_k` for component `k`'s parameters, `Σ_k r_ik ∂ℓ_ik/∂x_i` for a value, and
/// for the weights `Σ_i r_ik / w_k - n / Σ_j w_j` (probabilities, divided by their sum as the
/// scalar [`Mixture`](crate::distributions::Mixture) does) or `Σ_i r_ik - n w_k` (logits). The
/// whole statement is one reverse-mode node, as for [`Batch`].
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// // Three observations from an equal mixture of N(-2, 1) and N(2, 1).
/// let d = batch::Normal::<f64, _>::new(&[-2.0, 2.0][..], 1.0).mixture(vec![0.5, 0.5]);
/// let y = [-1.5, 0.0, 2.5];
/// let by_hand: f64 = y
///     .iter()
///     .map(|&x| {
///         let p = |m: f64| (-0.5 * (x - m) * (x - m)).exp() / (2.0 * std::f64::consts::PI).sqrt();
///         (0.5 * p(-2.0) + 0.5 * p(2.0)).ln()
///     })
///     .sum();
/// assert!((d.log_prob(&PooledVec::from(y.to_vec())) - by_hand).abs() < 1e-12);
/// ```
pub struct Mixture<F: Vectorized, T, P, W> {
    components: Batch<F, T, P>,
    weights: W,
    logits: bool,
    len: Option<usize>,
}

impl<F: Vectorized, T, P: Clone, W: Clone> Clone for Mixture<F, T, P, W> {
    fn clone(&self) -> Self {
        Mixture {
            components: self.components.clone(),
            weights: self.weights.clone(),
            logits: self.logits,
            len: self.len,
        }
    }
}

impl<F: Vectorized, T, P, W> fmt::Debug for Mixture<F, T, P, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mixture")
            .field("components", &self.components)
            .field("logits", &self.logits)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl<F: Vectorized, T: Scalar, P: Params<T>> Batch<F, T, P, NoMask> {
    /// The mixture of this batch's elements as components, with probabilities `weights` (one
    /// per component, each in `[0, 1]`, summing to 1 within 10⁻⁶): each element of the site
    /// is drawn from `Σ_k w_k p_k`. The weights are a slice, a `Vec` or a simplex site's value.
    ///
    /// The vector arguments of the components have one entry per component, so the number of
    /// elements comes from the observation or from [`Mixture::iid`]: give `.iid(y.len())` to an
    /// observed mixture so that its predictions (which have no observation) have as many
    /// elements, as NumPyro's `expand([n])`.
    ///
    /// # Example
    ///
    /// A two-component normal mixture over 1000 observations is one statement (posteriordb's
    /// `low_dim_gauss_mix`):
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// #[model]
    /// fn gauss_mix(y: &[f64]) {
    ///     let mu = sample!("mu", batch::Normal::new(0.0, 2.0).iid(2).ordered());
    ///     let sigma = sample!("sigma", batch::HalfNormal::new(2.0).iid(2));
    ///     let theta = sample!("theta", Beta::new(5.0, 5.0));
    ///     sample!(
    ///         "y",
    ///         batch::Normal::new(&mu, &sigma).mixture(vec![theta, 1.0 - theta]).iid(y.len()),
    ///         obs = y
    ///     );
    /// }
    ///
    /// let model = gauss_mix(&[-1.2, 0.3, 2.5]);
    /// assert_eq!(model.unconstrained_dim().unwrap(), 5);
    ///
    /// // Each element's density is the scalar mixture's.
    /// let d = batch::Normal::new(&[-1.0, 2.0][..], &[1.0, 0.5][..]).mixture(vec![0.3, 0.7]);
    /// let scalar = Mixture::<Normal>::new(vec![0.3, 0.7], vec![Normal::new(-1.0, 1.0)?, Normal::new(2.0, 0.5)?])?;
    /// let lp = d.log_prob(&PooledVec::from(vec![0.5, 1.5]));
    /// assert!((lp - scalar.log_prob(&0.5) - scalar.log_prob(&1.5)).abs() < 1e-12);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn mixture<W: Elements<T>>(self, weights: W) -> Mixture<F, T, P, W> {
        Mixture {
            components: self,
            weights,
            logits: false,
            len: None,
        }
    }

    /// The mixture of this batch's elements with log weights `logits` up to a common constant
    /// (each finite): `w_k = e^(ℓ_k) / Σ_j e^(ℓ_j)`.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// let d = batch::Poisson::<f64, _>::new(&[1.0, 5.0][..]).mixture_from_logits(vec![0.0, 0.0]);
    /// let direct = (0.5 * (-1.0_f64).exp() + 0.5 * (-5.0_f64).exp()).ln();
    /// assert!((d.log_prob(&PooledVec::from(vec![0u64])) - direct).abs() < 1e-14);
    /// ```
    pub fn mixture_from_logits<W: Elements<T>>(self, logits: W) -> Mixture<F, T, P, W> {
        Mixture {
            components: self,
            weights: logits,
            logits: true,
            len: None,
        }
    }
}

impl<F: Vectorized, T: Scalar, P: Params<T>, W: Elements<T>> Mixture<F, T, P, W> {
    /// `n` elements: the length when the site is not observed (NumPyro's `expand([n])`), or a
    /// check of the observation's length.
    ///
    /// # Example
    ///
    /// ```
    /// use model_runtime::prelude::*;
    ///
    /// let d = batch::Normal::<f64, _>::new(&[-1.0, 1.0][..], 0.5).mixture(vec![0.5, 0.5]).iid(4);
    /// assert_eq!(d.unconstrained_len(), 4);
    /// ```
    pub fn iid(mut self, n: usize) -> Self {
        self.len = Some(n);
        self
    }

    /// The number of components `K` and of elements `n`, with every length checked and the
    /// components' supports compared.
    fn shape(&self, value_len: Option<usize>) -> Result<(usize, usize), DensityError> {
        let fail = |kind| DensityError {
            element: None,
            kind,
        };
        if self.components.ordered {
            return Err(invalid(MixtureError::OrderedComponents));
        }
        self.components.params.check().map_err(fail)?;
        self.weights.check().map_err(fail)?;
        let mut k = self.components.len;
        let mut found = |argument, len| agree(&mut k, argument, len);
        let lens = self.components.params.lens();
        let names = F::params(self.components.ctor);
        for (j, name) in names.iter().enumerate().take(P::ARITY) {
            found(name, lens[j])?;
        }
        found("weights", self.weights.length())?;
        let k = k.unwrap_or(1);
        if k == 0 {
            return Err(invalid(MixtureError::NoComponents));
        }
        let mut n = self.len;
        agree(&mut n, "value", value_len)?;
        let n = n.unwrap_or(1);
        let first = plain_support(self.plain_component(0)?.support());
        for j in 1..k {
            if plain_support(self.plain_component(j)?.support()) != first {
                return Err(invalid(MixtureError::SupportsDiffer { index: j }));
            }
        }
        Ok((k, n))
    }

    /// Component `j` with plain parameters.
    fn plain_component(&self, j: usize) -> Result<F::Element<f64>, DensityError> {
        self.components
            .params
            .plain(j, |p| F::build::<f64>(self.components.ctor, p))
            .map_err(|e| invalid_component(j, e))
    }

    /// Component `j` at the body's scalar.
    fn component(&self, j: usize) -> Result<F::Element<T>, DensityError> {
        self.components
            .params
            .scalars(j, |p| F::build(self.components.ctor, p))
            .map_err(|e| invalid_component(j, e))
    }

    /// The normalized log weights, written to `lw` (one per component), and the sum of the
    /// probabilities (1 for logits).
    fn log_weights(&self, lw: &mut [f64]) -> Result<f64, DensityError> {
        for (j, o) in lw.iter_mut().enumerate() {
            *o = self.weights.value(j);
        }
        if self.logits {
            if let Some((index, &logit)) = lw.iter().enumerate().find(|(_, l)| !l.is_finite()) {
                return Err(invalid(MixtureError::LogitNotFinite { index, logit }));
            }
            let ln_total = log_sum_exp(lw);
            lw.iter_mut().for_each(|l| *l -= ln_total);
            return Ok(1.0);
        }
        if let Some((index, &weight)) = lw
            .iter()
            .enumerate()
            .find(|(_, w)| !(**w >= 0.0 && **w <= 1.0))
        {
            return Err(invalid(MixtureError::WeightOutOfRange { index, weight }));
        }
        let sum: f64 = lw.iter().sum();
        if (sum - 1.0).abs() > SUM_TOLERANCE {
            return Err(invalid(MixtureError::WeightsDoNotSumToOne { sum }));
        }
        let ln_sum = sum.ln();
        lw.iter_mut().for_each(|w| *w = w.ln() - ln_sum);
        Ok(sum)
    }

    /// Each element's log density `ln Σ_k w_k p_k(x_i)` with plain numbers, passed to `each`.
    fn each_plain<U: Scalar>(
        &self,
        x: &[<F::Kind as ValueKind>::Value<U>],
        k: usize,
        lw: &[f64],
        mut each: impl FnMut(usize, f64),
    ) -> Result<(), DensityError> {
        let components = (0..k)
            .map(|j| self.component(j))
            .collect::<Result<Vec<_>, _>>()?;
        let mut terms = Scratch::zeroed(k);
        for (i, xi) in x.iter().enumerate() {
            for ((t, c), &w) in terms.iter_mut().zip(&components).zip(lw) {
                *t = w + c.log_prob(&F::Kind::lift(xi, T::from_f64)).value();
            }
            each(i, log_sum_exp(&terms));
        }
        Ok(())
    }

    /// The statement's log density at `scored`: the body's values, or observed data in place.
    fn evaluate<S: Scored<F, T>>(&self, scored: S) -> Result<T, DensityError> {
        let x = scored.values();
        let (k, n) = self.shape(Some(x.len()))?;
        let x = &x[..n];
        let mut lw = Scratch::zeroed(k);
        let weight_sum = self.log_weights(&mut lw)?;
        if !T::DIFFERENTIABLE {
            let mut total = 0.0;
            let mut outside = false;
            self.each_plain(x, k, &lw, |_, lp| {
                outside |= lp == f64::NEG_INFINITY;
                total += lp;
            })?;
            return Ok(if outside {
                outside_support()
            } else {
                T::from_f64(total)
            });
        }
        // Every component's log densities and partials, one block of `n` per quantity:
        // [ℓ, ∂/∂x, r (the responsibilities, filled later), ∂/∂θ_0, ∂/∂θ_1, ∂/∂θ_2].
        let arity = P::ARITY;
        let stride = 3 + arity;
        // Every entry that is read is written first (the kernels fill ℓ, ∂/∂x and the
        // parameters' partials, `Combine` the responsibilities).
        let mut blocks = Scratch::for_overwrite(k * stride * n);
        let mut buffer = Scratch::for_overwrite(n);
        let xs = &reals_of(&scored, &mut buffer)[..n];
        let mut arguments = Scratch::for_overwrite(3 * k);
        let columns = self
            .components
            .params
            .columns(k, three_blocks(&mut arguments, k));
        let ctor = self.components.ctor;
        for (j, block) in blocks.chunks_mut(stride * n).enumerate() {
            let (lp, rest) = block.split_at_mut(n);
            let (dx, rest) = rest.split_at_mut(n);
            let grads = &mut rest[n..];
            let params = columns.map(|c| Column::Scalar(c.get(j)));
            let fused = F::fused(
                ctor,
                Fused {
                    params: &params[..arity],
                    x: xs,
                    grads: three_blocks(grads, n),
                    dx: &mut *dx,
                    lp: &mut *lp,
                },
            );
            if fused.is_none() {
                // No fused kernel (or an invalid parameter, which `build` names): one `Dual`
                // per element through the scalar family, the component built once.
                let dist = P::column_duals(&columns, j, |p| F::build(ctor, p))
                    .map_err(|e| invalid_component(j, e))?;
                for (i, xi) in x.iter().enumerate() {
                    let l = dist.log_prob(&F::Kind::lift(xi, P::seed_value));
                    let partials = P::partials(l);
                    lp[i] = l.value();
                    dx[i] = partials[arity];
                    for (q, g) in grads.chunks_mut(n).enumerate() {
                        g[i] = partials[q];
                    }
                }
            }
        }
        let mut lse = Scratch::for_overwrite(n);
        let (total, outside) = dispatch(Combine {
            lw: &lw,
            blocks: &mut blocks,
            stride,
            lse: &mut lse,
        });
        if outside {
            return Ok(outside_support());
        }
        // The statement's partials: per component, Σ_i r_ik ∂ℓ_ik/∂θ and the weight's; per
        // element, Σ_k r_ik ∂ℓ_ik/∂x_i when the values are tracked.
        let mut partials = Scratch::for_overwrite(arity * k);
        let mut grads = three_blocks(&mut partials, k);
        let mut d_weights = Scratch::zeroed(k);
        let tracked = scored.tracked();
        let mut dx = Scratch::zeroed(if tracked { n } else { 0 });
        for (j, block) in blocks.chunks(stride * n).enumerate() {
            let sums = dispatch(Reduce {
                block,
                n,
                arity,
                lse: &lse,
                dx: &mut dx,
                zero_weight: lw[j] == f64::NEG_INFINITY,
            });
            for (g, s) in grads.iter_mut().zip(sums.d_params).take(arity) {
                g[j] = s;
            }
            let weight = lw[j].exp() * weight_sum;
            d_weights[j] = if self.logits {
                sums.responsibility - n as f64 * weight
            } else if weight > 0.0 {
                sums.responsibility / weight - n as f64 / weight_sum
            } else {
                // `r_ik / w_k` without the division by zero: `Σ_i p_k(x_i) / (S p(x_i))`.
                sums.density_ratio / weight_sum - n as f64 / weight_sum
            };
        }
        let component_inputs = self.components.params.inputs();
        with_accumulator(component_inputs + self.weights.inputs(), |acc| {
            let (acc_c, acc_w) = acc.split_at_mut(component_inputs);
            let [g0, g1, g2] = grads;
            self.components.params.backprop_columns([g0, g1, g2], acc_c);
            backprop_vector(&self.weights, &d_weights, acc_w);
            let (acc_c, acc_w) = (&*acc_c, &*acc_w);
            Ok(T::from_parts(
                total,
                self.components
                    .params
                    .edges(acc_c)
                    .chain(self.weights.edges(acc_w))
                    .chain(scored.edges(&dx)),
            ))
        })
    }
}

/// `ln Σ e^(t_k)` around the largest term (`-∞` when every term is).
fn log_sum_exp(terms: &[f64]) -> f64 {
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY || max.is_nan() {
        return max;
    }
    max + terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln()
}

fn invalid(e: MixtureError) -> DensityError {
    DensityError {
        element: None,
        kind: ModelErrorKind::InvalidParameter(Box::new(e)),
    }
}

fn invalid_component(index: usize, e: BoxedError) -> DensityError {
    invalid(MixtureError::InvalidComponent {
        index,
        message: e.to_string(),
    })
}

/// The log-sum-exp over components of every element, and the responsibilities: fills
/// `lse[i] = ln p(x_i)` and each block's `r` row; returns `Σ_i ln p(x_i)` and whether some
/// element lies outside every component's support.
struct Combine<'a> {
    lw: &'a [f64],
    blocks: &'a mut [f64],
    stride: usize,
    lse: &'a mut [f64],
}

impl Kernel for Combine<'_> {
    type Output = (f64, bool);
    #[inline(always)]
    fn run(mut self) -> (f64, bool) {
        let n = self.lse.len();
        let mut total = [0.0; BLOCK];
        let mut outside = 0u64;
        let whole = n / BLOCK * BLOCK;
        for base in (0..whole).step_by(BLOCK) {
            combine_block::<BLOCK>(&mut self, base, &mut total, &mut outside);
        }
        let mut tail = [0.0; 1];
        for base in whole..n {
            combine_block::<1>(&mut self, base, &mut tail, &mut outside);
        }
        (total.iter().sum::<f64>() + tail[0], outside != 0)
    }
}

/// Elements per block of [`Combine`]: one AVX-512 vector, two AVX2 ones.
const BLOCK: usize = 8;

/// `L` consecutive values of `xs` from `start`.
#[inline(always)]
fn lanes_at<const L: usize>(xs: &mut [f64], start: usize) -> &mut [f64; L] {
    (&mut xs[start..start + L])
        .try_into()
        .expect("the slice has L elements")
}

/// Elements `base..base + L` of [`Combine`], each lane's running sum of `ln p(x_i)` in
/// `total`: the largest term, the shifted exponentials and their sum, the log-sum-exp and the
/// responsibilities, in fixed-size arrays that stay in vector registers (loops over whole
/// slices, one per step, kept the exponentials scalar).
#[inline(always)]
fn combine_block<const L: usize>(
    c: &mut Combine<'_>,
    base: usize,
    total: &mut [f64; L],
    outside: &mut u64,
) {
    let n = c.lse.len();
    let stride = c.stride * n;
    let mut m = [f64::NEG_INFINITY; L];
    for (k, &w) in c.lw.iter().enumerate() {
        let lp = *lanes_at::<L>(c.blocks, k * stride + base);
        for l in 0..L {
            let t = w + lp[l];
            m[l] = if t > m[l] { t } else { m[l] };
        }
    }
    // The shifted exponentials go to the responsibilities' rows, scaled once their sum is known.
    let mut sum = [0.0; L];
    for (k, &w) in c.lw.iter().enumerate() {
        let lp = *lanes_at::<L>(c.blocks, k * stride + base);
        let r = lanes_at::<L>(c.blocks, k * stride + 2 * n + base);
        for l in 0..L {
            r[l] = lanes::exp(w + lp[l] - m[l]);
            sum[l] += r[l];
        }
    }
    let lse = lanes_at::<L>(c.lse, base);
    let mut inv = [0.0; L];
    for l in 0..L {
        *outside |= (m[l] == f64::NEG_INFINITY) as u64;
        lse[l] = m[l] + lanes::ln(sum[l]);
        total[l] += lse[l];
        inv[l] = 1.0 / sum[l];
    }
    for k in 0..c.lw.len() {
        let r = lanes_at::<L>(c.blocks, k * stride + 2 * n + base);
        for l in 0..L {
            r[l] *= inv[l];
        }
    }
}

/// One component's sums for the statement's partials.
struct Sums {
    /// `Σ_i r_ik ∂ℓ_ik/∂θ_q` per parameter `q`.
    d_params: [f64; 3],
    /// `Σ_i r_ik`.
    responsibility: f64,
    /// `Σ_i e^(ℓ_ik - ln p(x_i))`, for a component of weight zero.
    density_ratio: f64,
}

/// The reductions of one component's block (see [`Sums`]), and its share `r_ik ∂ℓ_ik/∂x_i` of
/// each value's partial added to `dx` (when it is not empty).
struct Reduce<'a> {
    block: &'a [f64],
    n: usize,
    arity: usize,
    lse: &'a [f64],
    dx: &'a mut [f64],
    zero_weight: bool,
}

impl Kernel for Reduce<'_> {
    type Output = Sums;
    #[inline(always)]
    fn run(self) -> Sums {
        let Reduce {
            block,
            n,
            arity,
            lse,
            dx,
            zero_weight,
        } = self;
        let lp = &block[..n];
        let d_x = &block[n..2 * n];
        let r = &block[2 * n..3 * n];
        let mut d_params = [0.0; 3];
        for (q, g) in block[3 * n..].chunks(n).take(arity).enumerate() {
            d_params[q] = crate::vector_math::dot(r, g);
        }
        if !dx.is_empty() {
            for ((o, &ri), &d) in dx.iter_mut().zip(r).zip(d_x) {
                *o = ri.mul_add(d, *o);
            }
        }
        let density_ratio = if zero_weight {
            lp.iter().zip(lse).map(|(&l, &s)| lanes::exp(l - s)).sum()
        } else {
            0.0
        };
        Sums {
            d_params,
            responsibility: crate::vector_math::sum(r),
            density_ratio,
        }
    }
}

impl<F, T, P, W> Distribution for Mixture<F, T, P, W>
where
    F: Vectorized,
    T: Scalar,
    P: Params<T> + Clone,
    W: Elements<T> + Clone,
{
    type Scalar = T;
    type Kind = Vector<F::Kind>;
    const NAME: &'static str = "batch::Mixture";
    const CIRCULAR: bool = <F::Element<f64> as Distribution>::CIRCULAR;

    /// The sum of the elements' log densities; `NaN` when a weight or a component is invalid
    /// (handlers call [`Distribution::checked_log_prob`], which names it).
    fn log_prob(&self, x: &Value<Self>) -> T {
        self.evaluate(Own(x))
            .unwrap_or_else(|_| T::from_f64(f64::NAN))
    }

    fn checked_log_prob(&self, x: &Value<Self>) -> Result<T, DensityError> {
        self.evaluate(Own(x))
    }

    /// Scores the data in place, as [`Batch`] does.
    fn checked_log_prob_data(&self, x: &DataValue<Self>) -> Result<T, DensityError> {
        self.evaluate(Data(x))
    }

    /// Each element against the components' common support, naming the first outside it.
    fn check_observation(&self, x: &Value<Self>) -> Result<(), DensityError> {
        self.shape(Some(x.len()))?;
        let first = self.component(0)?;
        for (i, xi) in x.iter().enumerate() {
            first.check_observation(xi).map_err(|e| DensityError {
                element: Some(i),
                kind: e.kind,
            })?;
        }
        Ok(())
    }

    /// One log density per element, `ln Σ_k w_k p_k(x_i)`, for leave-one-out cross-validation
    /// by element.
    fn checked_log_prob_pointwise(
        &self,
        x: &Value<Self>,
        out: &mut Vec<f64>,
    ) -> Result<(), DensityError> {
        let (k, n) = self.shape(Some(x.len()))?;
        let mut lw = Scratch::zeroed(k);
        self.log_weights(&mut lw)?;
        self.each_plain(&x[..n], k, &lw, |_, lp| out.push(lp))
    }

    /// The components' common support.
    fn support(&self) -> Support<T> {
        self.component(0)
            .map(|c| c.support())
            .unwrap_or(Support::Real)
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Option<PlainValue<Self>> {
        self.checked_sample(rng).ok().flatten()
    }

    /// Each element by inversion over the weights, then a draw of the chosen component.
    fn checked_sample<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Result<Option<PlainValue<Self>>, DensityError> {
        let (k, n) = self.shape(None)?;
        let mut lw = Scratch::zeroed(k);
        self.log_weights(&mut lw)?;
        let components = (0..k)
            .map(|j| self.plain_component(j))
            .collect::<Result<Vec<_>, _>>()?;
        let last = lw.iter().rposition(|&w| w > f64::NEG_INFINITY).unwrap_or(0);
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let u: f64 = rng.random();
            let mut cumulative = 0.0;
            // Rounding can leave the cumulative sum just below 1 and u above it: the last
            // component with positive weight.
            let chosen = lw
                .iter()
                .position(|w| {
                    cumulative += w.exp();
                    u < cumulative
                })
                .unwrap_or(last);
            match components[chosen].sample(rng) {
                Some(v) => out.push(v),
                None => return Ok(None),
            }
        }
        Ok(Some(out))
    }

    fn unconstrained_len(&self) -> usize {
        self.shape(None).map_or(0, |(_, n)| n)
    }

    /// Each element through the components' common support's map.
    fn constrain(&self, u: &[T]) -> (Value<Self>, T) {
        let mut log_jacobian = T::from_f64(0.0);
        let Ok(first) = self.component(0) else {
            // Invalid parameters: the log density names them.
            let nan = T::from_f64(f64::NAN);
            return (u.iter().map(|_| F::Kind::from_scalar(nan)).collect(), nan);
        };
        let support = first.support();
        let values: PooledVec<_> = u
            .iter()
            .map(|&ui| {
                let (x, lj) = support.from_unconstrained(ui);
                log_jacobian += lj;
                F::Kind::from_scalar(x)
            })
            .collect();
        (values, log_jacobian)
    }

    fn unconstrain(&self, x: &PlainValue<Self>, out: &mut Vec<f64>) -> Result<(), f64> {
        let support = self.plain_component(0).map_err(|_| f64::NAN)?.support();
        x.iter()
            .try_for_each(|xi| support.push_unconstrained(F::Kind::plain_as_real(xi), out))
    }
}

impl<F, T, P, W> Samplable for Mixture<F, T, P, W>
where
    F: Vectorized,
    F::Element<f64>: Samplable,
    T: Scalar,
    P: Params<T> + Clone,
    W: Elements<T> + Clone,
{
}
