//! Sets of operand positions, for any number of operands.

use std::fmt;

/// A set of a call's operands, by position (0 is the first operand): the
/// operands contracted into one argument of a [`PathStep`](super::PathStep).
/// It holds any number of operands.
///
/// ```
/// use einsum_static::OperandSet;
/// let set: OperandSet = [40, 2, 7].into_iter().collect();
/// assert_eq!(set.to_vec(), [2, 7, 40]);
/// assert!(set.contains(40) && !set.contains(3));
/// assert_eq!(set.len(), 3);
/// assert_eq!(OperandSet::single(5).only(), Some(5));
/// assert_eq!(set.union(&OperandSet::single(5)).to_vec(), [2, 5, 7, 40]);
/// assert_eq!(format!("{set:?}"), "{2, 7, 40}");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct OperandSet {
    /// Bit `k % 64` of word `k / 64` for operand `k`; no trailing zero
    /// words, so that equal sets compare equal.
    words: Vec<u64>,
}

impl OperandSet {
    /// The empty set.
    ///
    /// ```
    /// assert!(einsum_static::OperandSet::new().is_empty());
    /// ```
    pub const fn new() -> OperandSet {
        OperandSet { words: Vec::new() }
    }

    /// The set of operand `k` alone.
    ///
    /// ```
    /// let set = einsum_static::OperandSet::single(70);
    /// assert_eq!(set.to_vec(), [70]);
    /// ```
    pub fn single(k: usize) -> OperandSet {
        let mut set = OperandSet::new();
        set.insert(k);
        set
    }

    /// The operands of the bits of `bits` (bit `k` for operand `k`).
    pub(crate) fn from_bits(bits: u64) -> OperandSet {
        let words = if bits == 0 { Vec::new() } else { vec![bits] };
        OperandSet { words }
    }

    /// Adds operand `k`.
    ///
    /// ```
    /// let mut set = einsum_static::OperandSet::new();
    /// set.insert(3);
    /// set.insert(3);
    /// assert_eq!(set.len(), 1);
    /// ```
    pub fn insert(&mut self, k: usize) {
        let word = k / 64;
        if self.words.len() <= word {
            self.words.resize(word + 1, 0);
        }
        self.words[word] |= 1 << (k % 64);
    }

    /// Whether operand `k` is in the set.
    ///
    /// ```
    /// let set = einsum_static::OperandSet::single(64);
    /// assert!(set.contains(64) && !set.contains(0));
    /// ```
    pub fn contains(&self, k: usize) -> bool {
        self.words
            .get(k / 64)
            .is_some_and(|word| word & 1 << (k % 64) != 0)
    }

    /// The number of operands in the set.
    ///
    /// ```
    /// let set: einsum_static::OperandSet = (0..100).collect();
    /// assert_eq!(set.len(), 100);
    /// ```
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set has no operand.
    ///
    /// ```
    /// assert!(!einsum_static::OperandSet::single(0).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The operand when the set holds exactly one.
    ///
    /// ```
    /// use einsum_static::OperandSet;
    /// assert_eq!(OperandSet::single(9).only(), Some(9));
    /// assert_eq!([1, 2].into_iter().collect::<OperandSet>().only(), None);
    /// ```
    pub fn only(&self) -> Option<usize> {
        let mut operands = self.iter();
        let first = operands.next()?;
        operands.next().is_none().then_some(first)
    }

    /// The operands in either set.
    ///
    /// ```
    /// use einsum_static::OperandSet;
    /// let both = OperandSet::single(0).union(&OperandSet::single(99));
    /// assert_eq!(both.to_vec(), [0, 99]);
    /// ```
    pub fn union(&self, other: &OperandSet) -> OperandSet {
        let (long, short) = if self.words.len() >= other.words.len() {
            (self, other)
        } else {
            (other, self)
        };
        let mut words = long.words.clone();
        for (w, s) in words.iter_mut().zip(&short.words) {
            *w |= s;
        }
        OperandSet { words }
    }

    /// The operands, in increasing order.
    ///
    /// ```
    /// let set: einsum_static::OperandSet = [65, 1].into_iter().collect();
    /// assert!(set.iter().eq([1, 65]));
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(w * 64 + bit)
            })
        })
    }

    /// The operands, in increasing order.
    ///
    /// ```
    /// let set = einsum_static::OperandSet::single(2);
    /// assert_eq!(set.to_vec(), vec![2]);
    /// ```
    pub fn to_vec(&self) -> Vec<usize> {
        self.iter().collect()
    }
}

impl FromIterator<usize> for OperandSet {
    fn from_iter<I: IntoIterator<Item = usize>>(operands: I) -> Self {
        let mut set = OperandSet::new();
        for k in operands {
            set.insert(k);
        }
        set
    }
}

impl fmt::Debug for OperandSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_beyond_64_operands_compare_by_their_members() {
        let mut a = OperandSet::single(130);
        a.insert(3);
        let b: OperandSet = [3, 130].into_iter().collect();
        assert_eq!(a, b);
        assert_eq!(a.len(), 2);
        assert_eq!(a.only(), None);
        // A union with an empty or shorter set keeps the normal form.
        assert_eq!(a.union(&OperandSet::new()), b);
        assert_eq!(OperandSet::single(3).union(&OperandSet::single(130)), b);
        assert_eq!(OperandSet::from_bits(0b101).to_vec(), [0, 2]);
        assert_eq!(OperandSet::from_bits(0), OperandSet::new());
    }
}
