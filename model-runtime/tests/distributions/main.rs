//! Distributions against reference values and their samplers against their distributions.
//!
//! - log densities and special functions against `reference/log_prob.json`, written at 60 digits
//!   by `reference/generate.py` (mpmath, cross-checked with scipy);
//! - every continuous sampler against its CDF by a Kolmogorov–Smirnov test, the discrete ones by
//!   chi-square goodness of fit, and sample moments against `mean()`/`variance()`;
//! - constructors, supports and value kinds.
//!
//! All random tests use fixed seeds, so a failure reproduces exactly; the critical values are at
//! α = 0.001, and negative controls check that the tests can fail.
//!
//! `cargo test -p model-runtime --test distributions log_prob_matches -- --nocapture` prints the
//! worst error per distribution; cases held to another tolerance are listed in [`reference::EXCEPTIONS`]
//! with the reason.
//!
//! One module per concern:
//!
//! - [`reference`] — log densities and special functions against the reference values;
//! - [`ks`] — Kolmogorov–Smirnov tests of the continuous samplers;
//! - [`chi_square`] — chi-square tests of the discrete samplers;
//! - [`moments`] — sample moments against `mean()`/`variance()`;
//! - [`constructors`] — constructors, supports and value kinds;
//! - [`vector_families`] — the vector families;
//! - [`mixtures`] — mixtures.

mod chi_square;
mod constructors;
mod ks;
mod mixtures;
mod moments;
mod reference;
mod vector_families;
