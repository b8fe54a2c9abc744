//! The case table: every case of /work/shared/BENCH.md plus three tiny ones.
//! A case builds its inputs (fixed seed, uniform in [-1, 1)), then times
//! `einsum!` and its peers through the context.

use crate::peers::*;
use crate::timing::{Ctx, Real, Reused, Rng};
use crate::{semirings, tccg};
use crate::{ALLOC, DOT, GEMM, LOOP, NDE};
use einsum_static::einsum;
use ndarray::linalg::general_mat_mul;
use ndarray::{Array3, Axis};
use ndarray_einsum::einsum as nde;

/// What one call does, for the rate column.
#[derive(Clone, Copy)]
pub enum Work {
    /// Floating-point operations (a multiply-add is 2): compute-bound.
    Flops(f64),
    /// Bytes of the operands read plus the output written: memory-bound.
    Bytes(f64),
}

pub struct Case {
    pub name: &'static str,
    pub equation: &'static str,
    pub shapes: &'static str,
    pub work: Work,
    pub f32: bool,
    pub run: fn(&mut Ctx),
}

use Work::{Bytes, Flops};

const SEED: u64 = 0x5EED_2024;

/// The table: name, equation, operand shapes, work of one call, and the
/// function that builds the inputs and times the contenders.
#[rustfmt::skip]
pub fn all() -> Vec<Case> {
    const F8: f64 = 8.0; // bytes per f64
    let n3 = 256.0 * 256.0 * 256.0;
    let table: Vec<(_, _, _, _, fn(&mut Ctx))> = vec![
        ("matmul_1024", "ij,jk->ik", "(1024,1024),(1024,1024)", Flops(2.0 * 1024f64.powi(3)), |c| matmul::<f64>(c, 1024, 1024, 1024, false)),
        // The same product on strided views; the peers run on contiguous
        // copies, so best/ours is (best contiguous) / (ours on the views).
        ("matmul_1024_tr", "ij,jk->ik", "(1024,1024)ᵀ,(1024,1024)ᵀ", Flops(2.0 * 1024f64.powi(3)), |c| matmul_views(c, Views::Transposed)),
        ("matmul_1024_step", "ij,jk->ik", "(1024,2048)[:, ::2],(2048,1024)[::2, ::-1]", Flops(2.0 * 1024f64.powi(3)), |c| matmul_views(c, Views::Stepped)),
        ("matmul_tall", "ij,jk->ik", "(10000,100),(100,100)", Flops(2.0 * 1e4 * 100.0 * 100.0), |c| matmul::<f64>(c, 10000, 100, 100, false)),
        ("rowdot", "ij,ij->i", "(100000,100),(100000,100)", Bytes((2.0 * 1e7 + 1e5) * F8), rowdot),
        ("bmm", "bij,bjk->bik", "(64,128,128),(64,128,128)", Flops(2.0 * 64.0 * 128f64.powi(3)), bmm),
        // Batches of products too small for a GEMM call each.
        ("bmm_small_16", "bij,bjk->bik", "(16384,16,16),(16384,16,16)", Flops(2.0 * 16384.0 * 16f64.powi(3)), |c| bmm_small(c, 16384, 16)),
        ("bmm_small_4", "bij,bjk->bik", "(65536,4,4),(65536,4,4)", Flops(2.0 * 65536.0 * 4f64.powi(3)), |c| bmm_small(c, 65536, 4)),
        ("attention_scores", "bhqd,bhkd->bhqk", "(8,8,256,64),(8,8,256,64)", Flops(2.0 * 64.0 * 256.0 * 256.0 * 64.0), attention),
        ("tccg_abcd", "abcd,cdef->abef", "(32,32,32,32),(32,32,32,32)", Flops(2.0 * 32f64.powi(6)), tccg),
        ("outer", "i,j->ij", "(4096,),(4096,)", Bytes((2.0 * 4096.0 + 4096.0 * 4096.0) * F8), outer),
        ("transpose_sum", "ijk->kj", "(256,256,256)", Bytes((n3 + 256.0 * 256.0) * F8), transpose_sum),
        ("trace", "ii->", "(4096,4096)", Bytes(4096.0 * F8), |c| trace(c, 4096)),
        ("diag_mul", "ii,i->i", "(4096,4096),(4096,)", Bytes(3.0 * 4096.0 * F8), diag_mul),
        // Optimal pairwise path: (ik,il->ikl), then (ikl,jkl->ij).
        ("bilinear_3op", "ik,jkl,il->ij", "(256,64),(128,64,64),(256,64)", Flops(2.0 * 256.0 * 128.0 * 64.0 * 64.0 + 256.0 * 64.0 * 64.0), bilinear),
        // Optimal pairwise path: (jk,kl->jl), (ij,jl->il), (il,lm->im).
        ("chain_4op", "ij,jk,kl,lm->im", "(512,64),(64,512),(512,64),(64,512)", Flops(2.0 * (64.0 * 512.0 * 64.0 + 512.0 * 64.0 * 64.0 + 512.0 * 64.0 * 512.0)), chain),
        ("sum_all", "ijk->", "(256,256,256)", Bytes(n3 * F8), sum_all),
        ("matvec", "ij,j->i", "(8192,8192),(8192,)", Bytes((8192.0 * 8192.0 + 2.0 * 8192.0) * F8), matvec),
        ("matmul_1024_f32", "ij,jk->ik", "(1024,1024),(1024,1024)", Flops(2.0 * 1024f64.powi(3)), |c| matmul::<f32>(c, 1024, 1024, 1024, false)),
        // Integer operations (a multiply-add is 2); values in -8..8.
        ("matmul_256_i64", "ij,jk->ik", "(256,256),(256,256)", Flops(2.0 * 256f64.powi(3)), matmul_i64),
        // TCCG contractions (benches/einsum/tccg.rs): every label of one size.
        ("tccg_aebf_fdec", "aebf,fdec->abcd", "40^4,40^4", Flops(2.0 * 40f64.powi(6)), tccg::aebf_fdec),
        ("tccg_eafd_fbec", "eafd,fbec->abcd", "40^4,40^4", Flops(2.0 * 40f64.powi(6)), tccg::eafd_fbec),
        ("tccg_aebf_dfce", "aebf,dfce->abcd", "40^4,40^4", Flops(2.0 * 40f64.powi(6)), tccg::aebf_dfce),
        ("tccg_fbea_ecfd", "fbea,ecfd->dcba", "40^4,40^4", Flops(2.0 * 40f64.powi(6)), tccg::fbea_ecfd),
        ("tccg_ebad_ce", "ebad,ce->abcd", "40^4,40^2", Flops(2.0 * 40f64.powi(5)), tccg::ebad_ce),
        ("tccg_ea_ebcd", "ea,ebcd->abcd", "40^2,40^4", Flops(2.0 * 40f64.powi(5)), tccg::ea_ebcd),
        ("tccg_dega_gfbc", "dega,gfbc->abcdef", "12^4,12^4", Flops(2.0 * 12f64.powi(7)), tccg::dega_gfbc),
        ("tccg_aged_cbfg", "aged,cbfg->fedcba", "12^4,12^4", Flops(2.0 * 12f64.powi(7)), tccg::aged_cbfg),
        ("tccg_fbea_ecfd_f32", "fbea,ecfd->dcba", "48^4,48^4", Flops(2.0 * 48f64.powi(6)), tccg::fbea_ecfd_f32),
        ("tccg_dega_gfbc_f32", "dega,gfbc->abcdef", "14^4,14^4", Flops(2.0 * 14f64.powi(7)), tccg::dega_gfbc_f32),
        // The rest of the TCCG repository's list; INTENSLI's j label is 24.
        ("tccg_acd_dbc", "acd,dbc->ab", "144^3,144^3", Flops(2.0 * 144f64.powi(4)), tccg::acd_dbc),
        ("tccg_cad_dcb", "cad,dcb->ab", "144^3,144^3", Flops(2.0 * 144f64.powi(4)), tccg::cad_dcb),
        ("tccg_acd_db", "acd,db->abc", "144^3,144^2", Flops(2.0 * 144f64.powi(4)), tccg::acd_db),
        ("tccg_adc_bd", "adc,bd->abc", "144^3,144^2", Flops(2.0 * 144f64.powi(4)), tccg::adc_bd),
        ("tccg_adec_ebd", "adec,ebd->abc", "40^4,40^3", Flops(2.0 * 40f64.powi(5)), tccg::adec_ebd),
        ("tccg_eb_aecd", "eb,aecd->abcd", "40^2,40^4", Flops(2.0 * 40f64.powi(5)), tccg::eb_aecd),
        ("tccg_ec_abed", "ec,abed->abcd", "40^2,40^4", Flops(2.0 * 40f64.powi(5)), tccg::ec_abed),
        ("tccg_bda_dc", "bda,dc->abc", "144^3,144x24", Flops(2.0 * 24.0 * 144f64.powi(3)), tccg::bda_dc),
        ("tccg_dca_bd", "dca,bd->abc", "144^3,24x144", Flops(2.0 * 24.0 * 144f64.powi(3)), tccg::dca_bd),
        ("tccg_dbea_ec", "dbea,ec->abcd", "40^4,40x24", Flops(2.0 * 24.0 * 40f64.powi(4)), tccg::dbea_ec),
        ("tccg_deca_be", "deca,be->abcd", "40^4,24x40", Flops(2.0 * 24.0 * 40f64.powi(4)), tccg::deca_be),
        ("tccg_efbad_cf", "efbad,cf->abcde", "20^5,24x20", Flops(2.0 * 24.0 * 20f64.powi(5)), tccg::efbad_cf),
        ("tccg_ecbfa_fd", "ecbfa,fd->abcde", "20^5,20x24", Flops(2.0 * 24.0 * 20f64.powi(5)), tccg::ecbfa_fd),
        ("tccg_efcad_bf", "efcad,bf->abcde", "20^5,24x20", Flops(2.0 * 24.0 * 20f64.powi(5)), tccg::efcad_bf),
        ("tccg_degb_gfac", "degb,gfac->abcdef", "12^4,12^4", Flops(2.0 * 12f64.powi(7)), tccg::degb_gfac),
        ("tccg_degc_gfab", "degc,gfab->abcdef", "12^4,12^4", Flops(2.0 * 12f64.powi(7)), tccg::degc_gfab),
        ("tccg_dfgb_geac", "dfgb,geac->abcdef", "12^4,12^4", Flops(2.0 * 12f64.powi(7)), tccg::dfgb_geac),
        // Semirings (benches/einsum/semirings.rs); a term (⊗ then ⊕) is 2.
        ("max_plus_1024", "ij,jk->ik", "(1024,1024),(1024,1024)", Flops(2.0 * 1024f64.powi(3)), |c| semirings::max_plus(c, 1024)),
        ("min_plus_1024", "ij,jk->ik", "(1024,1024),(1024,1024)", Flops(2.0 * 1024f64.powi(3)), |c| semirings::min_plus(c, 1024)),
        ("max_product_512", "ij,jk->ik", "(512,512),(512,512)", Flops(2.0 * 512f64.powi(3)), |c| semirings::max_product(c, 512)),
        ("log_sum_exp_256", "ij,jk->ik", "(256,256),(256,256)", Flops(2.0 * 256f64.powi(3)), |c| semirings::log_sum_exp(c, 256)),
        // Ours writing into an array it reuses (out = &mut c), against ours allocating.
        ("bmm_small_16_out", "bij,bjk->bik", "(16384,16,16),(16384,16,16)", Flops(2.0 * 16384.0 * 16f64.powi(3)), bmm_small_out),
        ("attention_scores_out", "bhqd,bhkd->bhqk", "(8,8,256,64),(8,8,256,64)", Flops(2.0 * 64.0 * 256.0 * 256.0 * 64.0), attention_out),
        ("tiny_matmul_4", "ij,jk->ik", "(4,4),(4,4)", Flops(2.0 * 64.0), |c| matmul::<f64>(c, 4, 4, 4, true)),
        ("tiny_dot_8", "i,i->", "(8,),(8,)", Flops(16.0), tiny_dot),
        ("tiny_trace_3", "ii->", "(3,3)", Flops(3.0), |c| trace(c, 3)),
    ];
    table
        .into_iter()
        .map(|(name, equation, shapes, work, run)| Case { name, equation, shapes, work, f32: name.ends_with("_f32"), run })
        .collect()
}

