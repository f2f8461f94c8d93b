//! The No-U-Turn Sampler with multinomial sampling, as Stan implements it (`base_nuts`).
//!
//! The trajectory doubles in a random direction until it makes a U-turn (Hoffman & Gelman 2014,
//! "The No-U-Turn Sampler", JMLR 15, Algorithm 3). Following Betancourt (2017), "A Conceptual
//! Introduction to Hamiltonian Monte Carlo", arXiv:1701.02434, sections 4.2-4.3 and appendix A:
//!
//! - states are drawn with weights `exp(-H)` (multinomial sampling) instead of from a slice:
//!   uniformly-progressive within a new subtree, and biased-progressive between the old
//!   trajectory and the new subtree, which favours moving far from the start;
//! - the U-turn criterion is the generalized one, `p♯₋ · ρ > 0` and `p♯₊ · ρ > 0` where `ρ` is
//!   the sum of the momenta over the (sub)trajectory and `p♯ = M⁻¹ p` at its two ends;
//! - the criterion is also checked across every merge, on each half extended by the nearest
//!   point of the other half, which catches U-turns that fall between two subtrees (Stan issue
//!   #2799 and pull request #2800, 2019).
//!
//! A transition is divergent when some step has `H - H₀ > 1000`; the subtree in which that
//! happens is discarded and the trajectory stops.
//!
//! Unlike Stan, which allocates phase points and momentum sums in every transition and merge,
//! the buffers live in a [`NutsWorkspace`] allocated once per chain, so a warm transition
//! allocates nothing; and sums of weights are scaled exponentials ([`WeightSum`]) rather than
//! log-sum-exps, one `exp` per merge instead of two and a `log1p`.

use rand::{Rng, RngExt};

use super::GradientTarget;
use super::error::SamplerError;
use super::hamiltonian::{Hamiltonian, PhasePoint, copy_reals};
use super::kernel::{MAX_ENERGY_ERROR, TransitionKernel, sealed};
use super::stats::TransitionStats;

/// The No-U-Turn Sampler's transition (Stan's multinomial NUTS with the generalized U-turn
/// criterion). Choose it with [`Sampler::nuts`](super::Sampler::nuts).
///
/// # Example
///
/// ```
/// use model_runtime::inference::{NutsKernel, Sampler};
///
/// let sampler: Sampler<NutsKernel> = Sampler::nuts().max_tree_depth(8);
/// assert!(format!("{sampler:?}").contains("max_tree_depth: 8"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NutsKernel {
    max_tree_depth: usize,
}

impl NutsKernel {
    /// Stan's default maximum tree depth: at most 2¹⁰ - 1 = 1023 leapfrog steps per transition.
    pub(crate) const DEFAULT_MAX_TREE_DEPTH: usize = 10;

    pub(crate) fn new(max_tree_depth: usize) -> Self {
        NutsKernel { max_tree_depth }
    }
}

impl TransitionKernel for NutsKernel {}

impl sealed::Kernel for NutsKernel {
    type Workspace = NutsWorkspace;

    fn workspace(&self, dim: usize) -> NutsWorkspace {
        NutsWorkspace::new(dim)
    }

