//! Checks on the probabilities that quantiles and intervals are asked for.

/// A probability argument that the diagnostic cannot use.
///
/// # Example
///
/// ```
/// use model_runtime::diagnostics::{quantile, ChainDraws, ProbabilityError};
///
/// let draws = ChainDraws::new(&[[1.0, 2.0, 3.0, 4.0]])?;
/// let error = quantile(&draws, 1.5).unwrap_err();
/// assert_eq!(error, ProbabilityError::OutsideUnitInterval { probability: 1.5 });
/// assert_eq!(error.to_string(), "probability 1.5 is outside [0, 1]: pass a value from 0 to 1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ProbabilityError {
    /// A quantile's probability is NaN or outside `[0, 1]`.
    #[error("probability {probability} is outside [0, 1]: pass a value from 0 to 1")]
    OutsideUnitInterval {
        /// The rejected probability.
        probability: f64,
    },
    /// An interval's probability mass is NaN or outside the open interval `(0, 1)`.
    #[error(
        "interval mass {mass} is outside (0, 1): pass a value strictly between 0 and 1, \
         such as 0.9"
    )]
    MassOutsideOpenUnitInterval {
        /// The rejected mass.
        mass: f64,
    },
}

/// `probability` if it lies in `[0, 1]` (written so that NaN fails).
pub(crate) fn check_probability(probability: f64) -> Result<f64, ProbabilityError> {
    if (0.0..=1.0).contains(&probability) {
        Ok(probability)
    } else {
        Err(ProbabilityError::OutsideUnitInterval { probability })
    }
}

/// `mass` if it lies in `(0, 1)` (written so that NaN fails).
pub(crate) fn check_mass(mass: f64) -> Result<f64, ProbabilityError> {
    if mass > 0.0 && mass < 1.0 {
        Ok(mass)
    } else {
        Err(ProbabilityError::MassOutsideOpenUnitInterval { mass })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_and_the_edges_are_judged_correctly() {
        assert!(check_probability(f64::NAN).is_err());
        assert!(check_probability(0.0).is_ok() && check_probability(1.0).is_ok());
        assert!(check_probability(-0.1).is_err());
        assert!(check_mass(f64::NAN).is_err());
        assert!(check_mass(0.0).is_err() && check_mass(1.0).is_err());
        assert!(check_mass(0.9).is_ok());
    }
}