fn matmul<T: Real>(c: &mut Ctx, m: usize, k: usize, n: usize, with_loop: bool) {
    let mut rng = Rng::new(SEED);
    let a = rng.array::<T, _>((m, k));
    let b = rng.array::<T, _>((k, n));
    let mut s = c.session();
    s.ours(|| einsum!("ij,jk->ik", &a, &b));
    s.peer(GEMM, || gemm_matmul(a.view(), b.view()));
    s.peer(DOT, || a.dot(&b));
    s.peer(NDE, || nde("ij,jk->ik", &[&a, &b]).unwrap());
    if with_loop {
        s.peer(LOOP, || loop_matmul(a.view(), b.view()));
    }
    s.run();
}

/// Strided operand views for [`matmul_views`].
#[derive(Clone, Copy)]
enum Views {
    /// Both operands column-major (the transposes of row-major arrays).
    Transposed,
    /// Every other column of `a`; every other row of `b`, columns reversed.
    Stepped,
}

/// `ij,jk->ik` on strided views of 1024x1024 operands, against the peers
/// on contiguous copies of the same values.
fn matmul_views(c: &mut Ctx, views: Views) {
    let mut rng = Rng::new(SEED);
    let (a_store, b_store) = match views {
        Views::Transposed => (
            rng.array::<f64, _>((1024, 1024)),
            rng.array::<f64, _>((1024, 1024)),
        ),
        Views::Stepped => (
            rng.array::<f64, _>((1024, 2048)),
            rng.array::<f64, _>((2048, 1024)),
        ),
    };
    let (a, b) = match views {
        Views::Transposed => (a_store.t(), b_store.t()),
        Views::Stepped => (
            a_store.slice(ndarray::s![.., ..;2]),
            b_store.slice(ndarray::s![..;2, ..;-1]),
        ),
    };
    let (a_copy, b_copy) = (a.to_owned(), b.to_owned());
    let mut s = c.session();
    s.ours(|| einsum!("ij,jk->ik", &a, &b));
    s.peer(GEMM, || gemm_matmul(a_copy.view(), b_copy.view()));
    s.peer(DOT, || a_copy.dot(&b_copy));
    s.run();
}