    fn transition<T, R>(
        &self,
        hamiltonian: &mut Hamiltonian<'_, T>,
        current: &mut PhasePoint,
        workspace: &mut NutsWorkspace,
        step_size: f64,
        rng: &mut R,
    ) -> TransitionStats
    where
        T: GradientTarget + ?Sized,
        R: Rng + ?Sized,
    {
        let NutsWorkspace {
            forward_end,
            backward_end,
            draws,
            sample,
            proposal,
            forward,
            backward,
            rho,
            rho_forward,
            rho_backward,
            levels,
        } = workspace;
        let dim = current.position.len();
        hamiltonian.sample_momentum(current, rng);
        let h0 = hamiltonian.energy(current);

        forward_end.copy_from(current);
        backward_end.copy_from(current);
        // Draws are held by index into `draws`, so that choosing between two is a select of
        // indices, without a branch: the choices are coin flips that a branch predictor would
        // miss half the time, each miss discarding the work begun after it. The indices name
        // every draw once (checked without allocating: the allocation test runs in debug
        // builds).
        debug_assert!((0..draws.len()).all(|d| {
            let named = levels.iter().map(|l| l.proposal_final);
            named
                .chain([*sample, *proposal])
                .filter(|&i| i == d)
                .count()
                == 1
        }));
        draws[*sample].copy_from_point(current, h0);
        // `proposal` needs no start value: only a valid subtree's draw is ever read from it.

        // The trajectory is the merge of a backward and a forward subtree; each knows the
        // momenta and velocities at its two ends. `begin` is the end nearer the initial point.
        forward.begin.set(hamiltonian, &current.momentum);
        forward.end.copy_from(&forward.begin);
        forward.single = false;
        backward.begin.copy_from(&forward.begin);
        backward.end.copy_from(&forward.begin);
        backward.single = false;
        copy_reals(rho, &current.momentum);
        // Weights are exp(H₀ - H), so the initial point has weight 1.
        let mut weight = WeightSum::one(0.0);

        let mut tree = Tree {
            hamiltonian,
            rng,
            draws,
            step_size,
            h0,
            leapfrog_steps: 0,
            sum_acceptance: 0.0,
            divergent: false,
        };
        let mut depth = 0;
        while depth < self.max_tree_depth {
            // A subtree of depth d needs the buffers of d merge levels. They are allocated the
            // first time the chain reaches that depth, and reused from then on.
            if levels.len() < depth {
                levels.push(Level::new(dim, tree.draws.len()));
                tree.draws.push(Draw::new(dim));
            }
            let levels = &mut levels[..depth];
            let forwards = tree.rng.random::<f64>() > 0.5;
            let (subtree, ends, rho_subtree) = if forwards {
                // Extend forwards: the old trajectory becomes the backward subtree.
                copy_reals(rho_backward, rho);
                backward.begin.copy_from(&forward.end);
                tree.step_size = step_size;
                let subtree = tree.build(levels, forward_end, proposal, rho_forward, forward);
                (subtree, &mut *forward, &mut *rho_forward)
            } else {
                copy_reals(rho_forward, rho);
                forward.begin.copy_from(&backward.end);
                tree.step_size = -step_size;
                let subtree = tree.build(levels, backward_end, proposal, rho_backward, backward);
                (subtree, &mut *backward, &mut *rho_backward)
            };
            let Some(weight_subtree) = subtree else {
                break;
            };
            if depth == 0 {
                // A one-step subtree leaves its summed momentum, its momentum, to the caller.
                copy_reals(rho_subtree, &ends.begin.momentum);
            }
            ends.settle();
            depth += 1;

            // Biased progressive sampling: move to the new subtree with probability
            // min(1, w_new / w_old). The proposal is not needed afterwards: swap, not copy.
            let accept = weight_subtree.ratio_to(weight);
            let take = accept > 1.0 || tree.rng.random::<f64>() < accept;
            swap_if(take, sample, proposal);
            weight = weight.merge(weight_subtree).0;

            for ((r, b), f) in rho.iter_mut().zip(&*rho_backward).zip(&*rho_forward) {
                *r = b + f;
            }
            // In the direction of time the trajectory is the backward subtree from its far end
            // to its near one, then the forward subtree from its near end to its far one.
            let persist = merge_persists(
                [&backward.end, &backward.begin, &forward.begin, &forward.end],
                rho_backward,
                rho_forward,
            );
            if !persist {
                break;
            }
        }

        let sample = &tree.draws[*sample];
        let stats = TransitionStats {
            step_size,
            tree_depth: depth,
            leapfrog_steps: tree.leapfrog_steps,
            divergent: tree.divergent,
            energy: sample.energy,
            // Averaged over every step, including those of a rejected last subtree (Stan).
            acceptance_probability: tree.sum_acceptance / tree.leapfrog_steps.max(1) as f64,
            log_density: sample.log_density,
        };
        // The momentum is left as it was: the next transition draws a new one.
        copy_reals(&mut current.position, &sample.position);
        copy_reals(&mut current.gradient, &sample.gradient);
        current.log_density = sample.log_density;
        stats
    }

