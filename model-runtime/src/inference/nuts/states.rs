//! The phase-space states of one NUTS transition, held in a pool and named by index.
//!
//! A leapfrog step reads its start state and writes a new one into a free slot; from then on
//! the state is never written again, only named: as the end of a subtree, as the draw of a
//! subtree, or as the point the trajectory extends from. Choosing a draw, moving a subtree's
//! end or passing a boundary to the U-turn check is then a copy of an index, where Stan's
//! `base_nuts` (and this sampler before the pool) copies positions, momenta and gradients.
//! The same design serves nuts-rs, whose states are reference-counted entries of a pool.
//!
//! Each slot counts the names it has; a slot no name holds goes back to the free list. Names
//! dropped with a discarded subtree (a divergence or a U-turn inside it ends the transition)
//! are not counted down: [`States::reset`] frees every slot when the next transition starts.

use crate::inference::hamiltonian::{State, StateMut};

/// Pool of phase-space states, each a position, momentum, gradient and velocity `M⁻¹ p` of
/// `dim` elements, with its log density and energy.
#[derive(Debug)]
pub(super) struct States {
    dim: usize,
    /// Slot `i`'s position, momentum, gradient and velocity, one after the other. One
    /// allocation per slot, so that growing the pool copies no state: a copy would hold the
    /// old states and the new at once, the peak that `tests/memory.rs` bounds.
    ///
    /// Every slot holds exactly `4 dim` values: [`reserve`](Self::reserve) makes them so and
    /// nothing resizes them. The accessors rely on it to split a slot without checking its
    /// length again (an `unsafe` split, local to this module): those checks, several for
    /// each state that a leapfrog step or a U-turn check names, were about 4% of the
    /// sampler's instructions in 10 dimensions (callgrind, the overhead bench's chain).
    values: Vec<Box<[f64]>>,
    log_density: Vec<f64>,
    energy: Vec<f64>,
    /// The names each slot has; 0 for a free slot.
    references: Vec<u32>,
    /// The free slots, the next one last.
    free: Vec<usize>,
}

impl States {
    /// An empty pool of states of dimension `dim`.
    pub(super) fn new(dim: usize) -> Self {
        States {
            dim,
            values: Vec::new(),
            log_density: Vec::new(),
            energy: Vec::new(),
            references: Vec::new(),
            free: Vec::new(),
        }
    }

    /// The number of slots.
    pub(super) fn len(&self) -> usize {
        self.references.len()
    }

    /// The number of free slots.
    #[cfg(test)]
    pub(super) fn free_count(&self) -> usize {
        self.free.len()
    }

    /// Grows the pool to at least `slots` slots, the new ones free.
    pub(super) fn reserve(&mut self, slots: usize) {
        let old = self.len();
        if slots <= old {
            return;
        }
        let values = vec![0.0; 4 * self.dim].into_boxed_slice();
        self.values.resize(slots, values);
        self.log_density.resize(slots, f64::NEG_INFINITY);
        self.energy.resize(slots, f64::INFINITY);
        self.references.resize(slots, 0);
        self.free.extend((old..slots).rev());
    }

    /// Frees every slot.
    pub(super) fn reset(&mut self) {
        self.references.fill(0);
        self.free.clear();
        self.free.extend((0..self.len()).rev());
    }

    /// A free slot, given `names` names; grows the pool when none is free (which warm
    /// transitions avoid: see [`reserve`](Self::reserve)).
    #[inline]
    pub(super) fn take(&mut self, names: u32) -> usize {
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => self.grow(),
        };
        self.references[slot] = names;
        slot
    }

    /// A new slot, out of the way of `take`'s path.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) -> usize {
        self.reserve(self.len() + 1);
        self.free.pop().expect("a slot just added")
    }

    /// Drops one name of `slot`, freeing it when it has none left.
    #[inline]
    pub(super) fn release(&mut self, slot: usize) {
        debug_assert!(self.references[slot] > 0, "slot {slot} released unnamed");
        self.references[slot] -= 1;
        if self.references[slot] == 0 {
            self.free.push(slot);
        }
    }

    /// Vector `k` of `slot`: its position (0), momentum (1), gradient (2) or velocity (3).
    #[inline(always)]
    fn vector<const K: usize>(&self, slot: usize) -> &[f64] {
        const { assert!(K < 4) };
        vector::<K>(&self.values[slot], self.dim)
    }

    /// The momentum of `slot`.
    #[inline]
    pub(super) fn momentum(&self, slot: usize) -> &[f64] {
        self.vector::<1>(slot)
    }

    /// The velocity `M⁻¹ p` of `slot`.
    #[inline]
    pub(super) fn velocity(&self, slot: usize) -> &[f64] {
        self.vector::<3>(slot)
    }

    /// The position of `slot`.
    #[inline]
    pub(super) fn position(&self, slot: usize) -> &[f64] {
        self.vector::<0>(slot)
    }

    /// The gradient of the log density at `slot`'s position.
    #[inline]
    pub(super) fn gradient(&self, slot: usize) -> &[f64] {
        self.vector::<2>(slot)
    }

    pub(super) fn log_density(&self, slot: usize) -> f64 {
        self.log_density[slot]
    }

    pub(super) fn energy(&self, slot: usize) -> f64 {
        self.energy[slot]
    }

    /// Sets the log density and energy of `slot`.
    #[inline]
    pub(super) fn set_scalars(&mut self, slot: usize, log_density: f64, energy: f64) {
        self.log_density[slot] = log_density;
        self.energy[slot] = energy;
    }

    /// `slot`'s vectors for writing.
    pub(super) fn state_mut(&mut self, slot: usize) -> StateMut<'_> {
        state_mut(&mut self.values[slot], self.dim)
    }

    /// The state at `from`, to read, and the slot `to`, to write (`from != to`).
    #[inline(always)]
    pub(super) fn pair(&mut self, from: usize, to: usize) -> (State<'_>, StateMut<'_>) {
        let dim = self.dim;
        let [read, write] = self
            .values
            .get_disjoint_mut([from, to])
            .expect("a leapfrog step writes a new slot");
        let read = State {
            position: vector::<0>(read, dim),
            momentum: vector::<1>(read, dim),
            gradient: vector::<2>(read, dim),
        };
        (read, state_mut(write, dim))
    }
}

/// Vector `k` of a slot's values (`K < 4`).
#[inline(always)]
fn vector<const K: usize>(values: &[f64], dim: usize) -> &[f64] {
    debug_assert_eq!(values.len(), 4 * dim);
    // SAFETY: a slot holds `4 dim` values (see `States::values`) and `K < 4`.
    unsafe { values.get_unchecked(K * dim..(K + 1) * dim) }
}

/// The four vectors of a slot's values.
#[inline]
fn state_mut(values: &mut [f64], dim: usize) -> StateMut<'_> {
    debug_assert_eq!(values.len(), 4 * dim);
    // SAFETY: a slot holds `4 dim` values (see `States::values`), so each split is within it.
    unsafe {
        let (position, rest) = values.split_at_mut_unchecked(dim);
        let (momentum, rest) = rest.split_at_mut_unchecked(dim);
        let (gradient, velocity) = rest.split_at_mut_unchecked(dim);
        StateMut {
            position,
            momentum,
            gradient,
            velocity,
        }
    }
}
