//! The generated cases: specs, random runs, and checking one equation.

use super::*;

/// One generated equation: label sizes ("i2 j3") and the dims each
/// operand's ellipsis covers.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    pub equation: &'static str,
    pub sizes: &'static str,
    pub ellipsis: &'static [&'static [usize]],
}

/// The macro under test, on views: the result as an `ArrayD`, or the error
/// (`try_einsum!`) / panic message (`einsum!`).
pub type Call<T> = fn(&[ArrayViewD<'_, T>]) -> Result<Out<T>, String>;

/// Label sizes of one run: a size per label and, for labels broadcast in
/// some operands, size 1 there.
#[derive(Debug, Clone)]
struct Sizes {
    of: Vec<(char, usize)>,
    /// (operand, label): this operand has size 1 for the label.
    ones: Vec<(usize, char)>,
}

impl Sizes {
    fn get(&self, operand: usize, label: char) -> usize {
        if self.ones.contains(&(operand, label)) {
            1
        } else {
            self.of.iter().find(|(l, _)| *l == label).unwrap().1
        }
    }

    fn points(&self, ell: &[usize]) -> usize {
        self.of.iter().map(|(_, s)| s).product::<usize>() * ell.iter().product::<usize>()
    }
}

impl fmt::Display for Sizes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sizes: Vec<String> = self.of.iter().map(|(l, s)| format!("{l}={s}")).collect();
        write!(f, "{}", sizes.join(" "))?;
        if !self.ones.is_empty() {
            let ones: Vec<String> = self
                .ones
                .iter()
                .map(|(k, l)| format!("'{l}'=1 in operand {k}"))
                .collect();
            write!(f, " ({})", ones.join(", "))?;
        }
        Ok(())
    }
}

fn parse_sizes(text: &str) -> Vec<(char, usize)> {
    text.split_whitespace()
        .map(|item| {
            let mut chars = item.chars();
            let label = chars.next().unwrap();
            (label, chars.as_str().parse().unwrap())
        })
        .collect()
}

/// Runs in random mixed layouts per equation and element type: 3, or with
/// `EINSUM_SOAK` set (a soak, not for CI) `EINSUM_SOAK=<n>` or 100. Each
/// also draws its own thread count and memory limit.
fn mixed_layout_runs() -> usize {
    match std::env::var("EINSUM_SOAK") {
        Ok(value) => value.parse().unwrap_or(100),
        Err(_) => 3,
    }
}

/// The most index points a run may have (the reference is slow).
pub const MAX_POINTS: usize = 20_000;

/// Runs `call` on the spec's sizes in every layout, and on variations of
/// the sizes (all 1, one label 0, larger, a label broadcast from 1), each
/// checked against the reference. Panics with every failure's equation,
/// sizes, layouts and element type.
/// One run of a generated equation: what it varies, the sizes, a layout
/// per operand and the operands' shapes.
#[derive(Debug, Clone)]
pub struct Run {
    pub what: String,
    sizes: Sizes,
    pub layouts: Vec<Layout>,
    pub shapes: Vec<Vec<usize>>,
}

/// The runs of a spec: its sizes in every layout, then variations of the
/// sizes (all 1, each label 0, larger, a label broadcast from 1), each in
/// random layouts drawn from `rng`.
pub fn plan_runs(spec: &Spec, rng: &mut Rng) -> Vec<Run> {
    let eq = Equation::parse(spec.equation);
    let base = Sizes {
        of: parse_sizes(spec.sizes),
        ones: Vec::new(),
    };
    assert_eq!(
        base.of.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
        eq.labels(),
        "{}: the spec's labels",
        spec.name
    );
    let ell: Vec<Vec<usize>> = spec.ellipsis.iter().map(|e| e.to_vec()).collect();
    let ell_rank = ell.iter().map(Vec::len).max().unwrap_or(0);
    let ell_dims: Vec<usize> = (0..ell_rank)
        .map(|slot| {
            ell.iter()
                .filter_map(|e| e.len().checked_sub(ell_rank - slot).map(|k| e[k]))
                .fold(1, |acc, d| if acc == 1 { d } else { acc })
        })
        .collect();
    let n = eq.inputs.len();
    let mut runs: Vec<(String, Sizes, Vec<Layout>)> = Vec::new();

    // The spec's sizes in every layout, then in mixed layouts.
    for layout in LAYOUTS {
        runs.push(("base".into(), base.clone(), vec![layout; n]));
    }
    for _ in 0..mixed_layout_runs() {
        let layouts = (0..n).map(|_| Layout::random(rng)).collect();
        runs.push(("base, mixed".into(), base.clone(), layouts));
    }
    // Every label of size 1.
    let mut ones = base.clone();
    ones.of.iter_mut().for_each(|(_, s)| *s = 1);
    runs.push(("all 1".into(), ones, random_layouts(rng, n)));
    // Each label of size 0 in turn.
    for k in 0..base.of.len() {
        let mut zero = base.clone();
        zero.of[k].1 = 0;
        runs.push((
            format!("'{}' = 0", zero.of[k].0),
            zero,
            random_layouts(rng, n),
        ));
    }
    // Larger sizes, while the index space stays small: every label at
    // least 4, then the smallest grown one at a time, so equations with few
    // labels get long loops (the kernels' unrolled and SIMD paths, blocks,
    // the GEMM engine).
    let mut large = base.clone();
    large.of.iter_mut().for_each(|(_, s)| *s = (*s).max(2) + 2);
    while large.points(&ell_dims) > MAX_POINTS {
        let biggest = large.of.iter_mut().max_by_key(|(_, s)| *s).unwrap();
        if biggest.1 <= 2 {
            break;
        }
        biggest.1 -= 1;
    }
    if !large.of.is_empty() {
        loop {
            let mut grown = large.clone();
            let smallest = grown.of.iter_mut().min_by_key(|(_, s)| *s).unwrap();
            smallest.1 = smallest.1 * 5 / 4 + 1;
            // Repeated labels: an operand can be larger than the points.
            let biggest_operand = (0..n)
                .map(|k| {
                    let named: usize = labels(&eq.inputs[k]).map(|l| grown.get(k, l)).product();
                    named * ell[k].iter().product::<usize>()
                })
                .max()
                .unwrap_or(0);
            if grown.points(&ell_dims).max(biggest_operand) > MAX_POINTS {
                break;
            }
            large = grown;
        }
    }
    if large.points(&ell_dims) <= MAX_POINTS && large.of != base.of {
        for _ in 0..3 {
            let layouts = random_layouts(rng, n);
            runs.push(("larger".into(), large.clone(), layouts));
        }
        runs.push(("larger, standard".into(), large, vec![Layout::Standard; n]));
    }
    // A label shared by operands with size 1 in one of them.
    let mut broadcast = base.clone();
    for &(label, size) in &base.of {
        let owners: Vec<usize> = (0..n)
            .filter(|&k| labels(&eq.inputs[k]).any(|l| l == label))
            .collect();
        if size != 1 && owners.len() > 1 {
            let k = owners[rng.below(owners.len() as u64) as usize];
            broadcast.ones.push((k, label));
            let mut one = base.clone();
            one.ones.push((k, label));
            runs.push((
                format!("'{label}' broadcast from 1"),
                one,
                random_layouts(rng, n),
            ));
        }
    }
    if broadcast.ones.len() > 1 {
        runs.push((
            "labels broadcast from 1".into(),
            broadcast,
            random_layouts(rng, n),
        ));
    }
    runs.into_iter()
        .map(|(what, sizes, layouts)| {
            let shapes = (0..n)
                .map(|k| {
                    let mut shape = Vec::new();
                    for sub in &eq.inputs[k] {
                        match *sub {
                            Sub::Ellipsis => shape.extend_from_slice(&ell[k]),
                            Sub::Label(l) => shape.push(sizes.get(k, l)),
                        }
                    }
                    shape
                })
                .collect();
            Run {
                what,
                sizes,
                layouts,
                shapes,
            }
        })
        .collect()
}