/// No gemm peer: the gemm crate has no integer kernels; ndarray's `.dot()`
/// on integers is its generic (naive) loop.
fn matmul_i64(c: &mut Ctx) {
    let mut rng = Rng::new(SEED);
    let a = rng.int_array((256, 256));
    let b = rng.int_array((256, 256));
    let mut s = c.session();
    s.ours(|| einsum!("ij,jk->ik", &a, &b));
    s.peer(DOT, || a.dot(&b));
    s.peer(NDE, || nde("ij,jk->ik", &[&a, &b]).unwrap());
    s.peer(LOOP, || loop_matmul(a.view(), b.view()));
    s.run();
}

fn rowdot(c: &mut Ctx) {
    let mut rng = Rng::new(SEED);
    let a = rng.array::<f64, _>((100_000, 100));
    let b = rng.array::<f64, _>((100_000, 100));
    let mut s = c.session();
    s.ours(|| einsum!("ij,ij->i", &a, &b));
    s.peer(NDE, || nde("ij,ij->i", &[&a, &b]).unwrap());
    s.peer(LOOP, || loop_rowdot(a.view(), b.view()));
    s.run();
}

fn bmm(c: &mut Ctx) {
    let mut rng = Rng::new(SEED);
    let x = rng.array::<f64, _>((64, 128, 128));
    let y = rng.array::<f64, _>((64, 128, 128));
    let mut s = c.session();
    s.ours(|| einsum!("bij,bjk->bik", &x, &y));
    s.peer(GEMM, || gemm_batched(x.view(), y.view()));
    s.peer(DOT, || {
        let mut out = Array3::zeros((64, 128, 128));
        for p in 0..64 {
            let (xp, yp) = (x.index_axis(Axis(0), p), y.index_axis(Axis(0), p));
            general_mat_mul(1.0, &xp, &yp, 0.0, &mut out.index_axis_mut(Axis(0), p));
        }
        out
    });
    s.peer(NDE, || nde("bij,bjk->bik", &[&x, &y]).unwrap());
    s.run();
}

