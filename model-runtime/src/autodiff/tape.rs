//! The per-thread tape and the backward sweep.

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU32, Ordering};

use super::Var;

/// Index marking a constant: a value that no input influences, with no tape entry.
pub(super) const CONSTANT: u32 = u32::MAX;

/// The operand of an edge that stands for a run of operands (see [`Run`]); its partial holds
/// the run's index in `Tape::runs` (as the bits of the `f64`). Never a node's index: that
/// would take 2³² - 1 nodes.
const RUN: u32 = u32::MAX - 1;

/// Consecutive operands `first..first + len` of one node, with their partials at
/// `dense[offset..offset + len]`: a vector of variables made together (a vector site's
/// values) as one edge, so that recording the node copies the partials and the backward sweep
/// adds them in one vectorizable loop instead of one scattered update per operand.
#[derive(Clone, Copy)]
struct Run {
    first: u32,
    len: u32,
    offset: usize,
}

/// The shortest run recorded as one edge: eight schools' eight values were slower as a run
/// than as eight edges (the run's bookkeeping costs more than the scattered updates it
/// saves), the hierarchical anchor's 85 faster.
const MIN_RUN: usize = 16;

/// The generation of a node with an operand from another tape (and of constants, which have
/// none): never a tape's generation, so a result it flows into fails `gradient`'s check.
pub(super) const MIXED: u32 = 0;

/// The next tape generation: one per `gradient` call, over all threads.
static NEXT_GENERATION: AtomicU32 = AtomicU32::new(1);

/// One thread's record of operations. Node `k` has the edges
/// `edges[ends[k - 1]..ends[k]]`: pairs of (operand node, partial derivative). Every operand
/// of node `k` is a node before `k`, and `ends` never decreases: the backward sweep relies on
/// both.
#[derive(Default)]
struct Tape {
    ends: Vec<u32>,
    edges: Vec<(u32, f64)>,
    /// The runs that edges with operand [`RUN`] name, and their partials.
    runs: Vec<Run>,
    dense: Vec<f64>,
    adjoints: Vec<f64>,
    /// The `gradient` call recording on it.
    generation: u32,
}

thread_local! {
    // The tape is reached through a plain pointer: a thread-local without a destructor is a
    // bare address, where one that owns its `Vec`s must check on every access whether its
    // destructor is registered, and every operation of a gradient reaches the tape.
    static TAPE: Cell<*mut Tape> = const { Cell::new(core::ptr::null_mut()) };
    // The owner of the tape, which frees it when the thread ends.
    static OWNER: TapeOwner = const { TapeOwner(Cell::new(core::ptr::null_mut())) };
    /// The input variables of the gradient being computed, kept to reuse their buffer.
    static INPUTS: RefCell<Vec<Var>> = const { RefCell::new(Vec::new()) };
}

/// Owns the thread's tape: dropping it (at thread exit) frees the tape and clears `TAPE`, so a
/// later access allocates a new tape instead of reading freed memory.
struct TapeOwner(Cell<*mut Tape>);

impl Drop for TapeOwner {
    fn drop(&mut self) {
        let tape = self.0.replace(core::ptr::null_mut());
        if !tape.is_null() {
            let _ = TAPE.try_with(|t| t.set(core::ptr::null_mut()));
            // SAFETY: `tape` came from `Box::into_raw` in `new_tape`, and this is its only owner.
            drop(unsafe { Box::from_raw(tape) });
        }
    }
}

/// Allocates this thread's tape on first use.
#[cold]
#[inline(never)]
fn new_tape() -> *mut Tape {
    let tape = Box::into_raw(Box::<Tape>::default());
    // If the owner is already destroyed (an operation inside another thread-local's
    // destructor), the tape is leaked rather than freed under a live pointer.
    let _ = OWNER.try_with(|owner| owner.0.set(tape));
    TAPE.with(|t| t.set(tape));
    tape
}

/// Runs `f` with the thread's tape.
///
/// Every caller is a short function of this module that calls no user code while it holds the
/// reference, so no second reference to the tape can exist at the same time; this is what makes
/// the unchecked access sound, and it spares each operation a `RefCell` flag check.
#[inline(always)]
fn with_tape<R>(f: impl FnOnce(&mut Tape) -> R) -> R {
    let mut tape = TAPE.with(Cell::get);
    if tape.is_null() {
        tape = new_tape();
    }
    // SAFETY: `tape` points to this thread's live tape (freed only with `TAPE` cleared); see
    // above: the reference never escapes `f`, and `f` never re-enters the tape.
    f(unsafe { &mut *tape })
}

