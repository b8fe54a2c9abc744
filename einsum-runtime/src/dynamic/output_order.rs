//! The order in which a two-operand contraction's result is best laid out
//! when the caller may choose it, as `numpy.einsum(optimize=True)` does
//! (its `tensordot` result, then a transposed view): the batch labels,
//! then the first operand's free labels in its memory order, then the
//! second's. Written in that order, the output never breaks a label group
//! of the GEMM, so no engine copies or scatters it.

use crate::shapes::Sub;

/// The output's axes in the order to lay them out (outermost first), when
/// that differs from the output's own order in a way that splits the
/// first or the second operand's free labels; `None` otherwise, and for
/// anything but two operands with labels only, each label once per term,
/// and a summed label. `strides` are the operands' strides.
pub(super) fn output_order(
    inputs: &[Vec<Sub>],
    output: &[Sub],
    strides: [&[isize]; 2],
) -> Option<Vec<usize>> {
    let [a, b] = inputs else {
        return None;
    };
    let labels = |term: &[Sub]| -> Option<Vec<usize>> {
        let mut numbers = Vec::with_capacity(term.len());
        for sub in term {
            match *sub {
                Sub::Label(l) if !numbers.contains(&l) => numbers.push(l),
                _ => return None,
            }
        }
        Some(numbers)
    };
    let (a, b, out) = (labels(a)?, labels(b)?, labels(output)?);
    if !a.iter().any(|l| b.contains(l) && !out.contains(l)) {
        return None;
    }
    // An operand's free labels, largest stride first.
    let free = |term: &[usize], other: &[usize], strides: &[isize]| -> Vec<usize> {
        let mut axes: Vec<usize> = (0..term.len())
            .filter(|&i| out.contains(&term[i]) && !other.contains(&term[i]))
            .collect();
        axes.sort_by_key(|&i| std::cmp::Reverse(strides[i].unsigned_abs()));
        axes.into_iter().map(|i| term[i]).collect()
    };
    let (m, n) = (free(&a, &b, strides[0]), free(&b, &a, strides[1]));
    let apart = |group: &[usize]| {
        let at: Vec<usize> = group
            .iter()
            .map(|l| out.iter().position(|o| o == l).expect("an output label"))
            .collect();
        at.windows(2).any(|w| w[1] != w[0] + 1)
    };
    if !apart(&m) && !apart(&n) {
        return None;
    }
    let batch = out.iter().filter(|l| a.contains(l) && b.contains(l));
    let order = batch.chain(&m).chain(&n);
    Some(
        order
            .map(|l| out.iter().position(|o| o == l).expect("an output label"))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subs(term: &str) -> Vec<Sub> {
        term.bytes()
            .map(|c| Sub::Label((c - b'a') as usize))
            .collect()
    }

    fn order(equation: &str, strides: [&[isize]; 2]) -> Option<Vec<usize>> {
        let (inputs, out) = equation.split_once("->").unwrap();
        let inputs: Vec<Vec<Sub>> = inputs.split(',').map(subs).collect();
        output_order(&inputs, &subs(out), strides)
    }

    const C4: &[isize] = &[1000, 100, 10, 1];

    #[test]
    fn groups_split_by_the_output_are_laid_out_as_numpy_tensordot() {
        // m = (d, e, a) in the first operand's order, n = (f, b, c).
        assert_eq!(
            order("dega,gfbc->abcdef", [C4, C4]),
            Some(vec![3, 4, 0, 5, 1, 2])
        );
        // m = (a, d), n = (b, c).
        assert_eq!(order("eafd,fbec->abcd", [C4, C4]), Some(vec![0, 3, 1, 2]));
        // The operand's memory order, not its subscripts' order.
        assert_eq!(
            order("abk,kc->bac", [&[100, 10, 1], &[10, 1]]),
            Some(vec![1, 0, 2])
        );
        assert_eq!(order("abk,kc->bac", [&[10, 100, 1], &[10, 1]]), None);
    }

    #[test]
    fn outputs_that_keep_their_groups_together_keep_their_order() {
        assert_eq!(order("ij,jk->ik", [C4, C4]), None);
        assert_eq!(order("ij,jk->ki", [C4, C4]), None);
        assert_eq!(order("bij,bjk->bik", [C4, C4]), None);
        assert_eq!(order("ij,jk->ik", [&[1, 8], C4]), None);
    }

    #[test]
    fn other_equations_have_no_preference() {
        assert_eq!(order("ij,jk->ijk", [C4, C4]), None);
        assert_eq!(order("ii,ik->ik", [C4, C4]), None);
        assert_eq!(order("ij,ij->ij", [C4, C4]), None);
    }
}