fn bmm_small(c: &mut Ctx, batch: usize, n: usize) {
    let mut rng = Rng::new(SEED);
    let x = rng.array::<f64, _>((batch, n, n));
    let y = rng.array::<f64, _>((batch, n, n));
    let mut s = c.session();
    s.ours(|| einsum!("bij,bjk->bik", &x, &y));
    s.peer(GEMM, || gemm_batched(x.view(), y.view()));
    s.peer(NDE, || nde("bij,bjk->bik", &[&x, &y]).unwrap());
    s.peer(LOOP, || loop_bmm(x.view(), y.view()));
    s.run();
}

/// `bmm_small_16` into an output the calls reuse.
fn bmm_small_out(c: &mut Ctx) {
    let mut rng = Rng::new(SEED);
    let x = rng.array::<f64, _>((16384, 16, 16));
    let y = rng.array::<f64, _>((16384, 16, 16));
    let out = std::cell::RefCell::new(Array3::<f64>::zeros((16384, 16, 16)));
    let mut s = c.session();
    s.ours(|| {
        einsum!("bij,bjk->bik", &x, &y; out = &mut *out.borrow_mut());
        Reused(&out)
    });
    s.peer(ALLOC, || einsum!("bij,bjk->bik", &x, &y));
    s.run();
}