    fn check(&self) -> Result<(), SamplerError> {
        if self.max_tree_depth == 0 {
            return Err(SamplerError::MaxTreeDepthZero);
        }
        Ok(())
    }

    fn max_tree_depth(&self) -> Option<usize> {
        Some(self.max_tree_depth)
    }
}

/// The buffers of one chain's NUTS transitions, sized by the dimension and reused by every
/// transition, so that a warm transition allocates nothing (Stan's `base_nuts` allocates its
/// phase points and momentum sums anew in every transition and every merge of subtrees).
///
/// Public only in name, so that the sealed kernel trait may mention it; users cannot reach it.
#[derive(Debug)]
pub struct NutsWorkspace {
    /// The states at the forward and backward ends of the trajectory, which extend it.
    forward_end: PhasePoint,
    backward_end: PhasePoint,
    /// The states drawn in a transition: from the trajectory so far (what the transition
    /// returns, `draws[sample]`), from the newest subtree (`draws[proposal]`), and one per
    /// merge level (`Level::proposal_final`). The indices are a permutation of those of
    /// `draws`, kept from one transition to the next.
    draws: Vec<Draw>,
    sample: usize,
    proposal: usize,
    /// The ends of the forward and backward subtrees of the last merge.
    forward: Ends,
    backward: Ends,
    /// Summed momenta of the whole trajectory and of its forward and backward subtrees.
    rho: Vec<f64>,
    rho_forward: Vec<f64>,
    rho_backward: Vec<f64>,
    /// `levels[d - 1]` serves the merges inside subtrees of depth `d`; grown on first use.
    levels: Vec<Level>,
}

impl NutsWorkspace {
    fn new(dim: usize) -> Self {
        let point = || PhasePoint::new(vec![0.0; dim]);
        NutsWorkspace {
            forward_end: point(),
            backward_end: point(),
            draws: vec![Draw::new(dim), Draw::new(dim)],
            sample: 0,
            proposal: 1,
            forward: Ends::new(dim),
            backward: Ends::new(dim),
            rho: vec![0.0; dim],
            rho_forward: vec![0.0; dim],
            rho_backward: vec![0.0; dim],
            levels: Vec::new(),
        }
    }
}

/// The buffers of one merge inside `build`: a subtree of depth `d ≥ 1` is an initial and a
/// final subtree of depth `d - 1` (Stan's `build_tree`, general recursion). The initial half
/// writes its ends and proposal straight into the caller's; only the final half needs its own.
#[derive(Debug)]
struct Level {
    rho_initial: Vec<f64>,
    rho_final: Vec<f64>,
    last: Ends,
    /// The index in the transition's draws of the state drawn from the final half.
    proposal_final: usize,
}

impl Level {
    /// The buffers of a level whose final half draws into `draws[proposal_final]`.
    fn new(dim: usize, proposal_final: usize) -> Self {
        Level {
            rho_initial: vec![0.0; dim],
            rho_final: vec![0.0; dim],
            last: Ends::new(dim),
            proposal_final,
        }
    }
}

/// Momentum and velocity `p♯ = M⁻¹ p` at one end of a subtree. (Not `Clone`: the derived
/// `clone_from` would allocate; use [`Boundary::copy_from`].)
#[derive(Debug)]
struct Boundary {
    momentum: Vec<f64>,
    velocity: Vec<f64>,
}

impl Boundary {
    fn new(dim: usize) -> Self {
        Boundary {
            momentum: vec![0.0; dim],
            velocity: vec![0.0; dim],
        }
    }

    /// The boundary at a point with momentum `momentum`.
    fn set<T: GradientTarget + ?Sized>(
        &mut self,
        hamiltonian: &Hamiltonian<'_, T>,
        momentum: &[f64],
    ) {
        copy_reals(&mut self.momentum, momentum);
        hamiltonian.velocity(momentum, &mut self.velocity);
    }

