//! Contractions of the TCCG benchmark (Springer and Bientinesi, "Design of
//! a high-performance GEMM-like Tensor-Tensor Multiplication"), written
//! `C-A-B` there and `A,B->C` here: the public TCCG repository's list of
//! 24 (labels renamed in order of first use, as its `normalize` does; its
//! plain GEMM `ac,cb->ab` is left to the matmul cases) and three more from
//! the paper. Every label has one size, so that the largest tensor holds
//! 16-32 MiB of f64, except the `j` label of the INTENSLI cases (tensor
//! times matrix), which the list fixes at 24. Peers: the `gemm` crate on
//! transposed copies (transpose-then-GEMM: both operands permuted into
//! matrices, one GEMM, the result permuted back; the copies are timed),
//! ndarray-einsum, and `einsum!` under a 1 MiB memory limit, where no
//! array may be copied whole.

use crate::peers::gemm_matmul;
use crate::timing::{Ctx, Real, Rng};
use crate::{GEMM, LIMITED, NDE};
use ndarray::{ArrayD, ArrayViewD, IxDyn};

/// The operands of one case: every label of `size`, except `small`'s.
pub fn operands<T: Real>(
    equation: &str,
    size: usize,
    small: Option<(char, usize)>,
) -> (ArrayD<T>, ArrayD<T>) {
    let mut rng = Rng::new(0x7CC6);
    let terms: Vec<&str> = equation.split("->").next().unwrap().split(',').collect();
    let label_size = |c: char| match small {
        Some((l, n)) if l == c => n,
        _ => size,
    };
    let mut make = |term: &str| {
        let shape: Vec<usize> = term.chars().map(label_size).collect();
        rng.array::<T, _>(IxDyn(&shape))
    };
    (make(terms[0]), make(terms[1]))
}

/// Transpose-then-GEMM: A permuted to (m labels, k labels), B to (k, n),
/// one GEMM, C permuted from (m, n) to the output's order.
pub fn transpose_then_gemm<T: Real>(
    equation: &str,
    a: ArrayViewD<T>,
    b: ArrayViewD<T>,
) -> ArrayD<T> {
    let (inputs, out) = equation.split_once("->").unwrap();
    let (ta, tb) = inputs.split_once(',').unwrap();
    let size = |c: char| match ta.find(c) {
        Some(i) => a.shape()[i],
        None => b.shape()[tb.find(c).unwrap()],
    };
    let m: Vec<char> = ta.chars().filter(|&c| out.contains(c)).collect();
    let k: Vec<char> = ta
        .chars()
        .filter(|&c| tb.contains(c) && !out.contains(c))
        .collect();
    let n: Vec<char> = tb.chars().filter(|&c| out.contains(c)).collect();
    let axes = |term: &str, groups: [&[char]; 2]| -> Vec<usize> {
        groups
            .iter()
            .flat_map(|g| g.iter())
            .map(|&c| term.find(c).unwrap())
            .collect()
    };
    let len = |labels: &[char]| labels.iter().map(|&c| size(c)).product::<usize>();
    let matrix = |x: ArrayViewD<T>, term: &str, rows: &[char], cols: &[char]| {
        let permuted = x
            .permuted_axes(axes(term, [rows, cols]))
            .as_standard_layout()
            .into_owned();
        permuted
            .into_shape_with_order((len(rows), len(cols)))
            .unwrap()
    };
    let c2 = gemm_matmul(
        matrix(a.view(), ta, &m, &k).view(),
        matrix(b.view(), tb, &k, &n).view(),
    );
    let mn: Vec<char> = m.iter().chain(&n).copied().collect();
    let shape: Vec<usize> = mn.iter().map(|&c| size(c)).collect();
    let c = c2.into_shape_with_order(IxDyn(&shape)).unwrap();
    let order: Vec<usize> = out
        .chars()
        .map(|c| mn.iter().position(|&l| l == c).unwrap())
        .collect();
    c.permuted_axes(order).as_standard_layout().into_owned()
}

/// One case: ours, transpose-then-GEMM and ndarray-einsum on the same
/// operands.
macro_rules! tccg_case {
    ($name:ident, $eq:literal, $t:ty, $size:expr) => {
        tccg_case!($name, $eq, $t, $size, None);
    };
    ($name:ident, $eq:literal, $t:ty, $size:expr, $small:expr) => {
        pub fn $name(c: &mut Ctx) {
            let (a, b) = operands::<$t>($eq, $size, $small);
            let mut s = c.session();
            s.ours(|| einsum_static::einsum!($eq, &a, &b));
            s.peer(GEMM, || transpose_then_gemm($eq, a.view(), b.view()));
            s.peer(NDE, || ndarray_einsum::einsum($eq, &[&a, &b]).unwrap());
            s.peer(LIMITED, || einsum_static::einsum!($eq, &a, &b; memory_limit = 1 << 20));
            s.run();
        }
    };
}

tccg_case!(aebf_fdec, "aebf,fdec->abcd", f64, 40);
tccg_case!(eafd_fbec, "eafd,fbec->abcd", f64, 40);
tccg_case!(aebf_dfce, "aebf,dfce->abcd", f64, 40);
tccg_case!(fbea_ecfd, "fbea,ecfd->dcba", f64, 40);
tccg_case!(ebad_ce, "ebad,ce->abcd", f64, 40);
tccg_case!(ea_ebcd, "ea,ebcd->abcd", f64, 40);
tccg_case!(dega_gfbc, "dega,gfbc->abcdef", f64, 12);
tccg_case!(aged_cbfg, "aged,cbfg->fedcba", f64, 12);
tccg_case!(fbea_ecfd_f32, "fbea,ecfd->dcba", f32, 48);
tccg_case!(dega_gfbc_f32, "dega,gfbc->abcdef", f32, 14);
// The rest of the repository's list (ccsd, ao2mo, intensli, ccsd_t).
tccg_case!(acd_dbc, "acd,dbc->ab", f64, 144);
tccg_case!(cad_dcb, "cad,dcb->ab", f64, 144);
tccg_case!(acd_db, "acd,db->abc", f64, 144);
tccg_case!(adc_bd, "adc,bd->abc", f64, 144);
tccg_case!(adec_ebd, "adec,ebd->abc", f64, 40);
tccg_case!(eb_aecd, "eb,aecd->abcd", f64, 40);
tccg_case!(ec_abed, "ec,abed->abcd", f64, 40);
tccg_case!(bda_dc, "bda,dc->abc", f64, 144, Some(('c', 24)));
tccg_case!(dca_bd, "dca,bd->abc", f64, 144, Some(('b', 24)));
tccg_case!(dbea_ec, "dbea,ec->abcd", f64, 40, Some(('c', 24)));
tccg_case!(deca_be, "deca,be->abcd", f64, 40, Some(('b', 24)));
tccg_case!(efbad_cf, "efbad,cf->abcde", f64, 20, Some(('c', 24)));
tccg_case!(ecbfa_fd, "ecbfa,fd->abcde", f64, 20, Some(('d', 24)));
tccg_case!(efcad_bf, "efcad,bf->abcde", f64, 20, Some(('b', 24)));
tccg_case!(degb_gfac, "degb,gfac->abcdef", f64, 12);
tccg_case!(degc_gfab, "degc,gfab->abcdef", f64, 12);
tccg_case!(dfgb_geac, "dfgb,geac->abcdef", f64, 12);
