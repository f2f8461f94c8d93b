//! Errors raised while running a model: every one names the site, the plate indices and the value.

use core::fmt;
use std::error::Error;

/// An error from running a model, naming the site where it happened.
///
/// # Example
///
/// ```
/// use model_runtime::{ModelError, ModelErrorKind};
///
/// let e = ModelError::new("sigma", &[], ModelErrorKind::OutOfSupport { value: -1.0 });
/// assert_eq!(e.to_string(), "site `sigma`: value -1 is outside the support of its distribution");
/// ```
#[derive(Debug)]
pub struct ModelError(Box<Located>);

/// The parts of a [`ModelError`], behind one pointer: every site returns a
/// `Result<_, ModelError>`, which then fits in a register instead of 80 bytes of stack.
#[derive(Debug)]
struct Located {
    site: &'static str,
    index: Vec<usize>,
    kind: ModelErrorKind,
}

/// What went wrong at a site.
#[derive(Debug)]
#[non_exhaustive]
pub enum ModelErrorKind {
    /// The distribution's constructor rejected its parameters.
    InvalidParameter(Box<dyn Error + Send + Sync>),
    /// A value (substituted, observed or initial) lies outside the distribution's support.
    OutOfSupport {
        /// The offending value.
        value: f64,
    },
    /// The distribution has no sampler, and the site had to be sampled.
    NoSampler {
        /// The distribution's type name.
        distribution: &'static str,
    },
    /// An observed site received no data where data is required (fitting).
    MissingObservation,
    /// A latent site had no value where one is required (log density without substitution).
    MissingValue,
    /// A log density term, log-Jacobian or factor was not finite.
    NonFinite {
        /// The value of the term.
        value: f64,
    },
    /// The vector arguments (or the value) of a vectorized site have different lengths.
    LengthMismatch {
        /// What has the wrong length: a parameter's name, or `"value"`.
        argument: &'static str,
        /// The length of the site (its first vector argument, or its `iid` length).
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// A plate's body indexes a model argument by the plate's element (`y[i]`), and the
    /// argument has another number of elements than the plate (the error names the plate).
    PlateData {
        /// The argument.
        data: &'static str,
        /// The plate's size.
        size: usize,
        /// The argument's number of elements.
        len: usize,
    },
    /// `ordered()` was applied to a vectorized site whose elements are not iid draws of a real
    /// family.
    OrderedNeedsIid,
    /// An index into a vector (a gather's group index) is out of range.
    IndexOutOfRange {
        /// The index.
        index: usize,
        /// The length of the indexed vector.
        len: usize,
    },
    /// An observed value is not finite, or lies outside its distribution's support: checked
    /// before sampling starts.
    InvalidObservation {
        /// The value.
        value: f64,
        /// The distribution's name.
        distribution: &'static str,
        /// Its support, as printed (`(0, 1)`).
        support: String,
    },
    /// A latent site's distribution has no unconstrained coordinates of its own, and the site was
    /// not given the reparameterizer it needs.
    ReparamRequired {
        /// The distribution's type name.
        distribution: &'static str,
        /// The reparameterizer the site needs.
        reparameterizer: &'static str,
    },
    /// A user-written guide's draws do not fit the model: a value outside the model site's
    /// support, or a different number of draws of a site than the model asks for.
    Guide(GuideMismatch),
    /// A discrete latent site could not be summed out: its support is not finite at these
    /// parameters, or enumerating it with the other discrete sites of its plate element (or, for
    /// sites outside plates, of the whole model) needs more than `cap` branches.
    Enumeration {
        /// The number of values of the site (`None` for an unbounded support).
        support: Option<u64>,
        /// The branches the enumeration would need (`None` for an unbounded support).
        branches: Option<u64>,
        /// The most branches one enumeration may have.
        cap: u64,
    },
    /// A numerical solver inside the model (an ODE solve, say) failed; the error says why.
    Solver(Box<dyn Error + Send + Sync>),
    /// The unconstrained vector has the wrong length for this model.
    DimensionMismatch {
        /// Length the model needs.
        expected: usize,
        /// Length given.
        found: usize,
    },
}

/// How a user-written guide's draws fail to fit its model (see [`ModelErrorKind::Guide`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum GuideMismatch {
    /// The guide drew a value outside the model site's support.
    OutOfSupport {
        /// The value.
        value: f64,
        /// The model site's distribution.
        distribution: &'static str,
        /// Its support, as printed.
        support: String,
    },
    /// The guide drew the site a different number of times than the model used it.
    DrawCount {
        /// Draws the guide made.
        drawn: usize,
        /// Values the model used.
        used: usize,
    },
}

