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
//! allocates nothing. Its states sit in a pool and are named by index (the `states`
//! module): a leapfrog step writes a new state, and choosing a draw or moving a subtree's end
//! copies an index, not the vectors. Sums of weights are scaled exponentials ([`WeightSum`])
//! rather than log-sum-exps, one `exp` per merge instead of two and a `log1p`.

use rand::{Rng, RngExt};

use super::GradientTarget;
use super::error::SamplerError;
use super::hamiltonian::{Hamiltonian, PhasePoint, copy_reals};
use super::kernel::{MAX_ENERGY_ERROR, TransitionKernel, sealed};
use super::stats::TransitionStats;
use states::States;

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
            states,
            rho,
            rho_subtree,
            rho_next,
            levels,
        } = workspace;
        let dim = current.position.len();
        states.reset();
        // The initial point is the trajectory's two ends and its draw so far.
        let start = states.take(3);
        let start_state = states.state_mut(start);
        copy_reals(start_state.position, &current.position);
        copy_reals(start_state.gradient, &current.gradient);
        hamiltonian.sample_momentum(start_state.momentum, rng);
        let h0 = hamiltonian.energy_and_velocity_at(
            current.log_density,
            start_state.momentum,
            start_state.velocity,
        );
        states.set_scalars(start, current.log_density, h0);
        let (mut backward_end, mut forward_end, mut sample) = (start, start, start);
        // Weights are exp(H₀ - H), so the initial point has weight 1.
        let mut weight = WeightSum::one(0.0);

        let mut tree = Tree {
            hamiltonian,
            rng,
            states,
            step_size,
            h0,
            leapfrog_steps: 0,
            sum_acceptance: 0.0,
            divergent: false,
        };
        let mut depth = 0;
        while depth < self.max_tree_depth {
            // A subtree of depth d needs the buffers of d merge levels and the states of
            // `Level::states_needed`. They are allocated the first time the chain reaches
            // that depth, and reused from then on.
            if levels.len() < depth {
                levels.push(Level::new(dim));
                tree.states.reserve(Level::states_needed(depth));
            }
            let forwards = tree.rng.random::<f64>() > 0.5;
            // Extend from the end in the direction drawn; backwards in time, the step is negative.
            let (from, signed_step) = if forwards {
                (forward_end, step_size)
            } else {
                (backward_end, -step_size)
            };
            tree.step_size = signed_step;
            let Some(subtree) = tree.build(&mut levels[..depth], from, rho_subtree) else {
                break;
            };
            let states = &mut *tree.states;

            // Biased progressive sampling: move to the new subtree with probability
            // min(1, w_new / w_old).
            let accept = subtree.weight.ratio_to(weight);
            let take = accept > 1.0 || tree.rng.random::<f64>() < accept;
            let mut dropped = subtree.proposal;
            swap_if(take, &mut sample, &mut dropped);
            states.release(dropped);
            weight = weight.merge(subtree.weight).0;

            // In the direction of time the trajectory is its backward part from its far end to
            // its near one, then its forward part from its near end to its far one.
            let ends = if forwards {
                [backward_end, forward_end, subtree.begin, subtree.end]
            } else {
                [subtree.end, subtree.begin, backward_end, forward_end]
            };
            let persist = if depth == 0 {
                // The initial point and one step from it: two one-step subtrees, whose summed
                // momenta are their momenta.
                let pair = [ends[0], ends[3]];
                pair_persists(
                    pair.map(|slot| states.momentum(slot)),
                    pair.map(|slot| states.velocity(slot)),
                    rho_next,
                )
            } else {
                let (rho_first, rho_second) = if forwards {
                    (&**rho, &**rho_subtree)
                } else {
                    (&**rho_subtree, &**rho)
                };
                merge_persists(
                    velocities(states, ends),
                    [states.momentum(ends[1]), states.momentum(ends[2])],
                    [rho_first, rho_second],
                    rho_next,
                )
            };
            core::mem::swap(rho, rho_next);
            // The old end and the subtree's near end are inside the trajectory now.
            states.release(subtree.begin);
            let end = if forwards {
                &mut forward_end
            } else {
                &mut backward_end
            };
            states.release(*end);
            *end = subtree.end;
            depth += 1;
            if !persist {
                break;
            }
        }

        let states = &*tree.states;
        let stats = TransitionStats {
            step_size,
            tree_depth: depth,
            leapfrog_steps: tree.leapfrog_steps,
            divergent: tree.divergent,
            energy: states.energy(sample),
            // Averaged over every step, including those of a rejected last subtree (Stan).
            acceptance_probability: tree.sum_acceptance / tree.leapfrog_steps.max(1) as f64,
            log_density: states.log_density(sample),
        };
        // The momentum is left as it was: the next transition draws a new one.
        copy_reals(&mut current.position, states.position(sample));
        copy_reals(&mut current.gradient, states.gradient(sample));
        current.log_density = states.log_density(sample);
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
    /// The states of the trajectory that are still named.
    states: States,
    /// The summed momenta of the trajectory, of the newest subtree, and of their merge.
    rho: Vec<f64>,
    rho_subtree: Vec<f64>,
    rho_next: Vec<f64>,
    /// `levels[d - 1]` serves the merges inside subtrees of depth `d`; grown on first use.
    levels: Vec<Level>,
}

