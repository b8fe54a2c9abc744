//! The examples of NumPy's `numpy.einsum` documentation (and a few more in
//! the same style), with the values NumPy 2.4 prints, written as literals.
//! The result types are spelled out, so each test also checks the form of
//! the result (scalar, `Array<T, IxN>` or `ArrayD`).

use einsum_static::einsum;
use ndarray::{arr0, array, Array, Array1, Array2, Array3, Array4, ArrayD, IxDyn};

/// `np.arange(25).reshape(5, 5)`
fn a() -> Array2<i64> {
    Array::from_shape_vec((5, 5), (0..25).collect()).unwrap()
}

/// `np.arange(5)`
fn b() -> Array1<i64> {
    Array::from_iter(0..5)
}

/// `np.arange(6).reshape(2, 3)`
fn c() -> Array2<i64> {
    Array::from_shape_vec((2, 3), (0..6).collect()).unwrap()
}

fn dynamic<const N: usize>(shape: [usize; N], values: Vec<i64>) -> ArrayD<i64> {
    ArrayD::from_shape_vec(IxDyn(&shape), values).unwrap()
}

#[test]
fn trace() {
    // np.einsum('ii', a) == 60
    let t: i64 = einsum!("ii", &a());
    assert_eq!(t, 60);
    let t: i64 = einsum!("ii->", &a());
    assert_eq!(t, 60);
}

#[test]
fn diagonal() {
    let d: Array1<i64> = einsum!("ii->i", &a());
    assert_eq!(d, array![0, 6, 12, 18, 24]);
}

#[test]
fn sum_over_an_axis() {
    let s: Array1<i64> = einsum!("ij->i", &a());
    assert_eq!(s, array![10, 35, 60, 85, 110]);
    // With an ellipsis, for arrays of any rank: an ArrayD.
    let s: ArrayD<i64> = einsum!("...j->...", &a());
    assert_eq!(s, dynamic([5], vec![10, 35, 60, 85, 110]));
    let s: Array1<i64> = einsum!("ij->j", &a());
    assert_eq!(s, array![50, 55, 60, 65, 70]);
    let s: ArrayD<i64> = einsum!("i...->...", &a());
    assert_eq!(s, dynamic([5], vec![50, 55, 60, 65, 70]));
    let total: i64 = einsum!("ij->", &a());
    assert_eq!(total, 300);
}

#[test]
fn transpose() {
    let expected = array![[0, 3], [1, 4], [2, 5]];
    let t: Array2<i64> = einsum!("ji", &c());
    assert_eq!(t, expected);
    let t: Array2<i64> = einsum!("ij->ji", &c());
    assert_eq!(t, expected);
    let cube = Array::from_shape_vec((2, 3, 4), (0..24).collect::<Vec<i64>>()).unwrap();
    let t: Array3<i64> = einsum!("ijk->kji", &cube);
    assert_eq!(
        t,
        array![
            [[0, 12], [4, 16], [8, 20]],
            [[1, 13], [5, 17], [9, 21]],
            [[2, 14], [6, 18], [10, 22]],
            [[3, 15], [7, 19], [11, 23]]
        ]
    );
}

#[test]
fn vector_inner_product() {
    let dot: i64 = einsum!("i,i", &b(), &b());
    assert_eq!(dot, 30);
}

#[test]
fn matrix_vector_multiplication() {
    let expected = array![30, 80, 130, 180, 230];
    let mv: Array1<i64> = einsum!("ij,j", &a(), &b());
    assert_eq!(mv, expected);
    let mv: ArrayD<i64> = einsum!("...j,j", &a(), &b());
    assert_eq!(mv, expected.into_dyn());
}

#[test]
fn broadcasting_and_scalar_multiplication() {
    let expected = array![[0, 3, 6], [9, 12, 15]];
    let three = arr0(3i64);
    let m: ArrayD<i64> = einsum!("..., ...", &three, &c());
    assert_eq!(m, expected.clone().into_dyn());
    let m: Array2<i64> = einsum!(",ij", &three, &c());
    assert_eq!(m, expected);
    // A 0-d IxDyn array is a rank-0 operand too.
    let three = ArrayD::from_elem(IxDyn(&[]), 3i64);
    let m: Array2<i64> = einsum!(",ij->ij", &three, &c());
    assert_eq!(m, expected);
}

#[test]
fn vector_outer_product() {
    let one_two = Array::from_iter(0..2i64) + 1;
    let o: Array2<i64> = einsum!("i,j", &one_two, &b());
    assert_eq!(o, array![[0, 1, 2, 3, 4], [0, 2, 4, 6, 8]]);
    let o: Array2<i64> = einsum!("i,j->ji", &b(), &b());
    assert_eq!(
        o,
        array![
            [0, 0, 0, 0, 0],
            [0, 1, 2, 3, 4],
            [0, 2, 4, 6, 8],
            [0, 3, 6, 9, 12],
            [0, 4, 8, 12, 16]
        ]
    );
}

