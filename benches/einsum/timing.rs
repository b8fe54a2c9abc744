//! Input data, the timing (a session samples a case's contenders in turns),
//! result conversion for the checks, the memory-bandwidth probe and number
//! formatting.

use ndarray::{Array, ArrayD, Dimension, IntoDimension};
use rayon::prelude::*;
use std::hint::black_box;
use std::time::Instant;

/// The element types of the cases: f64, and f32 for `matmul_1024_f32`
/// (`matmul_256_i64` has its own generator, [`Rng::int_array`]).
pub trait Real:
    einsum_static::Element + ndarray::LinalgScalar + std::iter::Sum + Into<f64> + PartialOrd
{
    fn from_f64(x: f64) -> Self;
}
impl Real for f64 {
    fn from_f64(x: f64) -> Self {
        x
    }
}
impl Real for f32 {
    fn from_f64(x: f64) -> Self {
        x as f32
    }
}

/// SplitMix64: a fixed-seed generator, so every run and the NumPy script
/// see the same kind of data (uniform in [-1, 1)).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (2.0 / (1u64 << 53) as f64) - 1.0
    }

    /// A standard-layout array of the given shape filled with uniform values.
    pub fn array<T: Real, D: Dimension>(
        &mut self,
        shape: impl IntoDimension<Dim = D>,
    ) -> Array<T, D> {
        let dim = shape.into_dimension();
        let data: Vec<T> = (0..dim.size())
            .map(|_| T::from_f64(self.uniform()))
            .collect();
        Array::from_shape_vec(dim, data).expect("shape matches data length")
    }

    /// A standard-layout i64 array of small values, uniform in -8..8.
    pub fn int_array<D: Dimension>(&mut self, shape: impl IntoDimension<Dim = D>) -> Array<i64, D> {
        let dim = shape.into_dimension();
        let data: Vec<i64> = (0..dim.size())
            .map(|_| (self.next_u64() >> 60) as i64 - 8)
            .collect();
        Array::from_shape_vec(dim, data).expect("shape matches data length")
    }
}

/// A result that can be compared with another contender's.
pub trait Checked {
    fn to_f64(&self) -> ArrayD<f64>;
}
impl<T: Real, D: Dimension> Checked for Array<T, D> {
    fn to_f64(&self) -> ArrayD<f64> {
        self.mapv(Into::into).into_dyn()
    }
}
impl<D: Dimension> Checked for Array<i64, D> {
    fn to_f64(&self) -> ArrayD<f64> {
        // Exact for the cases' results (|x| < 2^53).
        self.mapv(|x| x as f64).into_dyn()
    }
}
impl Checked for f64 {
    fn to_f64(&self) -> ArrayD<f64> {
        ndarray::arr0(*self).into_dyn()
    }
}
impl Checked for f32 {
    fn to_f64(&self) -> ArrayD<f64> {
        ndarray::arr0(*self as f64).into_dyn()
    }
}

/// An output the calls write into (`out = ...`), read for the check.
pub struct Reused<'a, D: Dimension>(pub &'a std::cell::RefCell<Array<f64, D>>);
impl<D: Dimension> Checked for Reused<'_, D> {
    fn to_f64(&self) -> ArrayD<f64> {
        self.0.borrow().clone().into_dyn()
    }
}

/// max |a - b| / max(1, max |b|), or None when the shapes differ.
pub fn rel_error(a: &ArrayD<f64>, b: &ArrayD<f64>) -> Option<f64> {
    if a.shape() != b.shape() {
        return None;
    }
    let scale = b.iter().fold(1.0f64, |m, x| m.max(x.abs()));
    let err = a
        .iter()
        .zip(b)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    Some(if err.is_nan() {
        f64::INFINITY
    } else {
        err / scale
    })
}

/// The median time of one call, and how it was measured.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// Median seconds per call.
    pub median: f64,
    /// Samples behind the median.
    pub samples: usize,
}

/// Seconds of one call beyond which a contender is run once only.
const SLOW_CALL: f64 = 1.5;
/// Shortest sample: calls faster than this are repeated inside one sample.
const MIN_SAMPLE: f64 = 20e-6;
const MAX_SAMPLES: usize = 201;