impl NutsWorkspace {
    fn new(dim: usize) -> Self {
        let mut states = States::new(dim);
        states.reserve(Level::states_needed(0));
        NutsWorkspace {
            states,
            rho: vec![0.0; dim],
            rho_subtree: vec![0.0; dim],
            rho_next: vec![0.0; dim],
            levels: Vec::new(),
        }
    }
}

/// The summed momenta of the two halves of one merge inside `build`: a subtree of depth
/// `d ≥ 1` is an initial and a final subtree of depth `d - 1` (Stan's `build_tree`, general
/// recursion).
#[derive(Debug)]
struct Level {
    rho_initial: Vec<f64>,
    rho_final: Vec<f64>,
}

impl Level {
    fn new(dim: usize) -> Self {
        Level {
            rho_initial: vec![0.0; dim],
            rho_final: vec![0.0; dim],
        }
    }

    /// The most states a transition names at once while it builds a subtree of depth `depth`.
    ///
    /// Besides the trajectory's two ends and draw (3), each merge level whose initial half is
    /// built names that half's begin, end and draw: 3 states, 2 for a half of two steps (its
    /// draw is one of its ends), 1 for a half of one step. The most are named at a merge of
    /// the first or second level with every level above in its final half, or at a new step
    /// with every level in its final half: `3 + 1 + 2 + 3 (depth - 2) + 1 = 3 depth + 1`
    /// (`tests.rs` checks that trees reach it and never exceed it). Back at the top the
    /// trajectory's 3 and the new subtree's 3 make 6.
    fn states_needed(depth: usize) -> usize {
        (3 * depth + 1).max(6)
    }
}

/// A subtree built by [`Tree::build`]: the states at its two ends, in the direction it was
/// built, and the state drawn from it, each a name in the transition's [`States`].
#[derive(Debug, Clone, Copy)]
struct Subtree {
    begin: usize,
    end: usize,
    proposal: usize,
    /// Its summed weights `exp(H₀ - H)`.
    weight: WeightSum,
}

/// The state of one transition's tree building.
struct Tree<'h, 'a, T: ?Sized, R: ?Sized> {
    hamiltonian: &'h mut Hamiltonian<'a, T>,
    rng: &'h mut R,
    states: &'h mut States,
    /// Signed: negative when building backwards in time.
    step_size: f64,
    h0: f64,
    leapfrog_steps: usize,
    sum_acceptance: f64,
    divergent: bool,
}