/// Runs `call` on every run of [`plan_runs`], each checked against the
/// reference. Panics with every failure's equation, sizes, layouts and
/// element type.
pub fn check_equation<T: TestElem>(spec: &Spec, call: Call<T>) {
    let kind = Equation::parse(spec.equation).result_kind();
    let mut rng = Rng::for_text(spec.equation, std::mem::size_of::<T>() as u64);
    let runs = plan_runs(spec, &mut rng);
    // EINSUM_TEST_VERBOSE=1 lists every run.
    let verbose = std::env::var_os("EINSUM_TEST_VERBOSE").is_some();
    let mut failures = Vec::new();
    for Run {
        what,
        sizes,
        layouts,
        shapes,
    } in &runs
    {
        if verbose {
            eprintln!(
                "{} {:?} as {}: [{what}] sizes {sizes}, layouts {layouts:?}",
                spec.name,
                spec.equation,
                std::any::type_name::<T>()
            );
        }
        let operands: Vec<Operand<T>> = shapes
            .iter()
            .zip(layouts)
            .map(|(shape, &layout)| Operand::new(shape, layout, &mut rng))
            .collect();
        let views: Vec<ArrayViewD<'_, T>> = operands.iter().map(Operand::view).collect();
        let expected = reference(spec.equation, &views);
        // A random pool size, and sometimes a memory limit so small that
        // intermediates are sliced and split sums keep few copies.
        let threads = [1, 2, 3, 4][rng.below(4) as usize];
        let limit = [Some(64), Some(4096), None, None][rng.below(4) as usize];
        if verbose {
            eprintln!("  on {threads} threads, memory limit {limit:?}");
        }
        let outcome =
            on_pool(threads, limit, || call(&views)).and_then(|out| compare(&out, &expected, kind));
        if let Err(err) = outcome {
            failures.push(format!(
                "  [{what}] sizes {sizes}, shapes {shapes:?}, layouts {layouts:?}, \
                 {threads} threads, memory limit {limit:?}: {err}"
            ));
        }
    }
    if !failures.is_empty() {
        let total = failures.len();
        failures.truncate(6);
        panic!(
            "{} {:?} as {}: {total} of {} runs failed\n{}",
            spec.name,
            spec.equation,
            std::any::type_name::<T>(),
            runs.len(),
            failures.join("\n")
        );
    }
}

fn random_layouts(rng: &mut Rng, n: usize) -> Vec<Layout> {
    (0..n).map(|_| Layout::random(rng)).collect()
}

pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else {
        "(not a string)".into()
    }
}

/// `call` on a pool of `threads`, in blocks small enough to take the
/// parallel paths, under `limit`: its value, or its error or panic message.
pub fn on_pool<R: Send>(
    threads: usize,
    limit: Option<usize>,
    call: impl FnOnce() -> Result<R, String> + Send,
) -> Result<R, String> {
    let limited = || match limit {
        Some(bytes) => einsum_runtime::budget::with_memory_limit(bytes, call),
        None => call(),
    };
    let small_blocks = || einsum_runtime::schedule::with_block_work(64, limited);
    let pooled = || einsum_runtime::schedule::with_threads(threads, small_blocks);
    match catch_unwind(AssertUnwindSafe(pooled)) {
        Ok(result) => result.map_err(|err| format!("error: {err}")),
        Err(panic) => Err(format!("panicked: {}", panic_message(&*panic))),
    }
}
