//! Summing discrete latent sites of finite support out of the log density, and drawing them back.
//!
//! The body is split into enumeration scopes: each plate element, and the whole body (see
//! `Handler::enumeration_begin`). A discrete latent site belongs to the innermost scope it is
//! met in, so a site inside a plate (a mixture assignment `z[i]`) is enumerated per element and
//! the cost stays linear in the plate's size, while sites outside plates are enumerated jointly
//! over the whole body. Within one scope the values of its discrete sites are walked depth first,
//! like an odometer whose digits are the sites in the order they are met (Pyro's sequential
//! enumeration, `pyro.poutine.enum_messenger` / `iter_discrete_traces`): the scope runs once per
//! assignment, each run's log joint `ℓ_k` is kept, the log density and the coordinate cursor are
//! rewound, and after the last assignment the scope contributes `log Σ_k exp ℓ_k`
//! ([`log_sum_exp`], differentiable, so the gradient of the marginal comes from the existing
//! reverse-mode autodiff). Because the walk rereads each site's support size when it first meets
//! it under a given prefix, a site whose support depends on an earlier discrete site is summed
//! exactly too.
//!
//! To draw the discrete sites back (NumPyro's `infer_discrete`, exact here rather than
//! approximate), a scope picks one assignment with probability `exp(ℓ_k − log Σ_j exp ℓ_j)`
//! (or the most probable one) once all of them have run, and runs once more with it, so that a
//! handler recording values (`Trace`) keeps that branch's discrete values and deterministic sites.
//! Scopes nest, so a global site is drawn from its marginal posterior (plate-local sites summed
//! out) and the plate-local sites are then drawn given it: forward filtering, backward sampling.

use crate::error::{ModelError, ModelErrorKind};
use crate::handlers::LogJoint;
use crate::linalg::log_sum_exp;
use crate::scalar::Scalar;

/// The most assignments one scope may walk: a plate element's, or the whole body's for sites
/// outside plates (each of which costs one run of the whole body).
pub const MAX_BRANCHES: u64 = 1024;

/// What a scope does once all its assignments have run.
#[derive(Debug, Clone)]
pub(crate) enum Choice {
    /// Adds the log-sum-exp of the branches (the marginal): the target of NUTS and HMC.
    Sum,
    /// As `Sum`, then runs the most probable assignment again (the MAP assignment given the
    /// other sites).
    Map,
    /// As `Sum`, then runs an assignment drawn from its conditional posterior again.
    Sample(SplitMix64),
}

impl Choice {
    pub(crate) fn sample(seed: u64) -> Self {
        Choice::Sample(SplitMix64(seed))
    }
}

/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
/// OOPSLA 2014): a small generator that is `Clone`, as handlers are, and good enough to pick one
/// branch per scope.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    /// A uniform number in `[0, 1)` from the top 53 bits of the next output.
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// One discrete site met in the current branch of a scope: the index of its value and the size
/// of its support.
#[derive(Debug, Clone, Copy)]
struct Digit {
    value: u64,
    size: u64,
}

/// The state of one scope being enumerated.
#[derive(Debug, Clone)]
struct Frame<T> {
    start_total: T,
    start_cursor: usize,
    start_non_finite: Option<&'static str>,
    /// The odometer: the discrete sites met so far in the current branch.
    digits: Vec<Digit>,
    /// How many of `digits` the current branch has read.
    used: usize,
    /// The log joint of each finished branch.
    branches: Vec<T>,
    /// The digit values of each finished branch, concatenated (kept to draw one back).
    assignments: Vec<u64>,
    /// Where each branch's digit values start in `assignments`.
    offsets: Vec<usize>,
    /// While the chosen branch runs again: the scope's marginal.
    replaying: Option<T>,
}

impl<T: Scalar> Frame<T> {
    fn new() -> Self {
        Frame {
            start_total: T::from_f64(0.0),
            start_cursor: 0,
            start_non_finite: None,
            digits: Vec::new(),
            used: 0,
            branches: Vec::new(),
            assignments: Vec::new(),
            offsets: Vec::new(),
            replaying: None,
        }
    }
}

/// The enumeration scopes open during one run of a body (see the module documentation). The
/// frames are kept between scopes, so a run allocates only while its nesting and branch counts
/// grow.
#[derive(Debug, Clone)]
pub(crate) struct Enumeration<T> {
    frames: Vec<Frame<T>>,
    depth: usize,
    choice: Choice,
}

impl<T: Scalar> Enumeration<T> {
    pub(crate) fn new(choice: Choice) -> Self {
        Enumeration {
            frames: Vec::new(),
            depth: 0,
            choice,
        }
    }

    /// A scope begins, with the log joint and the coordinate cursor as they are.
    pub(crate) fn begin(&mut self, joint: &LogJoint<T>, cursor: usize) {
        if self.depth == self.frames.len() {
            self.frames.push(Frame::new());
        }
        let frame = &mut self.frames[self.depth];
        frame.start_total = joint.log_joint();
        frame.start_cursor = cursor;
        frame.start_non_finite = joint.first_non_finite();
        frame.digits.clear();
        frame.used = 0;
        frame.branches.clear();
        frame.assignments.clear();
        frame.offsets.clear();
        frame.replaying = None;
        self.depth += 1;
    }