    /// Overwrites `self` with `other`, reusing the allocations.
    fn copy_from(&mut self, other: &Boundary) {
        copy_reals(&mut self.momentum, &other.momentum);
        copy_reals(&mut self.velocity, &other.velocity);
    }
}

/// The two ends of a subtree in the direction it was built: `begin` first, `end` last. A
/// subtree of one step has one point, kept in `begin` alone (`single`), so that the leaves of
/// a tree copy no boundary.
#[derive(Debug)]
struct Ends {
    begin: Boundary,
    end: Boundary,
    single: bool,
}

impl Ends {
    fn new(dim: usize) -> Self {
        Ends {
            begin: Boundary::new(dim),
            end: Boundary::new(dim),
            single: false,
        }
    }

    /// The last end: `begin` for a subtree of one point.
    fn end(&self) -> &Boundary {
        if self.single { &self.begin } else { &self.end }
    }

    /// Writes a one-point subtree's end out, so that both ends may be used apart.
    fn settle(&mut self) {
        if self.single {
            self.end.copy_from(&self.begin);
            self.single = false;
        }
    }
}

/// A state drawn from a trajectory, as a transition returns it: no momentum (the next
/// transition draws a new one) but the energy it had, for the transition's statistics.
#[derive(Debug)]
struct Draw {
    position: Vec<f64>,
    gradient: Vec<f64>,
    log_density: f64,
    energy: f64,
}

impl Draw {
    fn new(dim: usize) -> Self {
        Draw {
            position: vec![0.0; dim],
            gradient: vec![0.0; dim],
            log_density: f64::NEG_INFINITY,
            energy: f64::INFINITY,
        }
    }

    /// Overwrites `self` with the state of `point`, whose energy is `energy`.
    fn copy_from_point(&mut self, point: &PhasePoint, energy: f64) {
        copy_reals(&mut self.position, &point.position);
        copy_reals(&mut self.gradient, &point.gradient);
        self.log_density = point.log_density;
        self.energy = energy;
    }
}

/// The state of one transition's tree building.
struct Tree<'h, 'a, T: ?Sized, R: ?Sized> {
    hamiltonian: &'h mut Hamiltonian<'a, T>,
    rng: &'h mut R,
    /// The transition's drawn states, named by index (see [`NutsWorkspace`]).
    draws: &'h mut Vec<Draw>,
    /// Signed: negative when building backwards in time.
    step_size: f64,
    h0: f64,
    leapfrog_steps: usize,
    sum_acceptance: f64,
    divergent: bool,
}