/// `attention_scores` into an output the calls reuse.
fn attention_out(c: &mut Ctx) {
    let mut rng = Rng::new(SEED);
    let q = rng.array::<f64, _>((8, 8, 256, 64));
    let k = rng.array::<f64, _>((8, 8, 256, 64));
    let out = std::cell::RefCell::new(ndarray::Array4::<f64>::zeros((8, 8, 256, 256)));
    let mut s = c.session();
    s.ours(|| {
        einsum!("bhqd,bhkd->bhqk", &q, &k; out = &mut *out.borrow_mut());
        Reused(&out)
    });
    s.peer(ALLOC, || einsum!("bhqd,bhkd->bhqk", &q, &k));
    s.run();
}

fn attention(c: &mut Ctx) {
    let mut rng = Rng::new(SEED);
    let q = rng.array::<f64, _>((8, 8, 256, 64));
    let k = rng.array::<f64, _>((8, 8, 256, 64));
    let q3 = q.view().into_shape_with_order((64, 256, 64)).unwrap();
    let k3 = k.view().into_shape_with_order((64, 256, 64)).unwrap();
    let mut s = c.session();
    s.ours(|| einsum!("bhqd,bhkd->bhqk", &q, &k));
    s.peer(GEMM, || {
        let out = gemm_batched(q3, k3.permuted_axes([0, 2, 1]));
        out.into_shape_with_order((8, 8, 256, 256)).unwrap()
    });
    s.peer(DOT, || {
        let mut out = Array3::zeros((64, 256, 256));
        for p in 0..64 {
            let (qp, kp) = (q3.index_axis(Axis(0), p), k3.index_axis(Axis(0), p));
            general_mat_mul(1.0, &qp, &kp.t(), 0.0, &mut out.index_axis_mut(Axis(0), p));
        }
        out.into_shape_with_order((8, 8, 256, 256)).unwrap()
    });
    s.peer(NDE, || nde("bhqd,bhkd->bhqk", &[&q, &k]).unwrap());
    s.run();
}

fn tccg(c: &mut Ctx) {
    let mut rng = Rng::new(SEED);
    let a = rng.array::<f64, _>((32, 32, 32, 32));
    let b = rng.array::<f64, _>((32, 32, 32, 32));
    let a2 = a.view().into_shape_with_order((1024, 1024)).unwrap();
    let b2 = b.view().into_shape_with_order((1024, 1024)).unwrap();
    let mut s = c.session();
    s.ours(|| einsum!("abcd,cdef->abef", &a, &b));
    s.peer(GEMM, || {
        gemm_matmul(a2, b2)
            .into_shape_with_order((32, 32, 32, 32))
            .unwrap()
    });
    s.peer(DOT, || {
        a2.dot(&b2).into_shape_with_order((32, 32, 32, 32)).unwrap()
    });
    s.peer(NDE, || nde("abcd,cdef->abef", &[&a, &b]).unwrap());
    s.run();
}

fn outer(c: &mut Ctx) {
    let mut rng = Rng::new(SEED);
    let a = rng.array::<f64, _>(4096);
    let b = rng.array::<f64, _>(4096);
    let mut s = c.session();
    s.ours(|| einsum!("i,j->ij", &a, &b));
    s.peer(NDE, || nde("i,j->ij", &[&a, &b]).unwrap());
    s.peer(LOOP, || loop_outer(a.view(), b.view()));
    s.run();
}

fn transpose_sum(c: &mut Ctx) {
    let x = Rng::new(SEED).array::<f64, _>((256, 256, 256));
    let mut s = c.session();
    s.ours(|| einsum!("ijk->kj", &x));
    s.peer(NDE, || nde("ijk->kj", &[&x]).unwrap());
    s.peer(LOOP, || loop_transpose_sum(x.view()));
    s.run();
}

