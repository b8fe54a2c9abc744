//! `alpha` and `beta` (BLAS): `out = alpha * result + beta * out`, applied
//! where each output element is stored.

use crate::Element;

/// The scaling of a call's stores. With `beta = 0` the old contents are
/// never read, so a NaN in an uninitialized output does not propagate.
///
/// ```
/// use einsum_static::__private::Scale;
/// let scale = Scale::new(2.0, 0.5);
/// assert_eq!(scale.apply(3.0, || 10.0), 11.0);
/// assert_eq!(Scale::new(2.0, 0.0).apply(3.0, || f64::NAN), 6.0);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Scale<T> {
    alpha: T,
    /// `None` for `beta = 0`.
    beta: Option<T>,
}

impl<T: Element> Scale<T> {
    /// `alpha * result + beta * out`.
    #[inline]
    pub fn new(alpha: T, beta: T) -> Self {
        Scale {
            alpha,
            beta: (!beta.is_zero()).then_some(beta),
        }
    }

    /// `alpha * result`, for a new array (no `beta`).
    #[inline]
    pub fn alpha(alpha: T) -> Self {
        Scale { alpha, beta: None }
    }

    /// `alpha ⊗ result ⊕ beta ⊗ out` of a semiring (`crate::semiring`),
    /// whose zero is not 0: `beta` is kept as given (`None`: not given).
    #[inline]
    pub fn semiring(alpha: T, beta: Option<T>) -> Self {
        Scale { alpha, beta }
    }

    /// The factor of the old contents, if any.
    #[inline(always)]
    pub(crate) fn old_factor(&self) -> Option<T> {
        self.beta
    }

    /// `result + beta * out`.
    #[inline]
    pub fn beta(beta: T) -> Self {
        Scale::new(T::one(), beta)
    }

    /// `alpha * value`: a rank-0 result returned as a value.
    #[inline]
    pub fn of_new(&self, value: T) -> T {
        self.alpha.mul_wrapping(value)
    }

    /// The factor of the result.
    #[inline(always)]
    pub(crate) fn factor(&self) -> T {
        self.alpha
    }

    /// The value to store for `value`, given the old one (read only when
    /// `beta != 0`).
    #[inline(always)]
    pub fn apply(&self, value: T, old: impl FnOnce() -> T) -> T {
        let scaled = self.alpha.mul_wrapping(value);
        match self.beta {
            None => scaled,
            Some(beta) => scaled.add_wrapping(beta.mul_wrapping(old())),
        }
    }

    /// The stores of one of several products added into the same output
    /// (slices of a summed axis) under `scale` (`None`: plain stores): the
    /// first stores as `scale` says, the later ones add theirs, scaled by
    /// `alpha`, to what the earlier ones stored.
    #[inline]
    pub(crate) fn of_part(scale: Option<Scale<T>>, first: bool) -> Scale<T> {
        let alpha = scale.map_or(T::one(), |scale| scale.alpha);
        match (first, scale) {
            (true, Some(scale)) => scale,
            (true, None) => Scale::alpha(alpha),
            (false, _) => Scale {
                alpha,
                beta: Some(T::one()),
            },
        }
    }

    /// What a later part of such a sum makes of `old`, the output so far:
    /// `old + alpha * part` (the first part stored with [`Scale::of_part`]).
    #[inline]
    pub(crate) fn add_part(scale: Option<Scale<T>>, old: T, part: T) -> T {
        let part = scale.map_or(part, |scale| scale.alpha.mul_wrapping(part));
        old.add_wrapping(part)
    }

    /// Whether the stores are plain: `out = value`.
    #[inline(always)]
    pub(crate) fn is_plain(&self) -> bool {
        self.beta.is_none() && self.alpha.is_one()
    }

    /// Whether the stores add: `out = value + out`.
    #[inline(always)]
    pub(crate) fn is_sum(&self) -> bool {
        matches!(self.beta, Some(beta) if beta.is_one()) && self.alpha.is_one()
    }
}