impl<T: GradientTarget + ?Sized, R: Rng + ?Sized> Tree<'_, '_, T, R> {
    /// Stan's `build_tree`: extends the trajectory from the state `from` by `2^depth` leapfrog
    /// steps, where `depth = levels.len()` (the merge buffers it may use), and writes the new
    /// subtree's summed momenta into `rho` (when `depth ≥ 1`: a one-step subtree's summed
    /// momentum is the momentum of its state, which the caller reads there).
    /// Returns the subtree, or `None` when it diverged or made a U-turn inside; the caller
    /// must then discard it (its names are not released: the next transition frees them).
    fn build(&mut self, levels: &mut [Level], from: usize, rho: &mut [f64]) -> Option<Subtree> {
        let Some((level, deeper)) = levels.split_last_mut() else {
            return self.step(from);
        };

        // The halves of a two-step subtree are single steps, taken here rather than through
        // two more calls of `build` (a quarter of the calls, and half of those it makes).
        let (initial, last) = if deeper.is_empty() {
            let initial = self.step(from)?;
            (initial, self.step(initial.end)?)
        } else {
            let initial = self.build(deeper, from, &mut level.rho_initial)?;
            (
                initial,
                self.build(deeper, initial.end, &mut level.rho_final)?,
            )
        };

        // Multinomial sampling between the two halves, in proportion to their weights.
        let (weight, accept) = initial.weight.merge(last.weight);
        let take = self.rng.random::<f64>() < accept;
        let (mut proposal, mut dropped) = (initial.proposal, last.proposal);
        swap_if(take, &mut proposal, &mut dropped);
        let states = &mut *self.states;
        states.release(dropped);

        let persist = if deeper.is_empty() {
            // Two states of one step each.
            pair_persists(
                [states.momentum(initial.begin), states.momentum(last.begin)],
                [states.velocity(initial.begin), states.velocity(last.begin)],
                rho,
            )
        } else {
            let ends = [initial.begin, initial.end, last.begin, last.end];
            merge_persists(
                velocities(states, ends),
                [states.momentum(initial.end), states.momentum(last.begin)],
                [&level.rho_initial, &level.rho_final],
                rho,
            )
        };
        // The merged subtree runs from the initial half's begin to the final half's end.
        states.release(initial.end);
        states.release(last.begin);
        persist.then_some(Subtree {
            begin: initial.begin,
            end: last.end,
            proposal,
            weight,
        })
    }

    /// A subtree of depth 0: one leapfrog step from `from` into a new state, the subtree's two
    /// ends and draw.
    #[inline(always)]
    fn step(&mut self, from: usize) -> Option<Subtree> {
        let to = self.states.take(3);
        let (from, state) = self.states.pair(from, to);
        let (log_density, h) = self.hamiltonian.leapfrog_into(from, state, self.step_size);
        self.states.set_scalars(to, log_density, h);
        self.leapfrog_steps += 1;
        if h - self.h0 > MAX_ENERGY_ERROR {
            self.divergent = true;
        }
        // A divergent state's log weight may be -∞: its acceptance is then 0, and its weight is
        // dropped with its subtree.
        let weight = WeightSum::one(self.h0 - h);
        self.sum_acceptance += weight.acceptance();
        (!self.divergent).then_some(Subtree {
            begin: to,
            end: to,
            proposal: to,
            weight,
        })
    }
}

/// The velocities of four states.
#[inline(always)]
fn velocities(states: &States, [a, b, c, d]: [usize; 4]) -> [&[f64]; 4] {
    [
        states.velocity(a),
        states.velocity(b),
        states.velocity(c),
        states.velocity(d),
    ]
}

/// Swaps `a` and `b` when `swap` holds, without a branch: the choices between draws are coin
/// flips that a branch predictor would miss half the time, each miss discarding the work
/// begun after it.
#[inline(always)]
fn swap_if(swap: bool, a: &mut usize, b: &mut usize) {
    let mask = (swap as usize).wrapping_neg();
    let difference = (*a ^ *b) & mask;
    *a ^= difference;
    *b ^= difference;
}