fn trace(c: &mut Ctx, n: usize) {
    let a = Rng::new(SEED).array::<f64, _>((n, n));
    let mut s = c.session();
    s.ours(|| -> f64 { einsum!("ii->", &a) });
    s.peer(NDE, || nde("ii->", &[&a]).unwrap());
    s.peer(LOOP, || loop_trace(a.view()));
    s.run();
}

fn diag_mul(c: &mut Ctx) {
    let mut rng = Rng::new(SEED);
    let a = rng.array::<f64, _>((4096, 4096));
    let v = rng.array::<f64, _>(4096);
    let mut s = c.session();
    s.ours(|| einsum!("ii,i->i", &a, &v));
    s.peer(NDE, || nde("ii,i->i", &[&a, &v]).unwrap());
    s.peer(LOOP, || loop_diag_mul(a.view(), v.view()));
    s.run();
}

fn bilinear(c: &mut Ctx) {
    let mut rng = Rng::new(SEED);
    let a = rng.array::<f64, _>((256, 64));
    let b = rng.array::<f64, _>((128, 64, 64));
    let d = rng.array::<f64, _>((256, 64));
    let b2 = b.view().into_shape_with_order((128, 64 * 64)).unwrap();
    let mut s = c.session();
    s.ours(|| einsum!("ik,jkl,il->ij", &a, &b, &d));
    s.peer(GEMM, || {
        gemm_matmul(bilinear_lhs(a.view(), d.view()).view(), b2.t())
    });
    s.peer(DOT, || bilinear_lhs(a.view(), d.view()).dot(&b2.t()));
    s.peer(NDE, || nde("ik,jkl,il->ij", &[&a, &b, &d]).unwrap());
    s.run();
}

fn chain(c: &mut Ctx) {
    let mut rng = Rng::new(SEED);
    let a = rng.array::<f64, _>((512, 64));
    let b = rng.array::<f64, _>((64, 512));
    let d = rng.array::<f64, _>((512, 64));
    let e = rng.array::<f64, _>((64, 512));
    let mut s = c.session();
    s.ours(|| einsum!("ij,jk,kl,lm->im", &a, &b, &d, &e));
    s.peer(GEMM, || {
        let jl = gemm_matmul(b.view(), d.view());
        let il = gemm_matmul(a.view(), jl.view());
        gemm_matmul(il.view(), e.view())
    });
    s.peer(DOT, || a.dot(&b.dot(&d)).dot(&e));
    s.peer(NDE, || nde("ij,jk,kl,lm->im", &[&a, &b, &d, &e]).unwrap());
    s.run();
}

fn sum_all(c: &mut Ctx) {
    let x = Rng::new(SEED).array::<f64, _>((256, 256, 256));
    let mut s = c.session();
    s.ours(|| -> f64 { einsum!("ijk->", &x) });
    s.peer(NDE, || nde("ijk->", &[&x]).unwrap());
    s.peer(LOOP, || loop_sum(x.view()));
    s.run();
}

fn matvec(c: &mut Ctx) {
    let mut rng = Rng::new(SEED);
    let a = rng.array::<f64, _>((8192, 8192));
    let v = rng.array::<f64, _>(8192);
    let mut s = c.session();
    s.ours(|| einsum!("ij,j->i", &a, &v));
    s.peer(GEMM, || {
        let col = v.view().insert_axis(Axis(1));
        gemm_matmul(a.view(), col)
            .into_shape_with_order(8192)
            .unwrap()
    });
    s.peer(DOT, || a.dot(&v));
    s.peer(NDE, || nde("ij,j->i", &[&a, &v]).unwrap());
    s.peer(LOOP, || loop_matvec(a.view(), v.view()));
    s.run();
}

fn tiny_dot(c: &mut Ctx) {
    let mut rng = Rng::new(SEED);
    let a = rng.array::<f64, _>(8);
    let b = rng.array::<f64, _>(8);
    let mut s = c.session();
    s.ours(|| -> f64 { einsum!("i,i->", &a, &b) });
    s.peer(DOT, || a.dot(&b));
    s.peer(NDE, || nde("i,i->", &[&a, &b]).unwrap());
    s.peer(LOOP, || loop_dot(a.view(), b.view()));
    s.run();
}
