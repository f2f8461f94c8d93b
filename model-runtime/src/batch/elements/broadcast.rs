//! Scalar arguments of a vectorized site (`f64`, `u64`, `Var`): one value broadcast to every
//! element. A tracked scalar is one input whose partial is the sum of the elements' partials,
//! which a row pass keeps as `ROW_LANES` partial sums so that consecutive elements do not wait
//! on each other.

use super::{Elements, Operand, ROW_LANES};
use crate::autodiff::Var;
use crate::scalar::Scalar;

/// A scalar argument, the same for every element.
macro_rules! broadcast {
    ($(impl[$($generics:tt)*] Elements<$t:ty> for $ty:ty;)*) => {$(
        impl<$($generics)*> Elements<$t> for $ty {
            #[inline(always)]
            fn length(&self) -> Option<usize> {
                None
            }
            #[inline(always)]
            fn value(&self, _i: usize) -> f64 {
                Operand::<$t>::plain(*self)
            }
            #[inline(always)]
            fn get(&self, _i: usize) -> $t {
                Operand::<$t>::scalar(*self)
            }
            #[inline(always)]
            fn inputs(&self) -> usize {
                usize::from(<$ty as Operand<$t>>::TRACKED)
            }
            #[inline(always)]
            fn backprop(&self, _i: usize, adjoint: f64, acc: &mut [f64]) {
                if <$ty as Operand<$t>>::TRACKED {
                    acc[0] += adjoint;
                }
            }
            fn edges<'s>(&'s self, acc: &'s [f64]) -> impl Iterator<Item = ($t, f64)> + 's {
                acc.iter().map(|&d| (Operand::<$t>::scalar(*self), d))
            }
            type Local = [f64; ROW_LANES];
            #[inline(always)]
            fn has_element_inputs(&self) -> bool {
                false
            }
            #[inline(always)]
            fn block(&self, _base: usize) -> [f64; ROW_LANES] {
                [Operand::<$t>::plain(*self); ROW_LANES]
            }
            #[inline(always)]
            fn backprop_lane(
                &self,
                _i: usize,
                lane: usize,
                adjoint: f64,
                local: &mut [f64; ROW_LANES],
            ) {
                if <$ty as Operand<$t>>::TRACKED {
                    local[lane] += adjoint;
                }
            }
            #[inline(always)]
            fn backprop_block(
                &self,
                _base: usize,
                adjoints: &[f64; ROW_LANES],
                local: &mut [f64; ROW_LANES],
            ) {
                if <$ty as Operand<$t>>::TRACKED {
                    for (l, a) in local.iter_mut().zip(adjoints) {
                        *l += a;
                    }
                }
            }
            #[inline(always)]
            fn backprop_element(&self, _i: usize, _adjoint: f64, _acc: &mut [f64], _offset: usize) {}
            #[inline(always)]
            fn finish_rows(&self, local: &[f64; ROW_LANES], acc: &mut [f64], offset: usize) {
                if <$ty as Operand<$t>>::TRACKED {
                    acc[offset] += crate::vector_math::sum(local);
                }
            }
        }
    )*};
}
broadcast! {
    impl[T: Scalar] Elements<T> for f64;
    impl[T: Scalar] Elements<T> for u64;
    impl[] Elements<Var> for Var;
}
