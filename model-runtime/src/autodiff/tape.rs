//! The per-thread tape and the backward sweep.

use std::cell::{RefCell, UnsafeCell};

use super::Var;

/// Index marking a constant: a value that no input influences, with no tape entry.
pub(super) const CONSTANT: u32 = u32::MAX;

/// One thread's record of operations. Node `k` has the edges
/// `edges[ends[k - 1]..ends[k]]`: pairs of (operand node, partial derivative).
struct Tape {
    ends: Vec<u32>,
    edges: Vec<(u32, f64)>,
    adjoints: Vec<f64>,
}

thread_local! {
    // `const` initialization: no lazy-init check on each of the many accesses per gradient.
    static TAPE: UnsafeCell<Tape> = const {
        UnsafeCell::new(Tape { ends: Vec::new(), edges: Vec::new(), adjoints: Vec::new() })
    };
    /// The input variables of the gradient being computed, kept to reuse their buffer.
    static INPUTS: RefCell<Vec<Var>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with the thread's tape.
///
/// Every caller is a short function of this module that calls no user code while it holds the
/// reference, so no second reference to the tape can exist at the same time; this is what makes
/// the unchecked access sound, and it spares each operation a `RefCell` flag check.
#[inline(always)]
fn with_tape<R>(f: impl FnOnce(&mut Tape) -> R) -> R {
    // SAFETY: see above: the reference never escapes `f`, and `f` never re-enters the tape.
    TAPE.with(|tape| f(unsafe { &mut *tape.get() }))
}

/// Appends a node with the given operand partials and returns its variable. Constant operands
/// are skipped; a node with no variable operand is a constant, and a node whose only variable
/// operand has partial 1 (`x + c`, `x - c`, a sum with one variable term) is that operand under
/// a new value: it records nothing, since its adjoint would pass to the operand unchanged.
#[inline(always)]
pub(super) fn push(value: f64, operands: &[(Var, f64)]) -> Var {
    let mut variables = operands.iter().filter(|(v, _)| v.index != CONSTANT);
    match (variables.next(), variables.next()) {
        (None, _) => return Var::constant(value),
        (Some(&(v, 1.0)), None) => {
            return Var {
                value,
                index: v.index,
            };
        }
        _ => {}
    }
    with_tape(|tape| {
        for &(v, d) in operands {
            if v.index != CONSTANT {
                tape.edges.push((v.index, d));
            }
        }
        let end = tape.edges.len() as u32;
        let index = tape.ends.len() as u32;
        tape.ends.push(end);
        Var { value, index }
    })
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
            // One variable operand with partial 1: an alias of it, as in `push`.
            &[(index, 1.0)] => {
                tape.edges.pop();
                return Var { value, index };
            }
            _ => {}
        }
        let end = tape.edges.len() as u32;
        let index = tape.ends.len() as u32;
        tape.ends.push(end);
        Var { value, index }
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
        tape.adjoints[output.index as usize] = 1.0;
        for k in (0..n).rev() {
            let adjoint = tape.adjoints[k];
            if adjoint == 0.0 {
                continue;
            }
            let start = if k == 0 { 0 } else { tape.ends[k - 1] as usize };
            let end = tape.ends[k] as usize;
            for &(operand, partial) in &tape.edges[start..end] {
                tape.adjoints[operand as usize] += adjoint * partial;
            }
        }
        for (g, x) in gradient.iter_mut().zip(inputs) {
            if (x.index as usize) < n {
                *g = tape.adjoints[x.index as usize];
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scalar;

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