/// A node with one operand and its partial: a constant if the operand is, and the operand
/// itself under the new value if the partial is 1 (`x + c`, `x - c`): such a node would only
/// pass its adjoint on unchanged, so it records nothing.
#[inline(always)]
pub(super) fn unary(value: f64, x: Var, dx: f64) -> Var {
    if x.index == CONSTANT || dx == 1.0 {
        return var(value, x.index, generation(x));
    }
    with_tape(|tape| {
        tape.edges.push((x.index, dx));
        record(tape, value, generation(x))
    })
}

/// A node with two operands and their partials; a constant operand is dropped (see `unary`).
#[inline(always)]
pub(super) fn binary(value: f64, (x, dx): (Var, f64), (y, dy): (Var, f64)) -> Var {
    if y.index == CONSTANT {
        return unary(value, x, dx);
    }
    if x.index == CONSTANT {
        return unary(value, y, dy);
    }
    with_tape(|tape| {
        tape.edges
            .extend_from_slice(&[(x.index, dx), (y.index, dy)]);
        let generation = if generation(x) == generation(y) {
            generation(x)
        } else {
            MIXED
        };
        record(tape, value, generation)
    })
}

/// Closes the node whose edges were just appended; `generation` is its operands' (their
/// common one, or [`MIXED`]): a node is of this tape only if all its operands are.
#[inline(always)]
fn record(tape: &mut Tape, value: f64, generation: u32) -> Var {
    let end = tape.edges.len() as u32;
    let index = tape.ends.len() as u32;
    tape.ends.push(end);
    var(value, index, generation)
}

/// A variable; its generation is kept in debug builds only (see [`Var`]).
#[inline(always)]
pub(super) fn var(value: f64, index: u32, generation: u32) -> Var {
    #[cfg(not(debug_assertions))]
    let _ = generation;
    Var {
        value,
        index,
        #[cfg(debug_assertions)]
        generation,
    }
}

/// The generation of `v`'s tape in debug builds; in release builds every variable's is
/// [`MIXED`], and no check is made.
#[inline(always)]
fn generation(v: Var) -> u32 {
    #[cfg(debug_assertions)]
    return v.generation;
    #[cfg(not(debug_assertions))]
    {
        let _ = v;
        MIXED
    }
}

/// Appends a node with operands given by an iterator (for n-ary operations such as sums).
#[inline]
pub(super) fn push_many(value: f64, operands: impl Iterator<Item = (Var, f64)>) -> Var {
    push_with_runs(value, operands, core::iter::empty())
}

/// [`push_many`] with runs of operands besides: each `(vars, partials)` of `runs` adds the
/// operands `vars[i]` with partials `partials[i]`. A run of consecutive variables (the values
/// of one vector site) is recorded as one edge (see [`Run`]); any other, one edge per
/// variable.
pub(super) fn push_with_runs<'r>(
    value: f64,
    operands: impl Iterator<Item = (Var, f64)>,
    runs: impl Iterator<Item = (&'r [Var], &'r [f64])>,
) -> Var {
    with_tape(|tape| {
        let start = tape.edges.len();
        let current = if cfg!(debug_assertions) {
            tape.generation
        } else {
            MIXED
        };
        let mut foreign = false;
        // Internal iteration: the operands of a vectorized statement are chains of iterators,
        // which `for_each` walks without checking which part it is in at every element. The
        // runs' operands come after the others.
        operands.for_each(|(v, d)| {
            if v.index != CONSTANT {
                foreign |= generation(v) != current;
                tape.edges.push((v.index, d));
            }
        });
        for (vars, partials) in runs {
            let partials = &partials[..vars.len()];
            if cfg!(debug_assertions) {
                foreign |= vars
                    .iter()
                    .any(|v| v.index != CONSTANT && generation(*v) != current);
            }
            if vars.is_empty() {
                continue;
            }
            if vars.len() < MIN_RUN || !consecutive(vars) {
                for (v, &d) in vars.iter().zip(partials) {
                    if v.index != CONSTANT {
                        tape.edges.push((v.index, d));
                    }
                }
                continue;
            }
            tape.edges
                .push((RUN, f64::from_bits(tape.runs.len() as u64)));
            tape.runs.push(Run {
                first: vars[0].index,
                len: vars.len() as u32,
                offset: tape.dense.len(),
            });
            tape.dense.extend_from_slice(partials);
        }
        let generation = if foreign { MIXED } else { current };
        match &tape.edges[start..] {
            [] => return Var::constant(value),
            // One variable operand with partial 1: an alias of it, as in `unary`.
            &[(index, 1.0)] if index != RUN => {
                tape.edges.pop();
                return var(value, index, generation);
            }
            _ => {}
        }
        record(tape, value, generation)
    })
}