    /// The index of the value that discrete site `site` (at plate `index`), whose support has
    /// `size` values (`None`: unbounded), takes in the current branch of the innermost scope.
    pub(crate) fn value(
        &mut self,
        site: &'static str,
        index: &[usize],
        size: Option<u64>,
    ) -> Result<u64, ModelError> {
        let error = |support, branches| {
            ModelError::new(
                site,
                index,
                ModelErrorKind::Enumeration {
                    support,
                    branches,
                    cap: MAX_BRANCHES,
                },
            )
        };
        let Some(frame) = self
            .depth
            .checked_sub(1)
            .and_then(|top| self.frames.get_mut(top))
        else {
            // The body was run without `Model::run`, which opens the outermost scope.
            return Err(ModelError::new(site, index, ModelErrorKind::MissingValue));
        };
        if let Some(digit) = frame.digits.get(frame.used) {
            // Met before under the same prefix of values, so with the same support.
            frame.used += 1;
            return Ok(digit.value);
        }
        let size = size.ok_or_else(|| error(None, None))?;
        if size == 0 {
            return Err(error(Some(0), None));
        }
        let branches = frame
            .digits
            .iter()
            .try_fold(size, |acc, d| acc.checked_mul(d.size));
        match branches {
            Some(b) if b <= MAX_BRANCHES => {}
            _ => return Err(error(Some(size), branches)),
        }
        frame.digits.push(Digit { value: 0, size });
        frame.used += 1;
        Ok(0)
    }

    /// The innermost scope has run once more: whether to run it again. Between branches the
    /// log joint and the cursor are rewound to where the scope began; after the last one the
    /// log joint gains the scope's marginal.
    pub(crate) fn next(
        &mut self,
        joint: &mut LogJoint<T>,
        cursor: &mut usize,
    ) -> Result<bool, ModelError> {
        let Some(top) = self.depth.checked_sub(1) else {
            return Ok(false);
        };
        let frame = &mut self.frames[top];
        if let Some(marginal) = frame.replaying.take() {
            // The chosen branch has been recorded; the density is the marginal all the same.
            Self::settle(frame, joint, marginal);
            self.depth = top;
            return Ok(false);
        }
        if frame.digits.is_empty() {
            // No discrete site in this scope: it ran once, as it would without enumeration.
            self.depth = top;
            return Ok(false);
        }
        // Where the scope's coordinates end; every branch reads the same ones.
        let end_cursor = *cursor;
        frame.branches.push(joint.log_joint() - frame.start_total);
        if !matches!(self.choice, Choice::Sum) {
            frame.offsets.push(frame.assignments.len());
            frame
                .assignments
                .extend(frame.digits.iter().map(|d| d.value));
        }
        joint.total = frame.start_total;
        joint.first_non_finite = frame.start_non_finite;
        *cursor = frame.start_cursor;
        frame.used = 0;
        // Advance the odometer: the last digit that has a value left moves on, and the digits
        // after it are forgotten (their supports may depend on it).
        while let Some(last) = frame.digits.last_mut() {
            if last.value + 1 < last.size {
                last.value += 1;
                return Ok(true);
            }
            frame.digits.pop();
        }
        let marginal = log_sum_exp(&frame.branches);
        let chosen = match &mut self.choice {
            Choice::Sum => None,
            Choice::Map => Some(argmax(&frame.branches)),
            Choice::Sample(rng) => Some(draw(&frame.branches, marginal.value(), rng)),
        };
        match chosen {
            None => {
                Self::settle(frame, joint, marginal);
                *cursor = end_cursor;
                self.depth = top;
                Ok(false)
            }
            Some(k) => {
                let start = frame.offsets[k];
                let end = frame
                    .offsets
                    .get(k + 1)
                    .copied()
                    .unwrap_or(frame.assignments.len());
                frame.digits.extend(
                    frame.assignments[start..end]
                        .iter()
                        .map(|&value| Digit { value, size: 0 }),
                );
                frame.replaying = Some(marginal);
                Ok(true)
            }
        }
    }

    /// Sets the log joint to the scope's start plus its marginal.
    fn settle(frame: &Frame<T>, joint: &mut LogJoint<T>, marginal: T) {
        joint.total = frame.start_total + marginal;
        joint.first_non_finite = frame.start_non_finite;
        if joint.first_non_finite.is_none() && !marginal.value().is_finite() {
            joint.first_non_finite = Some("<enumerated discrete sites>");
        }
    }
}

/// The branch of largest log joint (the first of equals).
fn argmax<T: Scalar>(branches: &[T]) -> usize {
    let mut best = 0;
    for (k, b) in branches.iter().enumerate() {
        if b.value() > branches[best].value() {
            best = k;
        }
    }
    best
}

/// A branch drawn with probability `exp(ℓ_k − marginal)`, by inverting the cumulative sum.
fn draw<T: Scalar>(branches: &[T], marginal: f64, rng: &mut SplitMix64) -> usize {
    let u = rng.uniform();
    let mut cumulative = 0.0;
    let mut last_possible = 0;
    for (k, b) in branches.iter().enumerate() {
        let p = (b.value() - marginal).exp();
        if p > 0.0 {
            last_possible = k;
        }
        cumulative += p;
        if u < cumulative {
            return k;
        }
    }
    // The probabilities sum to 1 up to rounding; a `u` past their sum takes the last branch
    // that has any probability.
    last_possible
}
