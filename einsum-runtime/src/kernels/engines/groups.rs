//! The axes of a GEMM-class step sorted by role (batch, m, n, k): what
//! the engine choice and the engines that read through offset tables
//! start from.

use super::dims::Axis;

/// The axes of a GEMM-class step sorted by role.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Groups {
    pub batch: Vec<Axis>,
    pub m: Vec<Axis>,
    pub n: Vec<Axis>,
    pub k: Vec<Axis>,
}

impl Groups {
    /// Sorts `axes` by the arrays they stride (batch: all three or the
    /// output alone; m: A and C; n: B and C; k: A and B). `None` when an
    /// axis is summed in one operand only, or there is no k axis or no m
    /// or n axis: not a GEMM.
    pub(crate) fn new(axes: Vec<Axis>) -> Option<Groups> {
        let mut groups = Groups::default();
        for axis in axes {
            match (axis.a != 0, axis.b != 0, axis.out != 0) {
                (true, true, true) | (false, false, true) => groups.batch.push(axis),
                (true, false, true) => groups.m.push(axis),
                (false, true, true) => groups.n.push(axis),
                (true, true, false) => groups.k.push(axis),
                _ => return None,
            }
        }
        let free = !groups.m.is_empty() || !groups.n.is_empty();
        (free && !groups.k.is_empty()).then_some(groups)
    }

    /// The share of the work of `mr x nr` tiles, padded at the edges, that
    /// is real: as the step stands, and with A and B swapped.
    pub(crate) fn tile_use(&self, mr: usize, nr: usize) -> (f64, f64) {
        let used = |rows: usize, cols: usize| {
            let padded = rows.next_multiple_of(mr) * cols.next_multiple_of(nr);
            (rows * cols) as f64 / padded as f64
        };
        let (m, n) = (Axis::indices(&self.m), Axis::indices(&self.n));
        (used(m, n), used(n, m))
    }

    /// The same step with A and B in each other's roles (`C^T = B^T A^T`):
    /// m and n exchanged, and each axis's A and B strides.
    pub(crate) fn swapped(&self) -> Groups {
        let swap = |axes: &[Axis]| -> Vec<Axis> {
            let swap_one = |x: &Axis| Axis {
                a: x.b,
                b: x.a,
                ..*x
            };
            axes.iter().map(swap_one).collect()
        };
        Groups {
            batch: swap(&self.batch),
            m: swap(&self.n),
            n: swap(&self.m),
            k: swap(&self.k),
        }
    }
}