impl<T: GradientTarget + ?Sized, R: Rng + ?Sized> Tree<'_, '_, T, R> {
    /// Stan's `build_tree`: extends the trajectory from `z` by `2^depth` leapfrog steps, where
    /// `depth = levels.len()` (the merge buffers it may use), leaving `z` at the new end,
    /// `draws[*proposal]` at the state drawn from the new subtree (uniformly progressive, that
    /// is in proportion to its weight), `ends` at the subtree's ends and `rho` at its summed
    /// momenta.
    /// Returns the subtree's summed weights `exp(H₀ - H)`, or `None` when the subtree diverged
    /// or made a U-turn inside; the caller must then discard it.
    fn build(
        &mut self,
        levels: &mut [Level],
        z: &mut PhasePoint,
        proposal: &mut usize,
        rho: &mut [f64],
        ends: &mut Ends,
    ) -> Option<WeightSum> {
        let Some((level, deeper)) = levels.split_last_mut() else {
            // Depth 0: one leapfrog step.
            self.hamiltonian.leapfrog(z, self.step_size);
            self.leapfrog_steps += 1;
            let h = self
                .hamiltonian
                .energy_and_velocity(z, &mut ends.begin.velocity);
            if h - self.h0 > MAX_ENERGY_ERROR {
                self.divergent = true;
            }
            // A divergent state's log weight may be -∞: its acceptance is then 0, and its
            // weight is dropped with its subtree.
            let weight = WeightSum::one(self.h0 - h);
            self.sum_acceptance += weight.acceptance();
            self.draws[*proposal].copy_from_point(z, h);
            copy_reals(&mut ends.begin.momentum, &z.momentum);
            ends.single = true;
            // `rho` is left alone: a one-step subtree's summed momentum is its momentum, which
            // the caller reads from `ends.begin`.
            let _ = rho;
            return (!self.divergent).then_some(weight);
        };

        // The initial half writes its ends and proposal into the caller's.
        let weight_initial = self.build(deeper, z, proposal, &mut level.rho_initial, ends)?;
        let weight_final = self.build(
            deeper,
            z,
            &mut level.proposal_final,
            &mut level.rho_final,
            &mut level.last,
        )?;

        // Multinomial sampling between the two halves, in proportion to their weights. The
        // final half's proposal is not needed afterwards: swap, not copy.
        let (weight, accept) = weight_initial.merge(weight_final);
        let take = self.rng.random::<f64>() < accept;
        swap_if(take, proposal, &mut level.proposal_final);

        // Halves of one step each left their summed momenta in their boundaries.
        let (rho_initial, rho_final): (&[f64], &[f64]) = if deeper.is_empty() {
            (&ends.begin.momentum, &level.last.begin.momentum)
        } else {
            (&level.rho_initial, &level.rho_final)
        };
        for ((r, a), b) in rho.iter_mut().zip(rho_initial).zip(rho_final) {
            *r = a + b;
        }
        let persist = merge_persists(
            [&ends.begin, ends.end(), &level.last.begin, level.last.end()],
            rho_initial,
            rho_final,
        );
        // The merged subtree ends where the final half ends.
        let last_end = if level.last.single {
            &mut level.last.begin
        } else {
            &mut level.last.end
        };
        core::mem::swap(&mut ends.end, last_end);
        ends.single = false;
        persist.then_some(weight)
    }
}

/// Swaps `a` and `b` when `swap` holds, without a branch (see [`NutsWorkspace::draws`]).
#[inline(always)]
fn swap_if(swap: bool, a: &mut usize, b: &mut usize) {
    let mask = (swap as usize).wrapping_neg();
    let difference = (*a ^ *b) & mask;
    *a ^= difference;
    *b ^= difference;
}

/// Whether the trajectory made of two adjacent subtrees keeps expanding (Stan's criteria at a
/// merge). `ends` are, in the direction of integration, the outer end of the first subtree,
/// its inner end, the inner end of the second and its outer end; `rho_first` and
/// `rho_second` are the subtrees' summed momenta.
///
/// Three generalized no-U-turn criteria (Betancourt 2017, appendix A.4.2: `p♯₋ · ρ > 0` and
/// `p♯₊ · ρ > 0` with `ρ` the summed momenta and `p♯ = M⁻¹ p` at the two ends) must hold: on
/// the merged trajectory, and across the merge on each subtree extended by the nearest point
/// of the other (Stan issue #2799, pull request #2800), which catches U-turns that fall
/// between the subtrees. The six dot products are computed in one pass.
fn merge_persists(ends: [&Boundary; 4], rho_first: &[f64], rho_second: &[f64]) -> bool {
    let [outer_first, inner_first, inner_second, outer_second] = ends;
    let dim = rho_first.len();
    let vectors = MergeVectors {
        rho_first,
        rho_second: &rho_second[..dim],
        p_inner_first: &inner_first.momentum[..dim],
        p_inner_second: &inner_second.momentum[..dim],
        v_outer_first: &outer_first.velocity[..dim],
        v_inner_first: &inner_first.velocity[..dim],
        v_inner_second: &inner_second.velocity[..dim],
        v_outer_second: &outer_second.velocity[..dim],
    };
    if dim >= WIDE_MERGE_DIM {
        return crate::vector_math::dispatch(WideMerge::<8>(vectors));
    }
    // Each of the six dot products in two interleaved partial sums: one running sum per
    // product would be a chain of dependent additions as long as the dimension. The order of
    // the additions changes the sums in their last bits only, and so a U-turn decision only
    // when a product is within rounding of zero.
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of every x86-64 CPU.
    unsafe {
        narrow_merge_sse2(&vectors)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        crate::vector_math::Kernel::run(WideMerge::<2>(vectors))
    }
}

