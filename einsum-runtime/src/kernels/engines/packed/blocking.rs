//! Block sizes from the caches of the CPU it runs on, read once: a packed
//! block of A stays in L2 while every panel of B meets it, and the packed
//! block of B in a share of L3.

use std::sync::OnceLock;

/// The most bytes of the packed block of B, whatever L3 holds (it is
/// shared by the cores).
const MOST_B_BYTES: usize = 8 << 20;

/// The most rows of one task: enough tasks for the threads to balance
/// on products of a few thousand rows.
const MOST_ROWS: usize = 128;

/// The block sizes of one product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Blocking {
    /// Steps of k packed at once (each output's sum adds them in order).
    pub(crate) kc: usize,
    /// Rows of A packed at once: one task.
    pub(crate) mc: usize,
    /// Columns of B packed at once, shared by the tasks.
    pub(crate) nc: usize,
}

impl Blocking {
    /// The blocks for elements of `element_bytes`, tiles of `mr x nr`,
    /// packed lines of at most `depth_bytes` along k (the kernel's
    /// choice) and a k of `depth` steps: cut into even slices, and the
    /// blocks of rows and columns sized for the slices' real depth, so
    /// that a short k packs more rows at a time.
    pub(crate) fn new(
        element_bytes: usize,
        (mr, nr): (usize, usize),
        depth_bytes: usize,
        depth: usize,
    ) -> Blocking {
        let (l2, l3) = caches();
        let most = depth_bytes / element_bytes;
        let kc = even_size(depth, most, 1).max(1);
        let line = kc * element_bytes;
        let mc = (l2 / 4 / line).min(MOST_ROWS) / mr * mr;
        let mc = mc.max(mr);
        let nc = ((l3 / 4).min(MOST_B_BYTES) / line / nr).max(1) * nr;
        Blocking { kc, mc, nc }
    }
}

/// The length of the ranges when `len` is cut into as few as can be of at
/// most `most`, of about equal lengths in whole `unit`s.
pub(super) fn even_size(len: usize, most: usize, unit: usize) -> usize {
    len.div_ceil(len.div_ceil(most).max(1))
        .next_multiple_of(unit)
}

/// The sizes in bytes of the L2 and L3 caches of the first CPU (a fair
/// guess where the system does not say).
fn caches() -> (usize, usize) {
    static CACHES: OnceLock<(usize, usize)> = OnceLock::new();
    *CACHES.get_or_init(|| {
        (
            cache_bytes(2).unwrap_or(1 << 20),
            cache_bytes(3).unwrap_or(8 << 20),
        )
    })
}

/// The size of the data or unified cache of `level`, as Linux reports it.
fn cache_bytes(level: u32) -> Option<usize> {
    let dir = std::path::Path::new("/sys/devices/system/cpu/cpu0/cache");
    std::fs::read_dir(dir).ok()?.flatten().find_map(|entry| {
        let read = |name: &str| std::fs::read_to_string(entry.path().join(name)).ok();
        let kind = read("type")?;
        if read("level")?.trim().parse::<u32>().ok()? != level || kind.trim() == "Instruction" {
            return None;
        }
        let size = read("size")?;
        let size = size.trim();
        let (digits, unit) = size.split_at(size.find(|c: char| !c.is_ascii_digit())?);
        let scale = match unit {
            "K" => 1 << 10,
            "M" => 1 << 20,
            _ => return None,
        };
        Some(digits.parse::<usize>().ok()? * scale)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_whole_tiles_and_fit_the_caches() {
        for (bytes, mr, nr, depth) in [(8, 8, 24, 4096), (4, 8, 48, 4096), (8, 4, 4, 1024)] {
            for k in [1, 40, depth / bytes, depth / bytes + 1, 3 * depth] {
                let b = Blocking::new(bytes, (mr, nr), depth, k);
                // Even slices of k, none deeper than the kernel's choice.
                let slices = k.div_ceil(b.kc);
                assert!(
                    b.kc * bytes <= depth && k.div_ceil(slices) == b.kc,
                    "{k}: {b:?}"
                );
                assert!(b.mc.is_multiple_of(mr) && b.mc >= mr, "{b:?}");
                assert!(b.nc.is_multiple_of(nr) && b.nc >= nr, "{b:?}");
                assert!(b.nc * b.kc * bytes <= MOST_B_BYTES.max(nr * depth), "{b:?}");
            }
            // A short k packs at least as many rows at a time.
            let (short, deep) = (
                Blocking::new(bytes, (mr, nr), depth, 40),
                Blocking::new(bytes, (mr, nr), depth, 3 * depth),
            );
            assert!(
                short.mc >= deep.mc && short.nc >= deep.nc,
                "{short:?} {deep:?}"
            );
        }
    }
}