/// Whether the trajectory made of two adjacent subtrees keeps expanding (Stan's criteria at a
/// merge). `velocities` are `p♯ = M⁻¹ p` at, in the direction of integration, the outer end of
/// the first subtree, its inner end, the inner end of the second and its outer end;
/// `inner_momenta` are the momenta at the two inner ends; `rhos` are the subtrees' summed
/// momenta. Also writes the merged trajectory's summed momenta, `rhos[0] + rhos[1]`, into
/// `rho`: the loop adds them for its first two products anyway, and a loop of its own cost
/// as many instructions again as the stores, most of them in LLVM's checks that the vectors
/// do not overlap.
///
/// Three generalized no-U-turn criteria (Betancourt 2017, appendix A.4.2: `p♯₋ · ρ > 0` and
/// `p♯₊ · ρ > 0` with `ρ` the summed momenta and `p♯ = M⁻¹ p` at the two ends) must hold: on
/// the merged trajectory, and across the merge on each subtree extended by the nearest point
/// of the other (Stan issue #2799, pull request #2800), which catches U-turns that fall
/// between the subtrees. The six dot products are computed in one pass.
fn merge_persists(
    velocities: [&[f64]; 4],
    inner_momenta: [&[f64]; 2],
    rhos: [&[f64]; 2],
    rho: &mut [f64],
) -> bool {
    let [v_outer_first, v_inner_first, v_inner_second, v_outer_second] = velocities;
    let [p_inner_first, p_inner_second] = inner_momenta;
    let [rho_first, rho_second] = rhos;
    let dim = rho_first.len();
    let rho = &mut rho[..dim];
    let vectors = MergeVectors {
        rho_first,
        rho_second: &rho_second[..dim],
        p_inner_first: &p_inner_first[..dim],
        p_inner_second: &p_inner_second[..dim],
        v_outer_first: &v_outer_first[..dim],
        v_inner_first: &v_inner_first[..dim],
        v_inner_second: &v_inner_second[..dim],
        v_outer_second: &v_outer_second[..dim],
    };
    if dim >= WIDE_MERGE_DIM {
        return crate::vector_math::dispatch(WideMerge::<8>(vectors, rho));
    }
    // Each of the six dot products in two interleaved partial sums: one running sum per
    // product would be a chain of dependent additions as long as the dimension. The order of
    // the additions changes the sums in their last bits only, and so a U-turn decision only
    // when a product is within rounding of zero.
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of every x86-64 CPU.
    unsafe {
        narrow_merge_sse2(&vectors, rho)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        crate::vector_math::Kernel::run(WideMerge::<2>(vectors, rho))
    }
}

/// [`merge_persists`] for two subtrees of one state each, with momenta `momenta` and
/// velocities `velocities`; also writes their summed momentum into `rho`.
///
/// Each subtree is then its own inner and outer end, and its summed momentum is its momentum,
/// so the three criteria are one: the first state extended by the second has the momenta of
/// the merged pair, `p₁ + p₂`, and so has the second extended by the first (`p₂ + p₁`, the
/// same sums: floating-point addition commutes). Of the six dot products two remain,
/// `p♯₁ · (p₁ + p₂)` and `p♯₂ · (p₁ + p₂)`, with the same partial sums as in
/// `merge_persists`, so the decision is the same to the last bit. Half of a tree's merges are
/// of this kind.
fn pair_persists(momenta: [&[f64]; 2], velocities: [&[f64]; 2], rho: &mut [f64]) -> bool {
    let dim = rho.len();
    let ([p_first, p_second], [v_first, v_second]) = (momenta, velocities);
    let columns = [p_first, p_second, v_first, v_second].map(|c| &c[..dim]);
    if dim >= WIDE_MERGE_DIM {
        return crate::vector_math::dispatch(WidePair::<8> { columns, rho });
    }
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of every x86-64 CPU.
    unsafe {
        narrow_pair_sse2(columns, rho)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        crate::vector_math::Kernel::run(WidePair::<2> { columns, rho })
    }
}

/// [`pair_persists`] with the lanes of [`WideMerge`] (whose first two products it computes):
/// `columns` are the two momenta and the two velocities.
struct WidePair<'a, const WIDE: usize> {
    columns: [&'a [f64]; 4],
    rho: &'a mut [f64],
}

impl<const WIDE: usize> crate::vector_math::Kernel for WidePair<'_, WIDE> {
    type Output = bool;
    #[inline(always)]
    fn run(self) -> bool {
        let WidePair { columns, rho } = self;
        let dim = rho.len();
        let [p_first, p_second, v_first, v_second] = columns.map(|c| &c[..dim]);
        let blocks = dim / WIDE;
        let mut sums = [[0.0; WIDE]; 2];
        // Whole blocks read into registers first, as in `WideMerge`: lane by lane, with the
        // store to `rho` last, so that the loop vectorizes within a block.
        for b in 0..blocks {
            let r = b * WIDE..b * WIDE + WIDE;
            let block = |x: &[f64]| -> [f64; WIDE] { x[r.clone()].try_into().expect("a block") };
            let (pf, ps) = (block(p_first), block(p_second));
            let (vf, vs) = (block(v_first), block(v_second));
            let sum: [f64; WIDE] = core::array::from_fn(|k| pf[k] + ps[k]);
            for k in 0..WIDE {
                sums[0][k] += vf[k] * sum[k];
                sums[1][k] += vs[k] * sum[k];
            }
            rho[r].copy_from_slice(&sum);
        }
        for (lane, i) in (blocks * WIDE..dim).enumerate() {
            let sum = p_first[i] + p_second[i];
            rho[i] = sum;
            sums[0][lane] += v_first[i] * sum;
            sums[1][lane] += v_second[i] * sum;
        }
        sums.iter().all(|lanes| reduce(lanes) > 0.0)
    }
}

