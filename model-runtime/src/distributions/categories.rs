//! The probabilities of a finite set of categories, given as probabilities or as logits: the
//! validation and normalizing constant shared by [`Categorical`](super::Categorical) and
//! [`Multinomial`](super::Multinomial).

use crate::linalg::log_sum_exp;
use crate::scalar::Scalar;

/// How the probabilities were given; the log mass uses the form it was given in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Parameter<T> {
    Probs(Vec<T>),
    Logits(Vec<T>),
}

impl<T> Parameter<T> {
    /// The number of categories.
    pub(crate) fn len(&self) -> usize {
        match self {
            Parameter::Probs(p) => p.len(),
            Parameter::Logits(l) => l.len(),
        }
    }
}

impl<T: Scalar> Parameter<T> {
    /// The normalized log probabilities, given `ln_total` from [`from_probs`] or
    /// [`from_logits`].
    pub(crate) fn log_probs(&self, ln_total: T) -> Vec<T> {
        match self {
            Parameter::Probs(p) => p.iter().map(|&p| p.ln() - ln_total).collect(),
            Parameter::Logits(l) => l.iter().map(|&l| l - ln_total).collect(),
        }
    }
}

/// How far from 1 the sum of the probabilities may be (as in NumPyro's simplex check); the
/// probabilities are then divided by their actual sum.
pub(crate) const SUM_TOLERANCE: f64 = 1e-6;

/// Why probabilities or logits were rejected; each family turns it into its own error type.
pub(crate) enum CategoriesError {
    NoCategories,
    ProbsOutOfRange { index: usize, probs: f64 },
    ProbsDoNotSumToOne { sum: f64 },
    LogitsNotFinite { index: usize, logits: f64 },
}

/// Probabilities, each in `[0, 1]` and summing to 1 within [`SUM_TOLERANCE`], with `ln Σ probs`.
pub(crate) fn from_probs<T: Scalar>(probs: Vec<T>) -> Result<(Parameter<T>, T), CategoriesError> {
    if probs.is_empty() {
        return Err(CategoriesError::NoCategories);
    }
    if let Some((index, p)) = probs
        .iter()
        .enumerate()
        .find(|(_, p)| !(p.value() >= 0.0 && p.value() <= 1.0))
    {
        return Err(CategoriesError::ProbsOutOfRange {
            index,
            probs: p.value(),
        });
    }
    let total = probs.iter().skip(1).fold(probs[0], |sum, &p| sum + p);
    // Each probability is in [0, 1], so the sum is finite and the comparison decides.
    if (total.value() - 1.0).abs() > SUM_TOLERANCE {
        return Err(CategoriesError::ProbsDoNotSumToOne { sum: total.value() });
    }
    Ok((Parameter::Probs(probs), total.ln()))
}

/// Finite logits, with their log-sum-exp.
pub(crate) fn from_logits<T: Scalar>(logits: Vec<T>) -> Result<(Parameter<T>, T), CategoriesError> {
    if logits.is_empty() {
        return Err(CategoriesError::NoCategories);
    }
    if let Some((index, l)) = logits
        .iter()
        .enumerate()
        .find(|(_, l)| !l.value().is_finite())
    {
        return Err(CategoriesError::LogitsNotFinite {
            index,
            logits: l.value(),
        });
    }
    // Centred on the largest logit, as one autodiff node whose partials are the softmax.
    let ln_total = log_sum_exp(&logits);
    Ok((Parameter::Logits(logits), ln_total))
}

/// The conversion of [`CategoriesError`] into a family's public error enum, whose variants
/// have the same names and fields.
macro_rules! categories_error_into {
    ($error:ident) => {
        impl From<super::categories::CategoriesError> for $error {
            fn from(e: super::categories::CategoriesError) -> Self {
                use super::categories::CategoriesError as E;
                match e {
                    E::NoCategories => $error::NoCategories,
                    E::ProbsOutOfRange { index, probs } => $error::ProbsOutOfRange { index, probs },
                    E::ProbsDoNotSumToOne { sum } => $error::ProbsDoNotSumToOne { sum },
                    E::LogitsNotFinite { index, logits } => {
                        $error::LogitsNotFinite { index, logits }
                    }
                }
            }
        }
    };
}
pub(crate) use categories_error_into;