/// [`WideMerge`] at width 2, written in SSE2 (part of every x86-64 CPU), the same operations
/// in the same order: each product's two partial sums are one register. LLVM's own
/// vectorization of the lane-by-lane loop packed lanes of different products together and
/// spent more instructions shuffling them than adding: in 10 dimensions `merge_persists` took
/// 335 instructions per leapfrog step, and takes 230 (`valgrind --tool=callgrind`, the
/// overhead bench's chain), 6.5% of the sampler's instructions.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn narrow_merge_sse2(v: &MergeVectors<'_>) -> bool {
    use core::arch::x86_64::{
        __m128d, _mm_add_pd, _mm_cvtsd_f64, _mm_loadu_pd, _mm_mul_pd, _mm_set_sd, _mm_setzero_pd,
        _mm_unpackhi_pd,
    };
    let dim = v.rho_first.len();
    let columns = [
        v.rho_first,
        v.rho_second,
        v.p_inner_first,
        v.p_inner_second,
        v.v_outer_first,
        v.v_inner_first,
        v.v_inner_second,
        v.v_outer_second,
    ];
    assert!(columns.iter().all(|c| c.len() == dim));
    // `add_terms` on two lanes at once.
    let terms = |sums: &mut [__m128d; 6], [rf, rs, pif, pis, vof, vif, vis, vos]: [__m128d; 8]| {
        let rho = _mm_add_pd(rf, rs);
        sums[0] = _mm_add_pd(sums[0], _mm_mul_pd(vof, rho));
        sums[1] = _mm_add_pd(sums[1], _mm_mul_pd(vos, rho));
        let rho = _mm_add_pd(rf, pis);
        sums[2] = _mm_add_pd(sums[2], _mm_mul_pd(vof, rho));
        sums[3] = _mm_add_pd(sums[3], _mm_mul_pd(vis, rho));
        let rho = _mm_add_pd(rs, pif);
        sums[4] = _mm_add_pd(sums[4], _mm_mul_pd(vif, rho));
        sums[5] = _mm_add_pd(sums[5], _mm_mul_pd(vos, rho));
    };
    let mut sums = [_mm_setzero_pd(); 6];
    let whole = dim - dim % 2;
    for i in (0..whole).step_by(2) {
        // SAFETY: every column holds `dim` elements (asserted above) and `i + 1 < dim`.
        let block = columns.map(|c| unsafe { _mm_loadu_pd(c.as_ptr().add(i)) });
        terms(&mut sums, block);
    }
    if whole < dim {
        // The last element goes to the first partial sums; the second lanes add `0 · 0`.
        terms(&mut sums, columns.map(|c| _mm_set_sd(c[whole])));
    }
    sums.iter()
        .all(|&s| _mm_cvtsd_f64(s) + _mm_cvtsd_f64(_mm_unpackhi_pd(s, s)) > 0.0)
}

/// The dimension from which [`merge_persists`] runs at the vector units' width (dispatched to
/// AVX-512 or AVX2): 100 dimensions went from 532 to 475 ns per leapfrog step (`cargo bench
/// --bench nuts`). Below it the narrow loop stays: in 10 dimensions the dispatched loops of
/// the sampler lost 50-60 ns per step to wide loads of values just written by narrow stores.
const WIDE_MERGE_DIM: usize = 64;