/// [`pair_persists`] in SSE2, with the lanes of [`narrow_merge_sse2`]: elements of even index
/// in the first partial sum, of odd index in the second, and an odd last element in the first.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn narrow_pair_sse2(columns: [&[f64]; 4], rho: &mut [f64]) -> bool {
    use core::arch::x86_64::{
        _mm_add_pd, _mm_cvtsd_f64, _mm_loadu_pd, _mm_mul_pd, _mm_set_sd, _mm_setzero_pd,
        _mm_storeu_pd, _mm_unpackhi_pd,
    };
    let dim = rho.len();
    assert!(columns.iter().all(|c| c.len() == dim));
    let mut sums = [_mm_setzero_pd(); 2];
    let whole = dim - dim % 2;
    for i in (0..whole / 2).map(|k| 2 * k) {
        // SAFETY: every column and `rho` hold `dim` elements (asserted above) and
        // `i + 1 < dim`.
        let [p_first, p_second, v_first, v_second] =
            columns.map(|c| unsafe { _mm_loadu_pd(c.as_ptr().add(i)) });
        let sum = _mm_add_pd(p_first, p_second);
        unsafe { _mm_storeu_pd(rho.as_mut_ptr().add(i), sum) };
        sums[0] = _mm_add_pd(sums[0], _mm_mul_pd(v_first, sum));
        sums[1] = _mm_add_pd(sums[1], _mm_mul_pd(v_second, sum));
    }
    if whole < dim {
        let [p_first, p_second, v_first, v_second] = columns.map(|c| _mm_set_sd(c[whole]));
        let sum = _mm_add_pd(p_first, p_second);
        rho[whole] = _mm_cvtsd_f64(sum);
        sums[0] = _mm_add_pd(sums[0], _mm_mul_pd(v_first, sum));
        sums[1] = _mm_add_pd(sums[1], _mm_mul_pd(v_second, sum));
    }
    sums.iter()
        .all(|&s| _mm_cvtsd_f64(s) + _mm_cvtsd_f64(_mm_unpackhi_pd(s, s)) > 0.0)
}

/// [`WideMerge`] at width 2, written in SSE2 (part of every x86-64 CPU), the same operations
/// in the same order: each product's two partial sums are one register. LLVM's own
/// vectorization of the lane-by-lane loop packed lanes of different products together and
/// spent more instructions shuffling them than adding: in 10 dimensions `merge_persists` took
/// 335 instructions per leapfrog step, and takes 230 (`valgrind --tool=callgrind`, the
/// overhead bench's chain), 6.5% of the sampler's instructions.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn narrow_merge_sse2(v: &MergeVectors<'_>, rho: &mut [f64]) -> bool {
    use core::arch::x86_64::{
        __m128d, _mm_add_pd, _mm_cvtsd_f64, _mm_loadu_pd, _mm_mul_pd, _mm_set_sd, _mm_setzero_pd,
        _mm_storeu_pd, _mm_unpackhi_pd,
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
    assert!(rho.len() == dim && columns.iter().all(|c| c.len() == dim));
    // `add_terms` on two lanes at once; returns the merged trajectory's summed momenta.
    let terms = |sums: &mut [__m128d; 6], [rf, rs, pif, pis, vof, vif, vis, vos]: [__m128d; 8]| {
        let merged = _mm_add_pd(rf, rs);
        sums[0] = _mm_add_pd(sums[0], _mm_mul_pd(vof, merged));
        sums[1] = _mm_add_pd(sums[1], _mm_mul_pd(vos, merged));
        let rho = _mm_add_pd(rf, pis);
        sums[2] = _mm_add_pd(sums[2], _mm_mul_pd(vof, rho));
        sums[3] = _mm_add_pd(sums[3], _mm_mul_pd(vis, rho));
        let rho = _mm_add_pd(rs, pif);
        sums[4] = _mm_add_pd(sums[4], _mm_mul_pd(vif, rho));
        sums[5] = _mm_add_pd(sums[5], _mm_mul_pd(vos, rho));
        merged
    };
    let mut sums = [_mm_setzero_pd(); 6];
    let whole = dim - dim % 2;
    for i in (0..whole / 2).map(|k| 2 * k) {
        // SAFETY: every column and `rho` hold `dim` elements (asserted above) and
        // `i + 1 < dim`.
        let load = |c: &[f64]| unsafe { _mm_loadu_pd(c.as_ptr().add(i)) };
        let merged = terms(&mut sums, each(columns, load));
        unsafe { _mm_storeu_pd(rho.as_mut_ptr().add(i), merged) };
    }
    if whole < dim {
        // The last element goes to the first partial sums; the second lanes add `0 · 0`.
        let merged = terms(&mut sums, each(columns, |c| _mm_set_sd(c[whole])));
        rho[whole] = _mm_cvtsd_f64(merged);
    }
    sums.iter()
        .all(|&s| _mm_cvtsd_f64(s) + _mm_cvtsd_f64(_mm_unpackhi_pd(s, s)) > 0.0)
}

