//! Reverse-mode automatic differentiation, Stan style.
//!
//! A [`Var`] is a copyable value with an index into a per-thread tape; it has no lifetime. Each
//! operation appends one node holding the partial derivatives with respect to its operands, which
//! it computes as it runs (Carpenter et al. 2015, "The Stan Math Library: Reverse-Mode Automatic
//! Differentiation in C++"). [`gradient`] clears the tape, runs a function on input variables and
//! sweeps the tape backwards. The tape's buffers are reused, so once warm a gradient allocates
//! nothing. Operations whose operands are all constants make constants, which take no tape space.

mod dual;
mod rules;
mod tape;
mod var;

pub use dual::Dual;
pub use tape::{gradient, recorded_nodes};
pub use var::Var;
