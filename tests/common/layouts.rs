//! Operands in many memory layouts: permuted, stepped, reversed, broadcast.

use super::*;

/// How an operand's elements are laid out in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Row-major, contiguous.
    Standard,
    /// Column-major (`.f()`), contiguous.
    Fortran,
    /// A random permutation of the axes of a row-major array.
    Permuted,
    /// Every 2nd or 3rd element of a bigger array, from an offset.
    Stepped,
    /// Every axis reversed: negative strides.
    Reversed,
    /// One axis of size > 1 broadcast from size 1 (stride 0).
    Broadcast,
    /// Permuted, stepped and reversed at once, axis by axis.
    Chaos,
}

pub const LAYOUTS: [Layout; 7] = [
    Layout::Standard,
    Layout::Fortran,
    Layout::Permuted,
    Layout::Stepped,
    Layout::Reversed,
    Layout::Broadcast,
    Layout::Chaos,
];

impl Layout {
    pub fn random(rng: &mut Rng) -> Layout {
        LAYOUTS[rng.below(LAYOUTS.len() as u64) as usize]
    }
}

/// The most elements a stepped operand's storage may have.
const MAX_STORAGE: usize = 1 << 16;

/// An operand: its storage and how to view it with the requested shape.
#[derive(Debug, Clone)]
pub struct Operand<T> {
    pub layout: Layout,
    data: ArrayD<T>,
    /// For each axis of `data`, the slice that selects the view's elements.
    slices: Vec<Slice>,
    /// View axis j is data axis `axes[j]` (after slicing).
    axes: Vec<usize>,
    /// The shape to broadcast the data to, for `Layout::Broadcast`.
    broadcast: Option<Vec<usize>>,
}

impl<T: TestElem> Operand<T> {
    /// Fills storage for `shape` in `layout` with values from `rng`.
    pub fn new(shape: &[usize], layout: Layout, rng: &mut Rng) -> Operand<T> {
        let n = shape.len();
        let identity: Vec<usize> = (0..n).collect();
        let full = |dims: &[usize]| vec![Slice::from(..); dims.len()];
        let fill = |dims: &[usize], rng: &mut Rng| -> Vec<T> {
            (0..dims.iter().product::<usize>())
                .map(|_| T::random(rng))
                .collect()
        };
        let random_perm = |rng: &mut Rng| {
            let mut p = identity.clone();
            rng.shuffle(&mut p);
            p
        };
        match layout {
            Layout::Standard | Layout::Fortran => {
                let values = fill(shape, rng);
                let data = if layout == Layout::Standard {
                    ArrayD::from_shape_vec(IxDyn(shape), values)
                } else {
                    ArrayD::from_shape_vec(IxDyn(shape).f(), values)
                }
                .unwrap();
                Operand {
                    layout,
                    slices: full(shape),
                    axes: identity,
                    broadcast: None,
                    data,
                }
            }
            Layout::Permuted | Layout::Stepped | Layout::Reversed | Layout::Chaos => {
                // View axis j is data axis axes[j]; data axis axes[j] holds
                // the (sliced) extent shape[j].
                let axes = if matches!(layout, Layout::Permuted | Layout::Chaos) {
                    random_perm(rng)
                } else {
                    identity.clone()
                };
                let mut data_dims = vec![0; n];
                let mut slices = vec![Slice::from(..); n];
                // Each stepped axis multiplies the storage by about its
                // step: step only while it stays small.
                let mut storage: usize = shape.iter().map(|&d| d.max(1)).product();
                for (j, &d) in shape.iter().enumerate() {
                    let a = axes[j];
                    let (mut step, reverse) = match layout {
                        Layout::Permuted => (1, false),
                        Layout::Stepped => (2 + (j % 2), false),
                        Layout::Reversed => (1, true),
                        _ => (1 + rng.below(3) as usize, rng.below(2) == 1),
                    };
                    let grown = storage / d.max(1) * (d * step + 1);
                    if step > 1 && grown > MAX_STORAGE {
                        step = 1;
                    } else if step > 1 {
                        storage = grown;
                    }
                    if step == 1 {
                        data_dims[a] = d;
                        slices[a] = Slice::new(0, None, if reverse { -1 } else { 1 });
                    } else {
                        // d elements at 1, 1 + step, ... of d * step + 1.
                        data_dims[a] = d * step + 1;
                        let step = step as isize;
                        slices[a] = if reverse {
                            Slice::new(0, Some(-1), -step)
                        } else {
                            Slice::new(1, None, step)
                        };
                    }
                }
                let values = fill(&data_dims, rng);
                Operand {
                    layout,
                    data: ArrayD::from_shape_vec(IxDyn(&data_dims), values).unwrap(),
                    slices,
                    axes,
                    broadcast: None,
                }
            }
            Layout::Broadcast => {
                let wide: Vec<usize> = (0..n).filter(|&j| shape[j] > 1).collect();
                let mut data_dims = shape.to_vec();
                if !wide.is_empty() {
                    let j = wide[rng.below(wide.len() as u64) as usize];
                    data_dims[j] = 1;
                }
                let values = fill(&data_dims, rng);
                Operand {
                    layout,
                    slices: full(shape),
                    axes: identity,
                    broadcast: Some(shape.to_vec()),
                    data: ArrayD::from_shape_vec(IxDyn(&data_dims), values).unwrap(),
                }
            }
        }
    }

    pub fn view(&self) -> ArrayViewD<'_, T> {
        if let Some(shape) = &self.broadcast {
            return self.data.broadcast(IxDyn(shape)).unwrap();
        }
        self.data
            .slice_each_axis(|ax| self.slices[ax.axis.index()])
            .permuted_axes(IxDyn(&self.axes))
    }
}

impl<T> Operand<T> {
    /// The view as a mutable one, for an output written in place; not
    /// for [`Layout::Broadcast`], whose elements overlap.
    pub fn view_mut(&mut self) -> ArrayViewMutD<'_, T> {
        assert!(self.broadcast.is_none(), "a broadcast view is read-only");
        let (slices, axes) = (&self.slices, &self.axes);
        self.data
            .slice_each_axis_mut(|ax| slices[ax.axis.index()])
            .permuted_axes(IxDyn(axes))
    }
}

impl<T> fmt::Display for Operand<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.layout)
    }
}
