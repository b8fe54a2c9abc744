//! A small tensor network: a matrix product state (MPS) of 6 sites,
//! physical dimension 2 and bond dimension 32, contracted in one einsum of
//! 6 operands into the full state psi[A, B, C, D, E, F] (64 amplitudes):
//!
//! ```text
//!   A1 -a- A2 -b- A3 -c- A4 -d- A5 -e- A6     bonds a..e are summed,
//!    |A     |B     |C     |D     |E     |F    physical legs A..F are kept
//! ```
//!
//! `explain!` prints the pairwise order the library picks for it, like
//! NumPy's `einsum_path`. The squared norm <psi|psi> of the state is checked
//! against the usual left-to-right sweep of transfer matrices over the MPS
//! and its copy, written by hand as two-operand einsums. The contraction is
//! timed on every rayon thread and on one (`; threads = 1`). It is a few
//! microseconds of work, too little to split: the plain call runs it on the
//! calling thread, while `threads = 1` hands it to a one-thread pool, and
//! that hand-off is most of the difference in time.
//!
//! cargo run --release --example tensor_network

use einsum_static::{einsum, explain};
use ndarray::{Array2, Array3};
use std::time::Duration;

mod common;
use common::{median_time, Lcg};

fn main() -> Result<(), einsum_static::EinsumError> {
    let (phys, bond) = (2, 32);
    let mut rng = Lcg(2024);
    // Entries uniform in [-s, s), s chosen so that <psi|psi> is of order one.
    let mut tensor = |shape: (usize, usize, usize), sum_over: usize| {
        let s = (3.0 / sum_over as f64).sqrt();
        Array3::from_shape_fn(shape, |_| s * rng.uniform())
    };
    let first: Array2<f64> = tensor((1, phys, bond), phys * bond)
        .into_shape_with_order((phys, bond))
        .unwrap(); // (physical, right bond)
    let middle: Vec<Array3<f64>> = (0..4)
        .map(|_| tensor((bond, phys, bond), phys * bond)) // (left, physical, right)
        .collect();
    let last: Array2<f64> = tensor((bond, phys, 1), phys)
        .into_shape_with_order((bond, phys))
        .unwrap(); // (left bond, physical)
    let [m1, m2, m3, m4] = [&middle[0], &middle[1], &middle[2], &middle[3]];

    println!(
        "{}",
        explain!(
            "Aa,aBb,bCc,cDd,dEe,eF->ABCDEF",
            &first,
            m1,
            m2,
            m3,
            m4,
            &last
        )?
    );

    let psi = einsum!(
        "Aa,aBb,bCc,cDd,dEe,eF->ABCDEF",
        &first,
        m1,
        m2,
        m3,
        m4,
        &last
    );
    let serial =
        einsum!("Aa,aBb,bCc,cDd,dEe,eF->ABCDEF", &first, m1, m2, m3, m4, &last; threads = 1);
    assert_eq!(psi, serial, "one thread and all threads disagree");
    let norm2: f64 = einsum!("ABCDEF,ABCDEF->", &psi, &psi);
    let swept = sweep(&first, &middle, &last);
    let relative_error = (norm2 - swept).abs() / swept;
    assert!(
        relative_error < 1e-12,
        "einsum and the sweep differ by {relative_error:e}"
    );

    let parallel_time = median_time(|| {
        einsum!(
            "Aa,aBb,bCc,cDd,dEe,eF->ABCDEF",
            &first,
            m1,
            m2,
            m3,
            m4,
            &last
        )
    });
    let serial_time = median_time(
        || einsum!("Aa,aBb,bCc,cDd,dEe,eF->ABCDEF", &first, m1, m2, m3, m4, &last; threads = 1),
    );
    let sweep_time = median_time(|| sweep(&first, &middle, &last));

    println!("psi = einsum(\"Aa,aBb,bCc,cDd,dEe,eF->ABCDEF\", *mps)");
    println!("  6 sites, physical dimension {phys}, bond dimension {bond}, f64");
    println!("  psi.shape = {:?}", psi.shape());
    println!("  psi[0, 0, 0, 0, 0, 0] = {:.6}", psi[[0, 0, 0, 0, 0, 0]]);
    println!("  <psi|psi> = {norm2:.12}, norm = {:.12}", norm2.sqrt());
    println!("  matches the transfer-matrix sweep: relative difference {relative_error:.1e}");
    println!(
        "  {} threads: {:.1} us",
        rayon::current_num_threads(),
        us(parallel_time)
    );
    println!(
        "  1 thread:  {:.1} us, {:.2}x the time: the hand-off to the one-thread pool",
        us(serial_time),
        serial_time.as_secs_f64() / parallel_time.as_secs_f64()
    );
    println!(
        "  the sweep (11 two-operand einsums): {:.1} us",
        us(sweep_time)
    );
    Ok(())
}

/// The reference: <psi|psi> with the MPS and its copy contracted site by
/// site. The environment env[ket bond, bra bond] is carried from left to
/// right, each step a two-operand einsum.
fn sweep(first: &Array2<f64>, middle: &[Array3<f64>], last: &Array2<f64>) -> f64 {
    let mut env = einsum!("pa,pb->ab", first, first);
    for site in middle {
        let half = einsum!("ab,apc->bpc", &env, site); // the ket's tensor absorbed
        env = einsum!("bpc,bpd->cd", &half, site); // then the bra's
    }
    let half = einsum!("ab,ap->bp", &env, last);
    einsum!("bp,bp->", &half, last)
}

fn us(t: Duration) -> f64 {
    t.as_secs_f64() * 1e6
}