/// Whether `vars` are consecutive nodes (none a constant), as the values of one vector site.
fn consecutive(vars: &[Var]) -> bool {
    let first = vars[0].index;
    // One pass without an early exit, which the compiler can vectorize. Every index of a run
    // lies below `RUN` (and so below `CONSTANT`).
    let mut all = first as u64 + vars.len() as u64 <= RUN as u64;
    for (i, v) in vars.iter().enumerate() {
        all &= v.index == first.wrapping_add(i as u32);
    }
    all
}

/// The value of `f` at `position`, with its gradient written into `gradient`.
///
/// `f` receives one input variable per coordinate. Calls must not be nested on one thread (the
/// tape belongs to the outermost call).
///
/// # Example
///
/// ```
/// use model_runtime::autodiff::gradient;
/// use model_runtime::Scalar;
///
/// let mut g = [0.0; 2];
/// let value = gradient(&[2.0, 3.0], &mut g, |x| Ok::<_, ()>(x[0] * x[1] + x[0].ln())).unwrap();
/// assert_eq!(value, 6.0 + 2f64.ln());
/// assert_eq!(g, [3.0 + 0.5, 2.0]);
/// ```
pub fn gradient<E>(
    position: &[f64],
    gradient: &mut [f64],
    f: impl FnOnce(&[Var]) -> Result<Var, E>,
) -> Result<f64, E> {
    assert_eq!(
        position.len(),
        gradient.len(),
        "gradient buffer has the wrong length"
    );
    let mut inputs = INPUTS.with(|i| std::mem::take(&mut *i.borrow_mut()));
    let current = with_tape(|tape| {
        tape.ends.clear();
        tape.edges.clear();
        tape.runs.clear();
        tape.dense.clear();
        inputs.clear();
        tape.generation = if cfg!(debug_assertions) {
            next_generation()
        } else {
            MIXED
        };
        // The inputs are nodes 0..n without edges: written in bulk, with no capacity check
        // per element.
        let generation = tape.generation;
        tape.ends.resize(position.len(), 0);
        inputs.extend(
            position
                .iter()
                .enumerate()
                .map(|(index, &x)| var(x, index as u32, generation)),
        );
        generation
    });
    let result = f(&inputs);
    let outcome = match result {
        Ok(output) => {
            if cfg!(debug_assertions) && output.index != CONSTANT && generation(output) != current {
                foreign_var();
            }
            backward(output, &inputs, gradient);
            Ok(output.value)
        }
        Err(e) => Err(e),
    };
    INPUTS.with(|i| *i.borrow_mut() = inputs);
    outcome
}

/// A generation no tape has had yet (never [`MIXED`]; after 2³² − 1 calls the count wraps,
/// and a `Var` kept that long could go unnoticed).
fn next_generation() -> u32 {
    let generation = NEXT_GENERATION.fetch_add(1, Ordering::Relaxed);
    if generation == MIXED {
        NEXT_GENERATION.fetch_add(1, Ordering::Relaxed)
    } else {
        generation
    }
}

#[cold]
#[inline(never)]
fn foreign_var() -> ! {
    panic!(
        "a `Var` from another gradient computation reached the result: a `Var` is valid only \
         inside the `gradient` call that made it (one kept from an earlier call, or made on \
         another thread, names a node of another tape); keep values as `f64` instead"
    )
}

/// The number of nodes on this thread's tape (inputs included): lets tests confirm that a
/// vectorized statement records one node.
#[doc(hidden)]
pub fn recorded_nodes() -> usize {
    with_tape(|tape| tape.ends.len())
}