/// What one case records: `einsum!`'s timing and output, and each peer's
/// timing and its error against `einsum!` (None: the shapes differ).
pub struct Ctx {
    pub budget: f64,
    pub ours_only: bool,
    pub ours: Option<(Timing, ArrayD<f64>)>,
    pub peers: Vec<(&'static str, Timing, Option<f64>)>,
}

impl Ctx {
    pub fn new(budget: f64, ours_only: bool) -> Self {
        Ctx {
            budget,
            ours_only,
            ours: None,
            peers: Vec::new(),
        }
    }

    /// The contenders of one case, timed together by [`Session::run`].
    pub fn session(&mut self) -> Session<'_> {
        Session {
            ctx: self,
            entries: Vec::new(),
            ours_out: None,
        }
    }
}

/// One contender: a closure that runs a sample of `inner` calls and returns
/// the seconds per call, and the samples taken so far.
struct Entry<'s> {
    name: Option<&'static str>,
    sample: Box<dyn FnMut(usize) -> f64 + 's>,
    inner: usize,
    target: usize,
    times: Vec<f64>,
    err: Option<f64>,
}

/// Collects a case's contenders (`einsum!` first, then the peers), then
/// samples them in turns, so that a drift of the machine (other processes,
/// memory bandwidth) hits them alike.
pub struct Session<'s> {
    ctx: &'s mut Ctx,
    entries: Vec<Entry<'s>>,
    ours_out: Option<ArrayD<f64>>,
}

impl<'s> Session<'s> {
    /// `einsum!`; register it before the peers.
    pub fn ours<R: Checked>(&mut self, f: impl FnMut() -> R + 's) {
        self.add(None, f);
    }

    /// A peer; its first result is compared with `einsum!`'s.
    pub fn peer<R: Checked>(&mut self, name: &'static str, f: impl FnMut() -> R + 's) {
        if !self.ctx.ours_only {
            self.add(Some(name), f);
        }
    }

    /// The first call is a warm-up whose result is kept for the check; a
    /// second gives a cache-warm estimate of one call, which fixes the
    /// calls per sample (a sample lasts at least 20 µs) and the number of
    /// samples (about `budget` seconds, at least 5, or 3 for calls over
    /// 0.3 s, at most 201). Calls over 1.5 s are run once only. A sample of
    /// one call stops the clock when the result is returned (its drop is
    /// not timed).
    fn add<R: Checked>(&mut self, name: Option<&'static str>, mut f: impl FnMut() -> R + 's) {
        let start = Instant::now();
        let first = f();
        let t_first = start.elapsed().as_secs_f64();
        let out = first.to_f64();
        drop(first);
        let err = match &self.ours_out {
            Some(ours) => rel_error(ours, &out),
            None => {
                self.ours_out = Some(out);
                Some(0.0)
            }
        };
        let mut sample = move |inner: usize| -> f64 {
            if inner == 1 {
                let start = Instant::now();
                let r = black_box(f());
                let t = start.elapsed().as_secs_f64();
                drop(r);
                t
            } else {
                let start = Instant::now();
                for _ in 0..inner {
                    black_box(f());
                }
                start.elapsed().as_secs_f64() / inner as f64
            }
        };
        let (inner, target, times) = if t_first > SLOW_CALL {
            (1, 1, vec![t_first])
        } else {
            let estimate = sample(1).min(t_first).max(1e-9);
            let inner = ((MIN_SAMPLE / estimate).ceil() as usize).clamp(1, 100_000);
            let min_samples = if estimate > 0.3 { 3 } else { 5 };
            let target = ((self.ctx.budget / (estimate * inner as f64)) as usize)
                .clamp(min_samples, MAX_SAMPLES);
            (inner, target, Vec::with_capacity(target))
        };
        self.entries.push(Entry {
            name,
            sample: Box::new(sample),
            inner,
            target,
            times,
            err,
        });
    }

    /// Samples the contenders in turns until each has its samples, then
    /// records the medians in the context.
    pub fn run(mut self) {
        // Round-robin over the entries, so that all of them see the same
        // drift of the machine; within a round each timed sample follows an
        // untimed call of the same function, so that no entry inherits
        // another's cache contents and allocator state (a batched matmul
        // run right after a 64 MiB allocation took 2.5x longer, ours and
        // the gemm crate's alike).
        while self.entries.iter().any(|e| e.times.len() < e.target) {
            for e in self.entries.iter_mut().filter(|e| e.times.len() < e.target) {
                (e.sample)(e.inner);
                let t = (e.sample)(e.inner);
                e.times.push(t);
            }
        }
        for mut e in self.entries {
            let timing = Timing {
                median: median(&mut e.times),
                samples: e.times.len(),
            };
            match e.name {
                None => {
                    self.ctx.ours = Some((
                        timing,
                        self.ours_out.take().expect("einsum! registered first"),
                    ))
                }
                Some(name) => self.ctx.peers.push((name, timing, e.err)),
            }
        }
    }
}

