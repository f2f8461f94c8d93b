//! A success probability given as a probability or as log-odds, as `Bernoulli`, `Binomial` and
//! `Geometric` take it.

use crate::scalar::Scalar;

/// How the success probability was given (`new` or `from_logits`); the log mass uses the form
/// it was given in, so that log-odds stay exact where the probability would round to 0 or 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Parameter<T> {
    Probs(T),
    Logits(T),
}

impl<T: Scalar> Parameter<T> {
    /// The success probability, as given or as `σ(logits)`.
    pub(crate) fn probs(self) -> T {
        match self {
            Parameter::Probs(p) => p,
            Parameter::Logits(logits) => logits.sigmoid(),
        }
    }
}
