//! The element types under test: seeded values, tolerances, wide sums.

use super::*;

/// The element types the suite runs: values from a seeded generator, a
/// distance for comparisons, and the tolerance (0: exact).
pub trait TestElem: Element + PartialEq + ToDyn<Self> {
    /// Relative tolerance, scaled by the sum of absolute products.
    const TOL: f64;
    /// The unit roundoff (0 for integers).
    const EPS: f64;
    /// What the reference sums in: f64 (or Complex<f64>) for floats, the
    /// type itself for integers.
    type Wide: Copy + Add<Output = Self::Wide> + Mul<Output = Self::Wide>;
    fn widen(self) -> Self::Wide;
    fn narrow(wide: Self::Wide) -> Self;
    fn random(rng: &mut Rng) -> Self;
    fn from_i64(v: i64) -> Self;
    fn magnitude(self) -> f64;
    fn distance(self, other: Self) -> f64;
}

macro_rules! scalar_to_dyn {
    ($($t:ty),*) => {$(
        impl ToDyn<$t> for $t {
            fn to_dyn(self) -> Out<$t> {
                Out { array: arr0(self).into_dyn(), kind: Kind::Scalar, standard_layout: true }
            }
        }
    )*};
}
scalar_to_dyn!(f32, f64, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, C32, C64);

macro_rules! test_int {
    ($($t:ty),*) => {$(
        impl TestElem for $t {
            const TOL: f64 = 0.0;
            const EPS: f64 = 0.0;
            type Wide = $t;
            fn widen(self) -> Self {
                self
            }
            fn narrow(wide: Self) -> Self {
                wide
            }
            fn random(rng: &mut Rng) -> Self {
                // Small values: products of 8 operands summed over the
                // whole index space (MAX_POINTS) stay far from overflow;
                // for 16-bit types, -1 to 1 (and 0 to 1), for 8-bit, 0 or 1.
                let (lo, hi): (i64, i64) = match (std::mem::size_of::<$t>(), <$t>::MIN == 0) {
                    (1, _) => (0, 1),
                    (2, true) => (0, 1),
                    (2, false) => (-1, 1),
                    (_, true) => (0, 3),
                    (_, false) => (-3, 3),
                };
                (lo + rng.below((hi - lo + 1) as u64) as i64) as $t
            }
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            fn magnitude(self) -> f64 {
                (self as f64).abs()
            }
            fn distance(self, other: Self) -> f64 {
                if self == other { 0.0 } else { f64::INFINITY }
            }
        }
    )*};
}
test_int!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

impl TestElem for f64 {
    const TOL: f64 = 1e-10;
    const EPS: f64 = f64::EPSILON / 2.0;
    type Wide = f64;
    fn widen(self) -> f64 {
        self
    }
    fn narrow(wide: f64) -> Self {
        wide
    }
    fn random(rng: &mut Rng) -> Self {
        rng.unit()
    }
    fn from_i64(v: i64) -> Self {
        v as f64
    }
    fn magnitude(self) -> f64 {
        self.abs()
    }
    fn distance(self, other: Self) -> f64 {
        (self - other).abs()
    }
}

impl TestElem for f32 {
    const TOL: f64 = 1e-4;
    const EPS: f64 = f32::EPSILON as f64 / 2.0;
    type Wide = f64;
    fn widen(self) -> f64 {
        self as f64
    }
    fn narrow(wide: f64) -> Self {
        wide as f32
    }
    fn random(rng: &mut Rng) -> Self {
        rng.unit() as f32
    }
    fn from_i64(v: i64) -> Self {
        v as f32
    }
    fn magnitude(self) -> f64 {
        self.abs() as f64
    }
    fn distance(self, other: Self) -> f64 {
        (self as f64 - other as f64).abs()
    }
}

impl TestElem for C64 {
    const TOL: f64 = 1e-10;
    const EPS: f64 = f64::EPSILON / 2.0;
    type Wide = C64;
    fn widen(self) -> C64 {
        self
    }
    fn narrow(wide: C64) -> Self {
        wide
    }
    fn random(rng: &mut Rng) -> Self {
        Complex::new(rng.unit(), rng.unit())
    }
    fn from_i64(v: i64) -> Self {
        Complex::new(v as f64, 0.0)
    }
    fn magnitude(self) -> f64 {
        self.norm()
    }
    fn distance(self, other: Self) -> f64 {
        (self - other).norm()
    }
}

impl TestElem for C32 {
    const TOL: f64 = 1e-4;
    const EPS: f64 = f32::EPSILON as f64 / 2.0;
    type Wide = C64;
    fn widen(self) -> C64 {
        Complex::new(self.re as f64, self.im as f64)
    }
    fn narrow(wide: C64) -> Self {
        Complex::new(wide.re as f32, wide.im as f32)
    }
    fn random(rng: &mut Rng) -> Self {
        Complex::new(rng.unit() as f32, rng.unit() as f32)
    }
    fn from_i64(v: i64) -> Self {
        Complex::new(v as f32, 0.0)
    }
    fn magnitude(self) -> f64 {
        self.norm() as f64
    }
    fn distance(self, other: Self) -> f64 {
        let d = self - other;
        (d.re as f64).hypot(d.im as f64)
    }
}

/// An array of `shape` with seeded values of `T`.
pub fn random<T: TestElem, Sh: ShapeBuilder>(shape: Sh, seed: u64) -> Array<T, Sh::Dim> {
    let mut rng = Rng::new(seed);
    Array::from_shape_simple_fn(shape, || T::random(&mut rng))
}
