//! Masks over the elements of a vectorized site (NumPyro's `mask`): none, one flag for all
//! elements, or one flag per element.

/// A mask over the elements of a vectorized site: masked-out elements add nothing to the log
/// density (NumPyro's `mask`), but are still drawn when the site is sampled.
pub trait MaskArg {
    /// Whether element `i` counts.
    fn keep(&self, i: usize) -> bool;
    /// The mask's length (`None` for one flag for all elements).
    fn length(&self) -> Option<usize>;
    /// Whether every element counts, known without reading the flags one by one.
    fn all(&self) -> bool {
        false
    }
}

/// No mask: every element counts.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoMask;

impl MaskArg for NoMask {
    #[inline(always)]
    fn keep(&self, _i: usize) -> bool {
        true
    }
    fn all(&self) -> bool {
        true
    }
    fn length(&self) -> Option<usize> {
        None
    }
}

impl MaskArg for bool {
    #[inline(always)]
    fn keep(&self, _i: usize) -> bool {
        *self
    }
    fn all(&self) -> bool {
        *self
    }
    fn length(&self) -> Option<usize> {
        None
    }
}

impl MaskArg for &[bool] {
    #[inline(always)]
    fn keep(&self, i: usize) -> bool {
        self[i]
    }
    fn length(&self) -> Option<usize> {
        Some(<[bool]>::len(self))
    }
}

impl MaskArg for &Vec<bool> {
    #[inline(always)]
    fn keep(&self, i: usize) -> bool {
        self[i]
    }
    fn length(&self) -> Option<usize> {
        Some(Vec::len(self))
    }
}