impl ModelError {
    /// An error at `site`, inside plates at `index` (outermost first).
    #[cold]
    pub fn new(site: &'static str, index: &[usize], kind: ModelErrorKind) -> Self {
        ModelError(Box::new(Located {
            site,
            index: index.to_vec(),
            kind,
        }))
    }

    /// The site's name.
    pub fn site(&self) -> &'static str {
        self.0.site
    }

    /// Plate indices of the failing element, outermost first (empty outside plates).
    pub fn index(&self) -> &[usize] {
        &self.0.index
    }

    /// What went wrong.
    pub fn kind(&self) -> &ModelErrorKind {
        &self.0.kind
    }
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A plate's own error names the plate; every other error names a site.
        let what = match self.0.kind {
            ModelErrorKind::PlateData { .. } => "plate",
            _ => "site",
        };
        write!(f, "{what} `{}", self.0.site)?;
        for i in &self.0.index {
            write!(f, "[{i}]")?;
        }
        write!(f, "`: ")?;
        match &self.0.kind {
            ModelErrorKind::InvalidParameter(e) => write!(f, "invalid distribution parameter: {e}"),
            ModelErrorKind::OutOfSupport { value } => {
                write!(
                    f,
                    "value {value} is outside the support of its distribution"
                )
            }
            ModelErrorKind::NoSampler { distribution } => write!(
                f,
                "{distribution} has no sampler; give this site a value (substitute or condition) or reparameterize it"
            ),
            ModelErrorKind::MissingObservation => {
                write!(f, "observed site has no data; pass its data to the model")
            }
            ModelErrorKind::MissingValue => write!(f, "latent site has no value"),
            ModelErrorKind::NonFinite { value } => write!(f, "log density is not finite ({value})"),
            ModelErrorKind::LengthMismatch {
                argument,
                expected,
                found,
            } => write!(
                f,
                "`{argument}` has {found} elements but the site has {expected}"
            ),
            ModelErrorKind::PlateData { data, size, len } => write!(
                f,
                "{size} elements, indexing `{data}` by its element, but `{data}` has {len} (give data of the plate's size)"
            ),
            ModelErrorKind::OrderedNeedsIid => write!(
                f,
                "`ordered()` needs a real-valued family with scalar arguments (iid elements)"
            ),
            ModelErrorKind::IndexOutOfRange { index, len } => {
                write!(
                    f,
                    "index {index} is out of range for a vector of {len} elements"
                )
            }
            ModelErrorKind::InvalidObservation { value, .. } if !value.is_finite() => {
                write!(f, "observed value {value} is not a finite number")
            }
            ModelErrorKind::InvalidObservation {
                value,
                distribution,
                support,
            } => write!(
                f,
                "observed value {value} is outside the support of {distribution} {support}"
            ),
            ModelErrorKind::ReparamRequired {
                distribution,
                reparameterizer,
            } => write!(
                f,
                "a latent {distribution} site has no unconstrained coordinates of its own; reparameterize it with `.reparam(|r| r.{}({reparameterizer}))`",
                self.0.site
            ),
            ModelErrorKind::Guide(GuideMismatch::OutOfSupport {
                value,
                distribution,
                support,
            }) => write!(
                f,
                "the guide drew {value}, outside the support {support} of the model's {distribution}: draw this site from a distribution on the same support (LogNormal for a positive site, say)"
            ),
            ModelErrorKind::Guide(GuideMismatch::DrawCount { drawn, used }) => write!(
                f,
                "the guide drew this site {drawn} times but the model used {used} (plates of different sizes?)"
            ),
            ModelErrorKind::Enumeration { support: None, .. } => write!(
                f,
                "discrete latent site with unbounded support cannot be summed out; write the sum by hand with `factor!`, or observe the site"
            ),
            ModelErrorKind::Enumeration {
                support: Some(0), ..
            } => write!(f, "discrete latent site has an empty support"),
            ModelErrorKind::Enumeration {
                support: Some(support),
                branches,
                cap,
            } => write!(
                f,
                "summing out this discrete latent site ({support} values) with the discrete sites enumerated before it in its plate element (or model) needs {} branches, more than the cap of {cap}; write the sum by hand with `factor!`",
                branches.unwrap_or(u64::MAX)
            ),
            ModelErrorKind::Solver(e) => write!(f, "{e}"),
            ModelErrorKind::DimensionMismatch { expected, found } => write!(
                f,
                "unconstrained vector has {found} entries but the model needs {expected}"
            ),
        }
    }
}

impl Error for ModelError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match &self.0.kind {
            ModelErrorKind::InvalidParameter(e) | ModelErrorKind::Solver(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}