#[test]
fn elementwise_product() {
    let p: Array2<i64> = einsum!("ij,ij->ij", &c(), &c());
    assert_eq!(p, array![[0, 1, 4], [9, 16, 25]]);
}

#[test]
fn tensor_contraction() {
    // a = np.arange(60.).reshape(3,4,5); b = np.arange(24.).reshape(4,3,2)
    let a = Array::from_shape_vec((3, 4, 5), (0..60).map(f64::from).collect()).unwrap();
    let b = Array::from_shape_vec((4, 3, 2), (0..24).map(f64::from).collect()).unwrap();
    let t: Array2<f64> = einsum!("ijk,jil->kl", &a, &b);
    assert_eq!(
        t,
        array![
            [4400., 4730.],
            [4532., 4874.],
            [4664., 5018.],
            [4796., 5162.],
            [4928., 5306.]
        ]
    );
}

#[test]
fn ellipsis_use() {
    // a = np.arange(6).reshape((3,2)); b = np.arange(12).reshape((4,3))
    let a = Array::from_shape_vec((3, 2), (0..6).collect::<Vec<i64>>()).unwrap();
    let b = Array::from_shape_vec((4, 3), (0..12).collect::<Vec<i64>>()).unwrap();
    let expected = array![[10, 28, 46, 64], [13, 40, 67, 94]];
    let r: Array2<i64> = einsum!("ki,jk->ij", &a, &b);
    assert_eq!(r, expected);
    let r: ArrayD<i64> = einsum!("ki,...k->i...", &a, &b);
    assert_eq!(r, expected.clone().into_dyn());
    let r: ArrayD<i64> = einsum!("k...,jk", &a, &b);
    assert_eq!(r, expected.into_dyn());
}

#[test]
fn chained_array_operations() {
    // a = np.ones(64).reshape(2,4,8); np.einsum('ijk,ilm,njm,nlk,abc->',a,a,a,a,a)
    let a = Array3::<f64>::ones((2, 4, 8));
    let r: f64 = einsum!("ijk,ilm,njm,nlk,abc->", &a, &a, &a, &a, &a);
    assert_eq!(r, 262144.0);
}

#[test]
fn chained_matrix_products() {
    // np.einsum('ij,jk,kl->il', a, a, a) with a = np.arange(25).reshape(5,5)
    let r: Array2<i64> = einsum!("ij,jk,kl->il", &a(), &a(), &a());
    assert_eq!(
        r,
        array![
            [9000, 9850, 10700, 11550, 12400],
            [25250, 27600, 29950, 32300, 34650],
            [41500, 45350, 49200, 53050, 56900],
            [57750, 63100, 68450, 73800, 79150],
            [74000, 80850, 87700, 94550, 101400]
        ]
    );
    // x = np.arange(6).reshape(2,3); y = np.arange(12).reshape(3,4); z = np.arange(8).reshape(4,2)
    let x = Array::from_shape_vec((2, 3), (0..6).collect::<Vec<i64>>()).unwrap();
    let y = Array::from_shape_vec((3, 4), (0..12).collect::<Vec<i64>>()).unwrap();
    let z = Array::from_shape_vec((4, 2), (0..8).collect::<Vec<i64>>()).unwrap();
    let r: Array2<i64> = einsum!("ij,jk,kl->il", &x, &y, &z);
    assert_eq!(r, array![[324, 422], [1008, 1304]]);
}

#[test]
fn einsum_path_example() {
    // The contraction of numpy.einsum_path's docs, 'ea,fb,abcd,gc,hd->efgh',
    // with w = np.arange(4).reshape(2,2) and t = np.arange(16).reshape(2,2,2,2):
    // np.einsum('ea,fb,abcd,gc,hd->efgh', w, w + 1, t, w - 1, w * 2)
    let w = Array::from_shape_vec((2, 2), (0..4).collect::<Vec<i64>>()).unwrap();
    let t = Array::from_shape_vec((2, 2, 2, 2), (0..16).collect::<Vec<i64>>()).unwrap();
    let (w1, wm1, w2) = (&w + 1, &w - 1, &w * 2);
    let r: Array4<i64> = einsum!("ea,fb,abcd,gc,hd->efgh", &w, &w1, &t, &wm1, &w2);
    assert_eq!(
        r,
        array![
            [[[-70, -338], [234, 1134]], [[-158, -762], [530, 2566]]],
            [[[-254, -1210], [882, 4230]], [[-566, -2690], [1978, 9470]]]
        ]
    );
}
