//! Fused log densities of the families that generalized linear models use most: each is one
//! branch-free loop over contiguous slices that computes every element's log density and its
//! partial derivatives, compiled for the CPU's vector units ([`dispatch`]). They replace the
//! per-element forward-mode evaluation (`Dual` numbers through the scalar family's `log_prob`)
//! where they apply, as Stan's `normal_id_glm` and `bernoulli_logit_glm` replace the
//! elementwise densities; the general path stays the reference they are tested against
//! (`tests/vectorized.rs` compares both on every family).
//!
//! A kernel returns `None` when it does not apply (a parameter layout it has no loop for) or
//! when some element's parameters are invalid: the general path then evaluates the statement
//! and names the element in its error.
//!
//! The kernels come in three loop shapes, one module each: elementwise over evaluated columns
//! (`elementwise`), the fused GLM pass over `X β` (`glm`), and the row pass over any lazy first
//! argument (`rows`); the per-element densities they share are the link lanes (`links`).
//!
//! [`dispatch`]: crate::vector_math::dispatch

mod elementwise;
mod glm;
mod links;
mod rows;

pub use elementwise::{Column, Fused, bernoulli_logit, normal, poisson_log};
pub use glm::{Glm, GlmSums, bernoulli_logit_glm, normal_id_glm, poisson_log_glm};
pub(super) use rows::rows;
pub use rows::{RowArg, RowLane};
