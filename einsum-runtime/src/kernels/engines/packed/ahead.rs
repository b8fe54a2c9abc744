//! Hints that bring B's next group of columns into L2 while the kernel
//! works on this one. A column task reads B only when it packs a group;
//! without the hints those reads wait on memory while the kernel waits on
//! nothing, and with them the two overlap.

/// The lines of B's next group over a slice of k, hinted a few at a time
/// in the order `pack` reads them: a step at a time across the panels.
pub(super) struct Ahead<'a, T> {
    b: *const T,
    lines: &'a [isize],
    depth: &'a [isize],
    /// The next hint, counted step by step across the panels.
    next: (usize, usize),
}

impl<'a, T> Ahead<'a, T> {
    /// The hints for B's `lines` over the `depth` offsets, from `b`.
    pub(super) fn new(b: *const T, lines: &'a [isize], depth: &'a [isize]) -> Self {
        Ahead {
            b,
            lines,
            depth,
            next: (0, 0),
        }
    }

    /// How many hints there are in all: one per panel of `W` lines per
    /// step.
    pub(super) fn len<const W: usize>(&self) -> usize {
        self.lines.len().div_ceil(W) * self.depth.len()
    }

    /// Hints the next `count` panel steps (fewer at the end): the cache
    /// lines of each one's first and last line, since a step of a panel
    /// may straddle two. Returns how many it hinted.
    pub(super) fn fetch<const W: usize>(&mut self, count: usize) -> usize {
        let panels = self.lines.len().div_ceil(W);
        let mut done = 0;
        while done < count && panels > 0 && self.next.0 < self.depth.len() {
            let (step, panel) = self.next;
            let lines = &self.lines[panel * W..self.lines.len().min(panel * W + W)];
            for line in [lines[0], lines[lines.len() - 1]] {
                hint(self.b.wrapping_offset(line + self.depth[step]));
            }
            self.next = match panel + 1 == panels {
                true => (step + 1, 0),
                false => (step, panel + 1),
            };
            done += 1;
        }
        done
    }
}

/// Asks the CPU to bring the cache line of `place` into L2.
#[inline(always)]
pub(crate) fn hint<T>(place: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it faults on no address and writes
    // nothing, so any address is sound.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T1};
        _mm_prefetch::<_MM_HINT_T1>(place.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = place;
}

#[cfg(test)]
mod tests {
    use super::Ahead;

    #[test]
    fn every_panel_step_is_hinted_once() {
        let data = [0.0f64; 64];
        // 21 lines: two whole panels of 8 and one of 5, over 3 steps.
        let lines: Vec<isize> = (0..21).collect();
        let depth = [0, 21, 42];
        let mut ahead = Ahead::new(data.as_ptr(), &lines, &depth);
        assert_eq!(ahead.len::<8>(), 9);
        let mut hinted = 0;
        for count in [4, 0, 4, 4] {
            hinted += ahead.fetch::<8>(count);
        }
        assert_eq!(hinted, 9);
        assert_eq!(ahead.fetch::<8>(1), 0);
        // No lines: nothing to hint.
        let mut none = Ahead::new(data.as_ptr(), &[], &depth);
        assert_eq!((none.len::<8>(), none.fetch::<8>(3)), (0, 0));
    }
}