pub fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        0.5 * (xs[n / 2 - 1] + xs[n / 2])
    }
}

/// The memory-bandwidth probe: a 512 MiB f64 array (and a copy target),
/// touched once on the pool that will run the cases.
pub struct Bandwidth {
    src: Vec<f64>,
    dst: Vec<f64>,
}

const PROBE_BYTES: usize = 512 << 20;
const CHUNK: usize = 1 << 16;

impl Bandwidth {
    pub fn new() -> Self {
        let n = PROBE_BYTES / 8;
        let mut src = vec![0.0f64; n];
        let mut dst = vec![0.0f64; n];
        src.par_chunks_mut(CHUNK).enumerate().for_each(|(c, s)| {
            s.iter_mut()
                .enumerate()
                .for_each(|(i, x)| *x = ((c + i) % 7) as f64)
        });
        dst.par_chunks_mut(CHUNK).for_each(|d| d.fill(1.0));
        Bandwidth { src, dst }
    }

    /// Read bandwidth (GB/s): a parallel sum of the 512 MiB array, median of `runs`.
    pub fn read(&self, runs: usize) -> f64 {
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let start = Instant::now();
                black_box(self.src.par_chunks(CHUNK).map(sum_wide).sum::<f64>());
                start.elapsed().as_secs_f64()
            })
            .collect();
        PROBE_BYTES as f64 / median(&mut times) / 1e9
    }

    /// Copy bandwidth (GB/s, bytes read + bytes written): a parallel copy of
    /// 512 MiB into a second, already touched, array; median of `runs`.
    pub fn copy(&mut self, runs: usize) -> f64 {
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let start = Instant::now();
                self.dst
                    .par_chunks_mut(CHUNK)
                    .zip(self.src.par_chunks(CHUNK))
                    .for_each(|(d, s)| d.copy_from_slice(s));
                black_box(&mut self.dst);
                start.elapsed().as_secs_f64()
            })
            .collect();
        2.0 * PROBE_BYTES as f64 / median(&mut times) / 1e9
    }
}

/// A sum on the widest registers the CPU has (a default build compiles
/// [`sum_unrolled`] for 128-bit ones), so that the percentages of bandwidth
/// are not measured against a slow probe.
fn sum_wide(xs: &[f64]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU has AVX-512F.
        return unsafe { sum_avx512(xs) };
    }
    sum_unrolled(xs)
}

/// [`sum_unrolled`] with its accumulators in four 512-bit registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn sum_avx512(xs: &[f64]) -> f64 {
    use std::arch::x86_64::*;
    let mut acc = [_mm512_setzero_pd(); 4];
    let mut chunks = xs.chunks_exact(32);
    for c in &mut chunks {
        for (r, a) in acc.iter_mut().enumerate() {
            // SAFETY: the chunk holds 32 elements, so 8 from 8 * r.
            *a = _mm512_add_pd(*a, unsafe { _mm512_loadu_pd(c.as_ptr().add(8 * r)) });
        }
    }
    let total: f64 = acc.iter().map(|&a| _mm512_reduce_add_pd(a)).sum();
    total + chunks.remainder().iter().sum::<f64>()
}

/// A sum with 32 independent accumulators, so the adds keep up with memory.
fn sum_unrolled(xs: &[f64]) -> f64 {
    let mut acc = [0.0f64; 32];
    let mut chunks = xs.chunks_exact(32);
    for c in &mut chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    acc.iter().sum::<f64>() + chunks.remainder().iter().sum::<f64>()
}

/// Milliseconds with about 4 significant digits.
pub fn fmt_ms(seconds: f64) -> String {
    let ms = seconds * 1e3;
    if ms >= 100.0 {
        format!("{ms:.1}")
    } else if ms >= 10.0 {
        format!("{ms:.2}")
    } else if ms >= 1.0 {
        format!("{ms:.3}")
    } else if ms >= 0.01 {
        format!("{ms:.4}")
    } else {
        format!("{ms:.7}")
    }
}