/// Propagates adjoints from `output` back to the inputs.
fn backward(output: Var, inputs: &[Var], gradient: &mut [f64]) {
    if output.index == CONSTANT {
        gradient.fill(0.0);
        return;
    }
    with_tape(|tape| {
        let n = output.index as usize + 1;
        tape.adjoints.clear();
        tape.adjoints.resize(n, 0.0);
        tape.adjoints[n - 1] = 1.0;
        let (ends, edges, adjoints) = (&tape.ends[..n], &tape.edges[..], &mut tape.adjoints[..]);
        let (runs, dense) = (&tape.runs[..], &tape.dense[..]);
        assert!(ends[n - 1] as usize <= edges.len());
        // Inputs come first and have no edges: the sweep stops at the first of the others.
        let first = inputs.len().clamp(1, n);
        let mut end = ends[n - 1] as usize;
        for k in (first..n).rev() {
            let start = ends[k - 1] as usize;
            let adjoint = adjoints[k];
            if adjoint != 0.0 {
                // SAFETY: `ends` never decreases and its last entry is at most `edges.len()`
                // (asserted above), so `start..end` lies within `edges`.
                for &(operand, partial) in unsafe { edges.get_unchecked(start..end) } {
                    // Every operand of this tape's node `k` comes before it; a `Var` kept from
                    // an earlier gradient may name any node, and is refused here when it does
                    // not (the compare replaces the bounds check, at no extra cost).
                    let operand = operand as usize;
                    if operand >= k {
                        if operand == RUN as usize {
                            add_run(adjoints, k, runs, dense, adjoint, partial);
                            continue;
                        }
                        foreign_var();
                    }
                    // SAFETY: `operand < k < n == adjoints.len()`.
                    unsafe { *adjoints.get_unchecked_mut(operand) += adjoint * partial };
                }
            }
            end = start;
        }
        // Input `i` is node `i` (see `gradient`), so the gradient is the adjoints' first
        // entries: one copy rather than a lookup per input.
        debug_assert!(
            inputs
                .iter()
                .enumerate()
                .all(|(i, x)| x.index as usize == i)
        );
        let m = inputs.len().min(n);
        gradient[..m].copy_from_slice(&adjoints[..m]);
        // Inputs after the output's node take no part in it.
        gradient[m..].fill(0.0);
    });
}