/// [`merge_persists`] in blocks of `WIDE` elements, with `WIDE` partial sums per product (lane
/// `k` sums the elements `i` with `i % WIDE == k`, then the last `dim % WIDE` elements one per
/// lane). Written lane by lane on whole blocks, so that each product's partial sums can be one
/// vector register. `WIDE = 8` runs from [`WIDE_MERGE_DIM`] dimensions, dispatched to the
/// vector units; `WIDE = 2` is the narrow loop on CPUs other than x86-64, whose x86-64 form is
/// [`narrow_merge_sse2`] (LLVM vectorizes this one across products instead, with shuffles).
struct WideMerge<'a, const WIDE: usize>(MergeVectors<'a>);

impl<const WIDE: usize> crate::vector_math::Kernel for WideMerge<'_, WIDE> {
    type Output = bool;
    #[inline(always)]
    fn run(self) -> bool {
        let v = &self.0;
        let dim = v.rho_first.len();
        let blocks = dim / WIDE;
        let mut sums = [[0.0; WIDE]; 6];
        for b in 0..blocks {
            let r = b * WIDE..b * WIDE + WIDE;
            let block = |x: &[f64]| -> [f64; WIDE] { x[r.clone()].try_into().expect("a block") };
            let (rf, rs) = (block(v.rho_first), block(v.rho_second));
            let (pif, pis) = (block(v.p_inner_first), block(v.p_inner_second));
            let (vof, vif) = (block(v.v_outer_first), block(v.v_inner_first));
            let (vis, vos) = (block(v.v_inner_second), block(v.v_outer_second));
            for k in 0..WIDE {
                let element = [rf[k], rs[k], pif[k], pis[k], vof[k], vif[k], vis[k], vos[k]];
                add_terms(&mut sums, k, element);
            }
        }
        for (lane, i) in (blocks * WIDE..dim).enumerate() {
            v.accumulate(&mut sums, lane, i);
        }
        sums.iter().all(|lanes| reduce(lanes) > 0.0)
    }
}

/// The sum of a product's partial sums, pairwise.
#[inline(always)]
fn reduce<const WIDE: usize>(lanes: &[f64; WIDE]) -> f64 {
    match lanes.as_slice() {
        [a, b] => a + b,
        [a, b, c, d, e, f, g, h] => ((a + b) + (c + d)) + ((e + f) + (g + h)),
        _ => unreachable!("merge blocks are 2 or 8 elements wide"),
    }
}

/// The vectors of [`merge_persists`]' six dot products, all of the same length.
struct MergeVectors<'a> {
    rho_first: &'a [f64],
    rho_second: &'a [f64],
    p_inner_first: &'a [f64],
    p_inner_second: &'a [f64],
    v_outer_first: &'a [f64],
    v_inner_first: &'a [f64],
    v_inner_second: &'a [f64],
    v_outer_second: &'a [f64],
}

impl MergeVectors<'_> {
    /// Adds element `i`'s terms to partial sum `lane` of each product.
    #[inline(always)]
    fn accumulate<const W: usize>(&self, sums: &mut [[f64; W]; 6], lane: usize, i: usize) {
        add_terms(
            sums,
            lane,
            [
                self.rho_first[i],
                self.rho_second[i],
                self.p_inner_first[i],
                self.p_inner_second[i],
                self.v_outer_first[i],
                self.v_inner_first[i],
                self.v_inner_second[i],
                self.v_outer_second[i],
            ],
        );
    }
}

/// Adds one element's terms to partial sum `lane` of each of [`merge_persists`]' products: on
/// the merged trajectory, on the first subtree extended by the second's inner point, and on the
/// second extended by the first's. `element` holds the element of each vector in the order of
/// [`MergeVectors`]' fields.
#[inline(always)]
fn add_terms<const W: usize>(sums: &mut [[f64; W]; 6], lane: usize, element: [f64; 8]) {
    let [
        rho_first,
        rho_second,
        p_inner_first,
        p_inner_second,
        v_outer_first,
        v_inner_first,
        v_inner_second,
        v_outer_second,
    ] = element;
    let rho = rho_first + rho_second;
    sums[0][lane] += v_outer_first * rho;
    sums[1][lane] += v_outer_second * rho;
    let rho = rho_first + p_inner_second;
    sums[2][lane] += v_outer_first * rho;
    sums[3][lane] += v_inner_second * rho;
    let rho = rho_second + p_inner_first;
    sums[4][lane] += v_inner_first * rho;
    sums[5][lane] += v_outer_second * rho;
}

