//! Three or more operands: the run-time contraction order (its cost against
//! opt_einsum's optimal figures), and the steps it runs (GEMM engine and
//! generic steps) against the reference, at sizes that reach the GEMM
//! engine and the threads, on transposed, stepped and reversed operands.

mod common;

use common::{
    assert_matches_reference, compare, random, reference_einsum, Equation, Reference, ToDyn,
};
use einsum_static::{einsum, explain};
use ndarray::{s, ArrayD, ShapeBuilder};

#[test]
fn path_costs_equal_opt_einsums_optimal() {
    // The figures opt_einsum 3.4's contract_path(optimize='optimal') prints
    // as opt_cost for the benchmark's multi-operand cases.
    let (tall, wide) = (
        random::<f64, _>((512, 64), 1),
        random::<f64, _>((64, 512), 2),
    );
    let chain = explain!("ij,jk,kl,lm->im", &tall, &wide, &tall, &wide).unwrap();
    assert_eq!(chain.flops(), 41_943_040.0);
    let (a, b) = (
        random::<f64, _>((256, 64), 3),
        random::<f64, _>((128, 64, 64), 4),
    );
    let bilinear = explain!("ik,jkl,il->ij", &a, &b, &a).unwrap();
    assert_eq!(bilinear.flops(), 269_484_032.0);
    let steps = chain.contraction_path().unwrap().steps();
    assert_eq!(steps.len(), 3);
}

#[test]
fn chain_matches_reference_on_every_layout() {
    let a = random::<f64, _>((96, 40), 5);
    let b = random::<f64, _>((40, 96), 6);
    let c_t = random::<f64, _>((24, 96).f(), 7); // column-major
    let d_big = random::<f64, _>((48, 60), 8);
    let d = d_big.slice(s![..;2, ..;-1]); // stepped and reversed: 24 x 60
    let r = einsum!("ij,jk,kl,lm->im", &a, &b, &c_t.t(), &d);
    // The reference one pair at a time (over all five labels at once it
    // takes minutes at these sizes), and the scale of its rounding errors
    // chained the same way over the absolute values: the same check as
    // `assert_matches_reference`, layout and result kind included.
    let ops = [
        a.view().into_dyn(),
        b.view().into_dyn(),
        c_t.t().into_dyn(),
        d.into_dyn(),
    ];
    let chain = |arrays: Vec<ArrayD<f64>>| {
        let pair =
            |x: ArrayD<f64>, y: ArrayD<f64>| reference_einsum("ij,jk->ik", &[x.view(), y.view()]);
        arrays.into_iter().reduce(pair).unwrap()
    };
    let expected = Reference {
        value: chain(ops.iter().map(|op| op.to_owned()).collect()),
        scale: chain(ops.iter().map(|op| op.mapv(f64::abs)).collect()),
        terms: 40 * 96 * 24,
    };
    let kind = Equation::parse("ij,jk,kl,lm->im").result_kind();
    if let Err(err) = compare(&r.to_dyn(), &expected, kind) {
        panic!("ij,jk,kl,lm->im: {err}");
    }
}

#[test]
fn bilinear_and_traces_match_reference() {
    let a = random::<f64, _>((33, 20), 9);
    let b = random::<f64, _>((17, 20, 20), 10);
    let ops = [
        a.view().into_dyn(),
        b.view().into_dyn(),
        a.view().into_dyn(),
    ];
    assert_matches_reference("ik,jkl,il->ij", &ops, einsum!("ik,jkl,il->ij", &a, &b, &a));
    // A scalar out of three operands, with a diagonal and a label summed in one operand only.
    let m = random::<i64, _>((30, 30), 11);
    let v = random::<i64, _>(30, 12);
    let ops = [
        m.view().into_dyn(),
        v.view().into_dyn(),
        m.view().into_dyn(),
    ];
    let r: i64 = einsum!("ii,i,jk->", &m, &v, &m);
    assert_matches_reference("ii,i,jk->", &ops, r);
}

#[test]
fn batched_chain_with_ellipsis_and_broadcast() {
    let x = random::<f64, _>((3, 1, 20, 30), 13);
    let y = random::<f64, _>((4, 30, 25), 14);
    let z = random::<f64, _>((25, 20), 15);
    let ops = [
        x.view().into_dyn(),
        y.view().into_dyn(),
        z.view().into_dyn(),
    ];
    let r = einsum!("...ij,...jk,kl->...il", &x, &y, &z);
    assert_eq!(r.shape(), &[3, 4, 20, 20]);
    assert_matches_reference("...ij,...jk,kl->...il", &ops, r);
}

#[test]
fn six_operands_match_ndarray_dot() {
    let ms: Vec<_> = (0..6).map(|k| random::<f64, _>((40, 40), 20 + k)).collect();
    let r = einsum!(
        "ab,bc,cd,de,ef,fg->ag",
        &ms[0],
        &ms[1],
        &ms[2],
        &ms[3],
        &ms[4],
        &ms[5]
    );
    let expected = ms[1..].iter().fold(ms[0].clone(), |acc, m| acc.dot(m));
    let worst = (&r - &expected).iter().fold(0.0f64, |m, x| m.max(x.abs()));
    assert!(worst < 1e-9, "off by {worst}");
}

