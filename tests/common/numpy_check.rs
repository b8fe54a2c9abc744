//! Cross-checking the reference with NumPy (dev only).

use super::*;

/// The specs of the generated file, read back from its text: each line
/// `case!(name, "equation", mode, [..], [..], "sizes", &[&[dims], ...]);`.
pub fn specs_from_generated(text: &'static str) -> Vec<Spec> {
    text.lines()
        .filter(|line| line.starts_with("case!("))
        .map(|line| {
            let name = &line["case!(".len()..line.find(',').unwrap()];
            let quoted: Vec<&'static str> = line.split('"').collect();
            let ell_text = quoted[4].split_once("&[").unwrap().1;
            let ellipsis: Vec<&'static [usize]> = ell_text
                .split("&[")
                .map(|item| {
                    let dims: Vec<usize> = item
                        .split(']')
                        .next()
                        .unwrap()
                        .split(',')
                        .filter(|d| !d.trim().is_empty())
                        .map(|d| d.trim().parse().unwrap())
                        .collect();
                    &*Vec::leak(dims)
                })
                .collect();
            Spec {
                name,
                equation: quoted[1],
                sizes: quoted[3],
                ellipsis: Vec::leak(ellipsis),
            }
        })
        .collect()
}

fn json_list<X: fmt::Debug>(items: impl IntoIterator<Item = X>) -> String {
    let items: Vec<String> = items.into_iter().map(|x| format!("{x:?}")).collect();
    format!("[{}]", items.join(", "))
}

/// One JSON line per run of every spec whose operands are small: the
/// equation, the operands (shape and values in logical order) and the
/// reference result, for `scripts/gen_equations.py --check-reference`.
pub fn reference_dump(specs: &[Spec]) -> String {
    let mut out = String::new();
    for spec in specs {
        let mut rng = Rng::for_text(spec.equation, 0xD0);
        for run in plan_runs(spec, &mut rng) {
            if run
                .shapes
                .iter()
                .map(|s| s.iter().product::<usize>())
                .sum::<usize>()
                > 4000
            {
                continue;
            }
            let operands: Vec<Operand<f64>> = run
                .shapes
                .iter()
                .zip(&run.layouts)
                .map(|(shape, &layout)| Operand::new(shape, layout, &mut rng))
                .collect();
            let views: Vec<ArrayViewD<'_, f64>> = operands.iter().map(Operand::view).collect();
            let expected = reference(spec.equation, &views).value;
            let ops: Vec<String> = views
                .iter()
                .map(|v| {
                    format!(
                        "{{\"shape\": {}, \"values\": {}}}",
                        json_list(v.shape()),
                        json_list(v.iter())
                    )
                })
                .collect();
            out.push_str(&format!(
                "{{\"name\": \"{}\", \"run\": \"{}\", \"equation\": \"{}\", \"operands\": [{}], \
                 \"shape\": {}, \"result\": {}}}\n",
                spec.name,
                run.what.replace('"', "'"),
                spec.equation,
                ops.join(", "),
                json_list(expected.shape()),
                json_list(expected.iter())
            ));
        }
    }
    out
}