/// Adds `adjoint` times the partials of the run that `partial` names to the adjoints of its
/// operands, which must come before node `k`. Kept out of the backward sweep's loop, whose
/// other edges it would slow (eight schools' gradient, which has no runs, about 6% slower with it
/// inlined).
#[inline(never)]
fn add_run(
    adjoints: &mut [f64],
    k: usize,
    runs: &[Run],
    dense: &[f64],
    adjoint: f64,
    partial: f64,
) {
    let run = runs[partial.to_bits() as usize];
    let (first, len) = (run.first as usize, run.len as usize);
    if first + len > k {
        foreign_var();
    }
    let partials = &dense[run.offset..run.offset + len];
    for (a, d) in adjoints[first..first + len].iter_mut().zip(partials) {
        *a += adjoint * d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::Scalar;

    #[test]
    #[cfg_attr(
        not(debug_assertions),
        ignore = "a Var's generation, which catches these uses, is kept in debug builds only"
    )]
    fn a_var_kept_from_an_earlier_call_is_caught_not_used() {
        let mut g = [0.0; 2];
        let mut kept = None;
        gradient(&[1.0, 2.0], &mut g, |x| {
            kept = Some(x[0] * x[1]);
            Ok::<_, ()>(x[0] + x[1])
        })
        .unwrap();
        let kept = kept.unwrap();
        // Used in the next call, it would name node 2 of the new tape (`x[0] * x[1]` there
        // too, with other values): every way it can reach the result is caught.
        let uses: [fn(&[Var], Var) -> Var; 4] = [
            |x, k| x[0] * k,
            |x, k| k.exp() + x[1],
            |x, k| Var::sum([x[0], k, x[1]].into_iter()),
            |_, k| k,
        ];
        for (i, used) in uses.into_iter().enumerate() {
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                gradient(&[3.0, 4.0], &mut g, |x| {
                    let _ = x[0] * x[1];
                    Ok::<_, ()>(used(x, kept))
                })
            }));
            let payload = caught.expect_err(&format!("use {i} was caught"));
            let message = payload.downcast_ref::<&str>().copied().unwrap_or_default();
            assert!(
                message.contains("another gradient computation"),
                "{message}"
            );
        }
        // Constants and this call's own variables are fine.
        gradient(&[3.0, 4.0], &mut g, |x| {
            Ok::<_, ()>(x[0] * Var::constant(2.0) + x[1])
        })
        .unwrap();
        assert_eq!(g, [2.0, 1.0]);
    }

    #[test]
    fn a_var_from_another_thread_is_caught() {
        let mut g = [0.0];
        let theirs = std::thread::spawn(|| {
            let mut kept = None;
            gradient(&[1.0], &mut [0.0], |x| {
                kept = Some(x[0] * 2.0);
                Ok::<_, ()>(x[0])
            })
            .unwrap();
            kept.unwrap()
        })
        .join()
        .unwrap();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            gradient(&[1.0], &mut g, |x| Ok::<_, ()>(x[0] + theirs))
        }));
        assert!(caught.is_err());
    }

    /// A node with runs (consecutive inputs as one edge, others scattered, short ones as
    /// edges) has the gradient of the same node with every operand as its own edge, also under
    /// a later node that scales its adjoint.
    #[test]
    fn runs_of_operands_have_the_gradient_of_single_edges() {
        let position: Vec<f64> = (0..80).map(|i| (i as f64 * 0.37).sin()).collect();
        let partials: Vec<f64> = (0..80).map(|i| 1.0 + (i as f64 * 0.11).cos()).collect();
        let node = |x: &[Var], runs: bool| -> Var {
            let scattered: Vec<Var> = [50, 44, 47, 41].iter().map(|&i| x[i]).collect();
            let groups: [(&[Var], &[f64]); 4] = [
                (&x[1..MIN_RUN + 9], &partials[1..]),
                (&scattered, &partials[30..34]),
                (&x[40..43], &partials[40..43]),
                (&x[45..45 + MIN_RUN], &partials[45..]),
            ];
            let lone = [(x[0], 2.0), (x[44], -1.5)].into_iter();
            let value = 0.25;
            if runs {
                Var::from_parts_and_runs(value, lone, groups.into_iter())
            } else {
                let all = groups
                    .into_iter()
                    .flat_map(|(v, p)| v.iter().copied().zip(p.iter().copied()));
                Var::from_parts(value, lone.chain(all))
            }
        };
        let mut with_runs = vec![0.0; 80];
        let mut with_edges = vec![0.0; 80];
        for (runs, g) in [(true, &mut with_runs), (false, &mut with_edges)] {
            gradient(&position, g, |x| Ok::<_, ()>(node(x, runs) * x[79] + x[3])).unwrap();
        }
        assert_eq!(with_runs, with_edges);
        assert_eq!(with_runs[1], partials[1] * position[79]);
        assert_eq!(with_runs[3], partials[3] * position[79] + 1.0);
        // The runs were recorded as runs.
        gradient(&position, &mut with_runs, |x| {
            let _ = node(x, true);
            with_tape(|t| assert_eq!(t.runs.len(), 2));
            Ok::<_, ()>(x[0])
        })
        .unwrap();
    }

    #[test]
    fn constants_take_no_tape_space() {
        let mut g = [0.0];
        gradient(&[1.0], &mut g, |x| {
            let c = Var::constant(2.0) * 3.0 + 1.0;
            assert!(c.is_constant());
            let before = with_tape(|t| t.ends.len());
            let _ = c.exp();
            assert_eq!(with_tape(|t| t.ends.len()), before);
            Ok::<_, ()>(x[0] * c)
        })
        .unwrap();
        assert_eq!(g, [7.0]);
    }

    #[test]
    fn shifts_by_constants_record_no_node_and_keep_the_gradient() {
        let mut g = [0.0; 2];
        let value = gradient(&[2.0, 3.0], &mut g, |x| {
            let before = with_tape(|t| t.ends.len());
            // x₀ + 1, 4 + (x₀ + 1), a sum with one variable term: aliases of x₀.
            let a = x[0] + 1.0;
            let b = 4.0 + a - 0.0;
            let c = Var::sum([b, Var::constant(0.5)].into_iter());
            assert_eq!(with_tape(|t| t.ends.len()), before);
            Ok::<_, ()>(c * x[1] - 2.0)
        })
        .unwrap();
        assert_eq!(value, (2.0 + 1.0 + 4.0 + 0.5) * 3.0 - 2.0);
        assert_eq!(g, [3.0, 7.5]);
    }

    #[test]
    fn unused_inputs_have_zero_gradient_and_reuse_is_clean() {
        let mut g = [9.0, 9.0];
        gradient(&[1.0, 2.0], &mut g, |x| Ok::<_, ()>(x[1] * x[1])).unwrap();
        assert_eq!(g, [0.0, 4.0]);
        gradient(&[1.0, 2.0], &mut g, |x| Ok::<_, ()>(x[0] * 5.0)).unwrap();
        assert_eq!(g, [5.0, 0.0]);
    }
}