#[test]
fn greedy_order_beyond_ten_operands_matches_opt_einsums() {
    // <psi|psi> of a 6-site matrix product state: 12 operands, beyond the
    // exhaustive search. opt_einsum 3.4 prints opt_cost 229,888 for its
    // greedy path and 180,352 for its dp path on these sizes; pairing
    // operands without a shared label first cost 3.4e6 before.
    let (p, d) = (4, 16);
    let end_left = random::<f64, _>((p, d), 40);
    let end_right = random::<f64, _>((d, p), 41);
    let mid: Vec<ndarray::Array3<f64>> = (0..4).map(|k| random((d, p, d), 42 + k)).collect();
    // The ket's sites, then the bra's (real tensors: the same ones).
    macro_rules! norm_with {
        ($macro:ident) => {
            $macro!(
                "Aa,aBb,bCc,cDd,dEe,eF,Ag,gBh,hCi,iDj,jEk,kF->",
                &end_left,
                &mid[0],
                &mid[1],
                &mid[2],
                &mid[3],
                &end_right,
                &end_left,
                &mid[0],
                &mid[1],
                &mid[2],
                &mid[3],
                &end_right
            )
        };
    }
    let plan = norm_with!(explain).unwrap();
    assert!(plan.flops() <= 229_888.0, "{plan}");
    let norm = norm_with!(einsum);
    // The same norm by the transfer-matrix sweep, one site at a time with
    // two-operand einsums (the reference loops over all 16^10 * 4^6
    // indices would take hours).
    let mut env = einsum!("pa,pb->ab", &end_left, &end_left);
    for site in &mid {
        let half = einsum!("ab,apc->bpc", &env, site);
        env = einsum!("bpc,bpd->cd", &half, site);
    }
    let half = einsum!("ab,ap->bp", &env, &end_right);
    let sweep: f64 = einsum!("bp,bp->", &half, &end_right);
    assert!(
        (norm - sweep).abs() <= 1e-9 * sweep.abs().max(1.0),
        "{norm} vs {sweep}"
    );
}

#[test]
fn greedy_order_for_34_operands_is_no_worse_than_the_sweep() {
    // <psi|psi> of a 17-site matrix product state: 34 operands, more than
    // a 32-bit operand set holds. The greedy order must cost no more than
    // the transfer-matrix sweep, one site at a time.
    let (p, d) = (4, 16);
    let end_left = random::<f64, _>((p, d), 50);
    let end_right = random::<f64, _>((d, p), 51);
    let mid: Vec<ndarray::Array3<f64>> = (0..15).map(|k| random((d, p, d), 52 + k)).collect();
    let plan = explain!(
        "Aa,aBb,bCc,cDd,dEe,eFf,fGg,gHh,hIi,iJj,jKk,kLl,lMm,mNn,nOo,oPp,pQ,Aq,qBr,rCs,sDt,tEu,uFv,vGw,wHx,xIy,yJz,zKR,RLS,SMT,TNU,UOV,VPW,WQ->",
        &end_left, &mid[0], &mid[1], &mid[2], &mid[3], &mid[4], &mid[5], &mid[6], &mid[7], &mid[8], &mid[9], &mid[10], &mid[11], &mid[12], &mid[13], &mid[14], &end_right, &end_left, &mid[0], &mid[1], &mid[2], &mid[3], &mid[4], &mid[5], &mid[6], &mid[7], &mid[8], &mid[9], &mid[10], &mid[11], &mid[12], &mid[13], &mid[14], &end_right
    )
    .unwrap();
    let norm: f64 = einsum!(
        "Aa,aBb,bCc,cDd,dEe,eFf,fGg,gHh,hIi,iJj,jKk,kLl,lMm,mNn,nOo,oPp,pQ,Aq,qBr,rCs,sDt,tEu,uFv,vGw,wHx,xIy,yJz,zKR,RLS,SMT,TNU,UOV,VPW,WQ->",
        &end_left, &mid[0], &mid[1], &mid[2], &mid[3], &mid[4], &mid[5], &mid[6], &mid[7], &mid[8], &mid[9], &mid[10], &mid[11], &mid[12], &mid[13], &mid[14], &end_right, &end_left, &mid[0], &mid[1], &mid[2], &mid[3], &mid[4], &mid[5], &mid[6], &mid[7], &mid[8], &mid[9], &mid[10], &mid[11], &mid[12], &mid[13], &mid[14], &end_right
    );
    let mut env = einsum!("pa,pb->ab", &end_left, &end_left);
    let mut sweep_flops = explain!("pa,pb->ab", &end_left, &end_left).unwrap().flops();
    for site in &mid {
        let half = einsum!("ab,apc->bpc", &env, site);
        sweep_flops += explain!("ab,apc->bpc", &env, site).unwrap().flops();
        env = einsum!("bpc,bpd->cd", &half, site);
        sweep_flops += explain!("bpc,bpd->cd", &half, site).unwrap().flops();
    }
    let half = einsum!("ab,ap->bp", &env, &end_right);
    let sweep: f64 = einsum!("bp,bp->", &half, &end_right);
    sweep_flops += explain!("ab,ap->bp", &env, &end_right).unwrap().flops();
    sweep_flops += explain!("bp,bp->", &half, &end_right).unwrap().flops();
    assert!(
        plan.flops() <= sweep_flops,
        "{} > {sweep_flops}\n{plan}",
        plan.flops()
    );
    assert!(
        (norm - sweep).abs() <= 1e-9 * sweep.abs().max(1.0),
        "{norm} vs {sweep}"
    );
}