/// `columns.map(f)`, written out: with the store of the merged momenta in
/// [`narrow_merge_sse2`]'s loop, LLVM stopped inlining `map` there, and the loop took twice
/// the instructions.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn each<T>(columns: [&[f64]; 8], f: impl Fn(&[f64]) -> T) -> [T; 8] {
    let [a, b, c, d, e, g, h, k] = columns;
    [f(a), f(b), f(c), f(d), f(e), f(g), f(h), f(k)]
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
/// The second field receives the merged trajectory's summed momenta.
struct WideMerge<'a, const WIDE: usize>(MergeVectors<'a>, &'a mut [f64]);

impl<const WIDE: usize> crate::vector_math::Kernel for WideMerge<'_, WIDE> {
    type Output = bool;
    #[inline(always)]
    fn run(self) -> bool {
        let WideMerge(v, rho) = self;
        let dim = v.rho_first.len();
        let rho = &mut rho[..dim];
        let blocks = dim / WIDE;
        let mut sums = [[0.0; WIDE]; 6];
        for b in 0..blocks {
            let r = b * WIDE..b * WIDE + WIDE;
            let block = |x: &[f64]| -> [f64; WIDE] { x[r.clone()].try_into().expect("a block") };
            let (rf, rs) = (block(v.rho_first), block(v.rho_second));
            let (pif, pis) = (block(v.p_inner_first), block(v.p_inner_second));
            let (vof, vif) = (block(v.v_outer_first), block(v.v_inner_first));
            let (vis, vos) = (block(v.v_inner_second), block(v.v_outer_second));
            let mut merged = [0.0; WIDE];
            for k in 0..WIDE {
                let element = [rf[k], rs[k], pif[k], pis[k], vof[k], vif[k], vis[k], vos[k]];
                merged[k] = add_terms(&mut sums, k, element);
            }
            rho[r].copy_from_slice(&merged);
        }
        for (lane, i) in (blocks * WIDE..dim).enumerate() {
            rho[i] = v.accumulate(&mut sums, lane, i);
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
    /// Adds element `i`'s terms to partial sum `lane` of each product; returns the element of
    /// the merged trajectory's summed momenta.
    #[inline(always)]
    fn accumulate<const W: usize>(&self, sums: &mut [[f64; W]; 6], lane: usize, i: usize) -> f64 {
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
        )
    }
}

/// Adds one element's terms to partial sum `lane` of each of [`merge_persists`]' products: on
/// the merged trajectory, on the first subtree extended by the second's inner point, and on the
/// second extended by the first's. `element` holds the element of each vector in the order of
/// [`MergeVectors`]' fields. Returns the element of the merged trajectory's summed momenta.
#[inline(always)]
fn add_terms<const W: usize>(sums: &mut [[f64; W]; 6], lane: usize, element: [f64; 8]) -> f64 {
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
    let merged = rho_first + rho_second;
    sums[0][lane] += v_outer_first * merged;
    sums[1][lane] += v_outer_second * merged;
    let rho = rho_first + p_inner_second;
    sums[2][lane] += v_outer_first * rho;
    sums[3][lane] += v_inner_second * rho;
    let rho = rho_second + p_inner_first;
    sums[4][lane] += v_inner_first * rho;
    sums[5][lane] += v_outer_second * rho;
    merged
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
mod states;

#[cfg(test)]
#[path = "../../tests/support/stan_nuts.rs"]
mod stan_nuts;

#[cfg(test)]
mod tests;
