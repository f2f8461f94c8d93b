//! The per-thread tape and the backward sweep.

use std::cell::{Cell, RefCell};

use super::Var;

/// Index marking a constant: a value that no input influences, with no tape entry.
pub(super) const CONSTANT: u32 = u32::MAX;

/// One thread's record of operations. Node `k` has the edges
/// `edges[ends[k - 1]..ends[k]]`: pairs of (operand node, partial derivative). Every operand
/// of node `k` is a node before `k`, and `ends` never decreases: the backward sweep relies on
/// both.
#[derive(Default)]
struct Tape {
    ends: Vec<u32>,
    edges: Vec<(u32, f64)>,
    adjoints: Vec<f64>,
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
        return Var {
            value,
            index: x.index,
        };
    }
    with_tape(|tape| {
        tape.edges.push((x.index, dx));
        record(tape, value)
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
        record(tape, value)
    })
}

/// Closes the node whose edges were just appended.
#[inline(always)]
fn record(tape: &mut Tape, value: f64) -> Var {
    let end = tape.edges.len() as u32;
    let index = tape.ends.len() as u32;
    tape.ends.push(end);
    Var { value, index }
}

/// Appends a node with operands given by an iterator (for n-ary operations such as sums).
pub(super) fn push_many(value: f64, operands: impl Iterator<Item = (Var, f64)>) -> Var {
    with_tape(|tape| {
        let start = tape.edges.len();
        // Internal iteration: the operands of a vectorized statement are chains of iterators,
        // which `for_each` walks without checking which part it is in at every element.
        operands.for_each(|(v, d)| {
            if v.index != CONSTANT {
                tape.edges.push((v.index, d));
            }
        });
        match &tape.edges[start..] {
            [] => return Var::constant(value),
            // One variable operand with partial 1: an alias of it, as in `unary`.
            &[(index, 1.0)] => {
                tape.edges.pop();
                return Var { value, index };
            }
            _ => {}
        }
        record(tape, value)
    })
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
    with_tape(|tape| {
        tape.ends.clear();
        tape.edges.clear();
        inputs.clear();
        for &x in position {
            let index = tape.ends.len() as u32;
            tape.ends.push(0);
            inputs.push(Var { value: x, index });
        }
    });
    let result = f(&inputs);
    let outcome = match result {
        Ok(output) => {
            backward(output, &inputs, gradient);
            Ok(output.value)
        }
        Err(e) => Err(e),
    };
    INPUTS.with(|i| *i.borrow_mut() = inputs);
    outcome
}

/// The number of nodes on this thread's tape (inputs included): lets tests confirm that a
/// vectorized statement records one node.
#[doc(hidden)]
pub fn recorded_nodes() -> usize {
    with_tape(|tape| tape.ends.len())
}

/// Propagates adjoints from `output` back to the inputs.
fn backward(output: Var, inputs: &[Var], gradient: &mut [f64]) {
    gradient.fill(0.0);
    if output.index == CONSTANT {
        return;
    }
    with_tape(|tape| {
        let n = output.index as usize + 1;
        tape.adjoints.clear();
        tape.adjoints.resize(n, 0.0);
        tape.adjoints[n - 1] = 1.0;
        let (ends, edges, adjoints) = (&tape.ends[..n], &tape.edges[..], &mut tape.adjoints[..]);
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
                    // Checked: a `Var` kept from an earlier gradient may name any node.
                    adjoints[operand as usize] += adjoint * partial;
                }
            }
            end = start;
        }
        for (g, x) in gradient.iter_mut().zip(inputs) {
            if (x.index as usize) < n {
                *g = adjoints[x.index as usize];
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::Scalar;

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
