//! Fallbacks for the model statements used outside a `#[model]` function.
//!
//! Inside a `#[model]` function the attribute rewrites `sample!`, `plate!`, `deterministic!` and
//! `factor!` before these definitions are ever seen; anywhere else they expand to an error that
//! says so.

/// A random variable: `sample!("name", Dist::new(..))` or, for data,
/// `sample!("name", Dist::new(..), obs = value)`. Only inside a `#[model]` function.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn m(y: f64) {
///     let mu = sample!("mu", Normal::new(0.0, 1.0));
///     sample!("y", Normal::new(mu, 1.0), obs = y);
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! sample {
    ($($tokens:tt)*) => {
        ::core::compile_error!(
            "`sample!` can only be used inside a `#[model]` function; add `#[model]` to the enclosing function"
        )
    };
}

/// Conditionally independent repetitions: `plate!("name", size, |i| { .. })` runs the block for
/// `i` in `0..size`; sites inside become vectors. It evaluates to the `Vec` of the block's values,
/// so `let beta = plate!("k", d, |k| sample!("beta", Normal::new(0.0, 1.0)));` gives the vector
/// of a vector-valued site. Nestable. Only inside a `#[model]` function.
///
/// `plate!("data", n, subsample = batch, |i| { .. })` marks a plate of observations that SVI
/// may run over a random batch of `batch` elements per step, scaling their log-likelihood by
/// `n / batch` ([`Subsample`](crate::handlers::Subsample), NumPyro's `subsample_size`); MCMC and
/// Predictive run it in full. Only observed sites and factors may be inside it (a latent site
/// there is a compile error).
///
/// Data the block indexes by the plate's element (`y[i]`, with `y` a model argument that is a
/// slice, a `Vec` or an array) are checked before the plate runs: another number of elements
/// than the plate's size is an error naming the plate and the argument (``plate `data`: 4
/// elements, indexing `y` by its element, but `y` has 3``), not a panic at the last element or
/// data silently left out. Other indices (`y[n - 1 - i]`) are not checked; a panic there is
/// reported at the site and element it happened in.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn m(y: &[f64]) {
///     let mu = sample!("mu", Normal::new(0.0, 1.0));
///     let offsets = plate!("groups", 2, |g| sample!("offset", Normal::new(0.0, 1.0)));
///     plate!("data", y.len(), |i| {
///         sample!("y", Normal::new(mu + offsets[i % 2], 1.0), obs = y[i]);
///     });
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! plate {
    ($($tokens:tt)*) => {
        ::core::compile_error!(
            "`plate!` can only be used inside a `#[model]` function; add `#[model]` to the enclosing function"
        )
    };
}

/// A value computed from other sites and recorded in draws: `deterministic!("name", expr)`.
/// Only inside a `#[model]` function.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn m() {
///     let log_sigma = sample!("log_sigma", Normal::new(0.0, 1.0));
///     let sigma = deterministic!("sigma", log_sigma.exp());
/// #   let _ = sigma;
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! deterministic {
    ($($tokens:tt)*) => {
        ::core::compile_error!(
            "`deterministic!` can only be used inside a `#[model]` function; add `#[model]` to the enclosing function"
        )
    };
}

/// A term added to the log density: `factor!("name", log_value)`. Only inside a `#[model]`
/// function.
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn m() {
///     let x = sample!("x", Normal::new(0.0, 1.0));
///     factor!("soft_constraint", -(x * x));
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! factor {
    ($($tokens:tt)*) => {
        ::core::compile_error!(
            "`factor!` can only be used inside a `#[model]` function; add `#[model]` to the enclosing function"
        )
    };
}

/// A parameter of a variational guide: `param!("name", init)` or
/// `param!("name", init, constraint = Support::Positive)`, NumPyro's `numpyro.param`. SVI fits
/// it; `init` is a number or a `Vec<f64>`. Only inside a `#[model(guide_for = ..)]` function
/// (see [`svi`](crate::svi)).
///
/// # Example
///
/// ```
/// use model_runtime::prelude::*;
///
/// #[model]
/// fn m() {
///     sample!("x", Normal::new(0.0, 1.0));
/// }
///
/// #[model(guide_for = m)]
/// fn m_guide() {
///     let loc = param!("loc", 0.0);
///     let scale = param!("scale", 1.0, constraint = Support::Positive);
///     sample!("x", Normal::new(loc, scale));
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! param {
    ($($tokens:tt)*) => {
        ::core::compile_error!(
            "`param!` can only be used inside a guide, a function with `#[model(guide_for = model)]`"
        )
    };
}