/// A sum of state weights `w = exp(H₀ - H)`, held as `scaled · exp(log_scale)`.
///
/// While every log weight `H₀ - H` in the sum lies within `±PLAIN_RANGE`, as it nearly always
/// does, `log_scale` is 0 and `scaled` is the plain sum of the weights: a state's weight is the
/// exponential that its acceptance statistic needs anyway, and merges are additions. Otherwise
/// (a trajectory far from energy conservation) `log_scale` is the largest log weight and
/// `1 ≤ scaled ≤` the number of states, so that the sum neither overflows nor underflows
/// however far the energy drifts.
///
/// Stan keeps `ln Σ w` and merges with log-sum-exp (an `exp` and a `log1p`), then takes
/// another `exp` for the probability of moving to the newer part. Here a state costs the one
/// `exp` of its acceptance statistic and a merge none. The two differ only in rounding: a
/// uniform draw would have to fall within about 1e-15 of the threshold for a decision to
/// change.
#[derive(Debug, Clone, Copy, PartialEq)]
struct WeightSum {
    log_scale: f64,
    scaled: f64,
}

impl WeightSum {
    /// The largest `|H₀ - H|` held as a plain weight: `e⁶⁰⁰` times the states of any
    /// trajectory (`2¹⁵⁰` would still fit) stays finite, and `e⁻⁶⁰⁰` is a normal number.
    const PLAIN_RANGE: f64 = 600.0;

    /// The weight of one state with (finite) log weight `log_weight`.
    fn one(log_weight: f64) -> Self {
        if log_weight.abs() <= Self::PLAIN_RANGE {
            WeightSum {
                log_scale: 0.0,
                scaled: log_weight.exp(),
            }
        } else {
            WeightSum {
                log_scale: log_weight,
                scaled: 1.0,
            }
        }
    }

    /// The acceptance statistic of a state of weight `self`: `min(1, exp(H₀ - H))`.
    fn acceptance(self) -> f64 {
        if self.log_scale == 0.0 {
            self.scaled.min(1.0)
        } else if self.log_scale > 0.0 {
            1.0
        } else {
            self.log_scale.exp()
        }
    }

    /// `self + other`, and the share `other / (self + other)`.
    fn merge(self, other: WeightSum) -> (WeightSum, f64) {
        if other.log_scale == self.log_scale {
            let scaled = self.scaled + other.scaled;
            let sum = WeightSum {
                log_scale: self.log_scale,
                scaled,
            };
            (sum, other.scaled / scaled)
        } else if other.log_scale > self.log_scale {
            let scaled = other.scaled + self.scaled * (self.log_scale - other.log_scale).exp();
            let sum = WeightSum {
                log_scale: other.log_scale,
                scaled,
            };
            (sum, other.scaled / scaled)
        } else {
            let part = other.scaled * (other.log_scale - self.log_scale).exp();
            let scaled = self.scaled + part;
            let sum = WeightSum {
                log_scale: self.log_scale,
                scaled,
            };
            (sum, part / scaled)
        }
    }

    /// `self / other` (`+∞` when it overflows).
    fn ratio_to(self, other: WeightSum) -> f64 {
        let ratio = self.scaled / other.scaled;
        if self.log_scale == other.log_scale {
            ratio
        } else {
            ratio * (self.log_scale - other.log_scale).exp()
        }
    }

    /// `ln` of the sum.
    #[cfg(test)]
    fn ln(self) -> f64 {
        self.log_scale + self.scaled.ln()
    }
}

/// Stan's NUTS written independently for the integration tests, which the unit tests below
/// run with a metric that the public API cannot set.
#[cfg(test)]
#[path = "../../tests/support/stan_nuts.rs"]
mod stan_nuts;

#[cfg(test)]
mod tests;
