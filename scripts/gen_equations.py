#!/usr/bin/env python3
"""Generates tests/generated/equations.rs, the equations of tests/equations.rs.

    python3 scripts/gen_equations.py            # (re)write the Rust file
    python3 scripts/gen_equations.py --check    # also check every equation
                                                # with numpy.einsum (needs numpy)
    python3 scripts/gen_equations.py --check-reference FILE
        # compare the Rust reference einsum with numpy.einsum, on the dump
        # EINSUM_REFERENCE_DUMP=FILE cargo test --test equations -- --ignored dump_reference

Standard library only (numpy only for --check). The seed is fixed, so the
output is the same on every run. Each equation gets a size per label (0 to 4,
small enough that a plain loop over the whole index space stays cheap) and,
for each operand with '...', the dimensions its ellipsis covers (they
broadcast against each other, NumPy style).

The hand-picked classics come first, then random equations drawn to cover
every rule: explicit and implicit outputs, uppercase labels, repeated labels
(diagonals), labels summed inside one operand, contractions, transposes,
outer products, copies, ellipses (leading, middle, trailing, in some operands
only, broadcasting, covering no dimension at all), rank-0 operands, 1 to 8
operands and outputs of rank 0 to 8.
"""

import argparse
import os
import random
import sys

SEED = 0x5EED_E1A5
MAX_POINTS = 20000  # the reference loops over every label and ellipsis index
RANDOM_COUNT = 200
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "generated", "equations.rs")

ELL = "..."

# Hand-picked equations. An entry is the equation, or (equation, sizes,
# ellipses) to pin sizes ({label: size}) and ellipsis dimensions (one list per
# operand, None for an operand without '...').
CLASSICS = [
    # products
    "ij,jk->ik", "ij,jk", "ij,kj->ik", "ji,jk->ik", "ij,jk->ki",
    "bij,bjk->bik", "bij,bjk", "bij,bkj->bik", "b i j , b j k -> b i k",
    "ij,j->i", "ij,j", "i,ij->j", "i,i", "i,i->", "i,i->i", "ij,ij->", "ij,ij->i",
    "ij,ij->ij", "ij,ji->ij", "ij,ji", "i,j->ij", "i,j", "i,j->ji", "i,j,k->ijk",
    "ij,kl->ijkl", "ij,kl->ilkj", "ijk,jil->kl", "ijk,jkl->il", "abc,cd->abd",
    "ij,jk,kl->il", "ij,jk,kl", "ij,jk,kl->li", "ij,kl,jk->il", "ea,fb,abcd,gc,hd->efgh",
    "bn,anm,bm->ba", "i,ij,j->", "ij,i,j->ij", "ijk,ilm,njm,nlk,abc->",
    "a,b,c,d,e,f,g,h->abcdefgh", "i,i,i,i,i,i,i,i->i", "i,i,i,i,i,i,i,i->",
    "ab,bc,cd,de,ef,fg,gh,hi->ai",
    # GEMM-shaped (at the larger sizes): fused and leftover axes, batches,
    # diagonals, transposed outputs, matrix-vector
    "iij,jk->ik", "ij,jjk->ik", "ijk,kl->ijl", "ijk,lk->lji", "abc,bcd->ad", "acb,bcd->da",
    "bij,bjk->bki", "bij,jk->bik", "ib,bj->ji", "bi,bij->bj", "ijb,jkb->ikb", "ab,cb->ac",
    # unary: copies, transposes, sums
    "i->i", "i", "i->", "ij->ij", "ij", "ij->ji", "ji", "ba", "ij->i", "ij->j", "ij->",
    "ijk->kji", "ijk->jki", "ijk->ik", "ijk->", "ijk", "ikj", "kji", "abcd->dcba",
    "abcdef->fedcba", "abcdefg->gfedcba", "abcdefg", "abcdefgh->hgfedcba",
    "abc,defg->abcdefg", "a,b,c,d,e,f,g", "abcdefg->a", "abcdefg->",
    # diagonals and traces
    "ii->", "ii", "ii->i", "iij->j", "iij", "iji->j", "ijij->ij", "ijij->ji", "ijij",
    "iii->i", "iii->", "iijj->ij", "iijj", "ijji->ij", "ii,i->i", "ii,jj->ij", "ii,ii->",
    "ij,ii->j", "iij,jkk->ik", "aab,bcc,cdd->ad",
    # uppercase
    "Ij,jK->IK", "Aa,aB->AB", "Ba,aA", "aA->Aa", "AbB,Bc->Ac", "ZYX->XYZ", "iI,Ii->iI",
    "Ii", "IJK,KJI->", "abCD,CDef->abef",
    # rank-0 operands
    ",ij->ij", ",ij", ",->", "->", ",", "i,->i", ",i,->i", ",,->", ",ij,,jk->ik",
    # ellipsis
    ("...ij,...jk->...ik", None, [[2], [2]]),
    ("...ij,...jk->...ik", None, [[3, 1], [2]]),
    ("...ij,...jk", None, [[2], [1]]),
    ("...ii->...i", None, [[2]]),
    ("...ii->...", None, [[3, 2]]),
    ("...ii", None, [[2]]),
    ("i...->...", None, [[2, 3]]),
    ("i...->i...", None, [[2]]),
    ("i...", None, [[3]]),
    ("...j->...", None, [[4]]),
    ("...j,j", None, [[3]]),
    ("...j,j->...", None, [[2, 2]]),
    ("..., ...", None, [[], [2, 3]]),
    ("...,...->...", None, [[2, 1], [3]]),
    ("...->...", None, [[2, 3, 2]]),
    ("...", None, [[3, 2]]),
    ("...->...", None, [[]]),
    ("...,...", None, [[], []]),
    ("i...i->...", None, [[2]]),
    ("i...i", None, [[3, 2]]),
    ("i...j,j...k->...ik", None, [[2], [1]]),
    ("ij...,jk...->ik...", None, [[2], [2]]),
    ("ij...,jk...", None, [[3], [1]]),
    ("...ij->...ji", None, [[2, 2]]),
    ("...ij->ji...", None, [[3]]),
    ("...ij->i...j", None, [[2, 3]]),
    ("ki,...k->i...", None, [[], [4]]),
    ("k...,jk", None, [[2], None]),
    ("...ij,...jk,...kl->...il", None, [[2], [1], [2]]),
    ("...ij,jk,kl->...il", None, [[2], None, None]),
    ("...ij,...jk->ik", None, [[], []]),
    ("...i,...i->i", None, [[], []]),
    ("i...,i...->", None, [[], []]),
    ("...ab,...cd->...abcd", None, [[2, 2], [2]]),
    ("...abc,de->...abcde", None, [[2, 1], None]),
    ("a...b,...->...ab", None, [[2], [3, 2]]),
    ("...,i->...i", None, [[2, 3], None]),
    ("...i,...i->...", None, [[1, 3], [2, 1]]),
    ("...,,...->...", None, [[2], None, [3, 1]]),
    ("...A,A...->...", None, [[3, 2], [2]]),
    ("i...,...i->i...", None, [[2, 1], [3]]),
]


def parse(eq):
    """Terms of an equation: lists of labels and ELL; output None if implicit."""
    s = eq.replace(" ", "")
    if "->" in s:
        lhs, rhs = s.split("->")
    else:
        lhs, rhs = s, None

    def term(t):
        out, k = [], 0
        while k < len(t):
            if t[k] == ".":
                assert t[k:k + 3] == ELL, eq
                out.append(ELL)
                k += 3
            else:
                assert t[k].isalpha(), eq
                out.append(t[k])
                k += 1
        return out

    return [term(t) for t in lhs.split(",")], None if rhs is None else term(rhs)


def implicit_output(inputs):
    labels = [l for t in inputs for l in t if l != ELL]
    once = sorted(l for l in set(labels) if labels.count(l) == 1)
    return ([ELL] if any(ELL in t for t in inputs) else []) + once


def resolved_output(eq):
    inputs, output = parse(eq)
    return output if output is not None else implicit_output(inputs)


def labels_of(eq):
    inputs, _ = parse(eq)
    seen = []
    for t in inputs:
        for l in t:
            if l != ELL and l not in seen:
                seen.append(l)
    return seen


def broadcast(dims_list):
    rank = max((len(d) for d in dims_list), default=0)
    out = [1] * rank
    for dims in dims_list:
        for k, d in enumerate(dims):
            slot = rank - len(dims) + k
            if out[slot] == 1:
                out[slot] = d
            else:
                assert d in (1, out[slot]), dims_list
    return out


def ellipsis_dims(case):
    return broadcast([e for e in case["ell"] if e is not None])


def points(case):
    n = 1
    for s in case["sizes"].values():
        n *= s
    for d in ellipsis_dims(case):
        n *= d
    return n


def output_rank(case):
    out = resolved_output(case["eq"])
    return len(out) - (1 if ELL in out else 0) + (len(ellipsis_dims(case)) if ELL in out else 0)


def random_sizes(rng, labels):
    sizes = {}
    for l in labels:
        r = rng.random()
        sizes[l] = 0 if r < 0.03 else 1 if r < 0.13 else rng.choice([2, 2, 3, 3, 4])
    return sizes


def random_ellipses(rng, inputs, output):
    """Per operand: None (no '...') or the dims its ellipsis covers."""
    has = [ELL in t for t in inputs]
    if not any(has):
        return [None] * len(inputs)
    if ELL not in output:
        # Never summed: the ellipses must cover no dimension.
        return [[] if h else None for h in has]
    rank = rng.choice([0, 1, 1, 2, 2, 3])
    full = [rng.choice([1, 2, 2, 3]) for _ in range(rank)]
    owners = [k for k, h in enumerate(has) if h]
    widest = rng.choice(owners)
    ell = []
    for k, h in enumerate(has):
        if not h:
            ell.append(None)
            continue
        n = rank if k == widest else rng.randint(0, rank)
        dims = full[rank - n:]
        dims = [1 if (d > 1 and rng.random() < 0.25) else d for d in dims]
        ell.append(dims)
    return ell


def fit(case):
    """Shrinks the largest sizes until the index space is small enough."""
    while points(case) > MAX_POINTS:
        big = max(case["sizes"].items(), key=lambda kv: kv[1], default=None)
        if big is not None and big[1] > 2:
            case["sizes"][big[0]] -= 1
            continue
        # Then the ellipsis dimensions.
        ell = [e for e in case["ell"] if e]
        if ell and max(max(e) for e in ell) > 1:
            target = max(ell, key=max)
            target[target.index(max(target))] -= 1
            continue
        assert big is not None, case
        case["sizes"][big[0]] -= 1


def make_case(rng, eq, sizes=None, ell=None):
    inputs, output = parse(eq)
    labels = labels_of(eq)
    case = {"eq": eq}
    case["sizes"] = random_sizes(rng, labels)
    if sizes:
        case["sizes"].update(sizes)
    if ell is None:
        ell = random_ellipses(rng, inputs, resolved_output(eq))
    ell = list(ell) + [None] * (len(inputs) - len(ell))
    assert len(ell) == len(inputs), eq
    case["ell"] = [None if ELL not in t else list(e or []) for t, e in zip(inputs, ell)]
    fit(case)
    return case


LOWER = "abcdefghijklmnopqrstuvwxyz"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def random_equation(rng):
    # Each extra operand is one more loop nest to compile (per element
    # type), so many operands are drawn less often.
    nops = rng.choice([1] * 10 + [2] * 12 + [3] * 5 + [4] * 3 + [5, 6, 7, 8])
    nlabels = rng.randint(1, 8)
    pool = []
    while len(pool) < nlabels:
        c = rng.choice(UPPER) if rng.random() < 0.2 else rng.choice(LOWER)
        if c not in pool:
            pool.append(c)
    repeat_p = rng.choice([0.0, 0.0, 0.15, 0.3])
    terms = []
    for _ in range(nops):
        rank = rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4]) if rng.random() > 0.05 else 0
        t = []
        for _ in range(rank):
            if t and rng.random() < repeat_p:
                t.append(rng.choice(t))
            else:
                t.append(rng.choice(pool))
        terms.append(t)
    used = {l for t in terms for l in t}
    for l in pool:
        if l not in used:
            t = rng.choice(terms)
            t.insert(rng.randint(0, len(t)), l)
    if rng.random() < 0.35:
        for k in range(nops):
            if k == 0 or rng.random() < 0.6:
                t = terms[k]
                t.insert(rng.randint(0, len(t)), ELL)
        if rng.random() < 0.3:
            # Move the ellipsis out of operand 0 sometimes (some operands only).
            if sum(ELL in t for t in terms) > 1:
                terms[0].remove(ELL)
    lhs = ",".join("".join(t) for t in terms)
    any_ell = any(ELL in t for t in terms)
    if rng.random() < 0.3:
        return lhs
    labels = [l for t in terms for l in t if l != ELL]
    distinct = list(dict.fromkeys(labels))
    keep_p = rng.choice([0.2, 0.5, 0.8, 1.0])
    out = [l for l in distinct if rng.random() < keep_p]
    rng.shuffle(out)
    if any_ell and rng.random() < 0.8:
        out.insert(rng.randint(0, len(out)), ELL)
    return lhs + "->" + "".join(out)


def rust_case(index, case):
    eq = case["eq"]
    inputs, _ = parse(eq)
    # Every equation runs in f64 and i64; every few also in f32, i32 and
    # Complex<f64> (more often when it has few operands, as those compile
    # faster); a few in Complex<f32> and i16.
    types = ["f64", "i64"]
    if index % (4 if len(inputs) <= 2 else 12) == 0:
        types += ["f32", "i32", "C64"]
    if index % 16 == 6:
        types += ["C32", "i16"]
    mode = "try" if index % 2 == 0 else "panic"
    operands = ", ".join(str(k) for k in range(len(inputs)))
    sizes = " ".join(f"{l}{s}" for l, s in case["sizes"].items())
    ell = ", ".join("&[" + ", ".join(str(d) for d in e) + "]" if e is not None else "&[]" for e in case["ell"])
    return (
        f'case!(e{index:03}, "{eq}", {mode}, [{operands}], [{", ".join(types)}], '
        f'"{sizes}", &[{ell}]);'
    )


def generate():
    rng = random.Random(SEED)
    cases, seen = [], set()
    for entry in CLASSICS:
        eq, sizes, ell = (entry, None, None) if isinstance(entry, str) else entry
        cases.append(make_case(rng, eq, sizes, ell))
        seen.add(eq.replace(" ", ""))
    added = 0
    while added < RANDOM_COUNT:
        eq = random_equation(rng)
        if eq.replace(" ", "") in seen:
            continue
        seen.add(eq)
        case = make_case(rng, eq)
        if rng.random() < 0.1 and " " not in eq:
            case["eq"] = " ".join(eq)  # spaces are ignored
            case["eq"] = case["eq"].replace(". . .", "...").replace("- >", "->")
        cases.append(case)
        added += 1
    return cases


def coverage(cases):
    """Asserts that the rules the suite is meant to cover are all there."""
    need = {}

    def mark(key):
        need[key] = need.get(key, 0) + 1

    for c in cases:
        inputs, output = parse(c["eq"])
        out = resolved_output(c["eq"])
        mark(f"operands={len(inputs)}")
        mark(f"output_rank={min(output_rank(c), 8)}")
        mark("implicit" if output is None else "explicit")
        labels = [l for t in inputs for l in t if l != ELL]
        if any(l.isupper() for l in labels):
            mark("uppercase")
        if any(len([l for l in t if l != ELL]) != len({l for l in t if l != ELL}) for t in inputs):
            mark("repeated label")
        if any(t == [] for t in inputs):
            mark("rank-0 operand")
        for t in inputs:
            if ELL in t:
                pos = t.index(ELL)
                mark("ellipsis leading" if pos == 0 and len(t) > 1 else
                     "ellipsis trailing" if pos == len(t) - 1 and len(t) > 1 else
                     "ellipsis alone" if len(t) == 1 else "ellipsis middle")
        if any(ELL in t for t in inputs) and not all(ELL in t for t in inputs):
            mark("ellipsis in some operands")
        if ELL in out and len(ellipsis_dims(c)) > 0:
            ell = [e for e in c["ell"] if e is not None]
            if any(e != ellipsis_dims(c) for e in ell):
                mark("ellipsis broadcast")
        if any(e is not None for e in c["ell"]) and not ellipsis_dims(c):
            mark("ellipsis of no dimension")
        if any(s == 0 for s in c["sizes"].values()):
            mark("size 0")
        summed_alone = [l for l in set(labels) if labels.count(l) == 1 and l not in out]
        if summed_alone:
            mark("summed in one operand")
        if len(inputs) >= 2 and any(labels.count(l) >= 2 and l not in out for l in set(labels)):
            mark("contraction")
        if len(inputs) == 1 and sorted(l for l in inputs[0]) == sorted(out) and inputs[0] != out:
            mark("transpose")
        if len(inputs) == 1 and inputs[0] == out:
            mark("copy")
        if len(inputs) >= 2 and len(set(labels)) == len(labels) and sorted(labels) == sorted(l for l in out if l != ELL):
            mark("outer product")
    required = [f"operands={n}" for n in range(1, 9)] + [f"output_rank={r}" for r in range(0, 9)] + [
        "implicit", "explicit", "uppercase", "repeated label", "rank-0 operand", "ellipsis leading",
        "ellipsis trailing", "ellipsis middle", "ellipsis alone", "ellipsis in some operands",
        "ellipsis broadcast", "ellipsis of no dimension", "size 0", "summed in one operand",
        "contraction", "transpose", "copy", "outer product",
    ]
    missing = [r for r in required if r not in need]
    assert not missing, f"generated equations miss: {missing}"
    return need


def check_with_numpy(cases):
    import numpy as np

    for c in cases:
        inputs, _ = parse(c["eq"])
        shapes = []
        for t, e in zip(inputs, c["ell"]):
            shape = []
            for sub in t:
                shape.extend(e if sub == ELL else [c["sizes"][sub]])
            shapes.append(tuple(shape))
        arrays = [np.ones(s) for s in shapes]
        try:
            result = np.einsum(c["eq"], *arrays)
        except Exception as err:
            raise AssertionError(f"numpy rejects {c}: {err}")
        assert np.ndim(result) == output_rank(c), (c, np.shape(result))
        # A label of two operands may have size 1 in one of them.
        for l, s in c["sizes"].items():
            owners = [k for k, t in enumerate(inputs) if l in t]
            if s > 1 and len(owners) > 1:
                k = owners[-1]
                shape = []
                for sub in inputs[k]:
                    shape.extend(c["ell"][k] if sub == ELL else [1 if sub == l else c["sizes"][sub]])
                np.einsum(c["eq"], *(arrays[:k] + [np.ones(shape)] + arrays[k + 1:]))
        if any(ELL in t for t in inputs) and ellipsis_dims(c) and ELL not in resolved_output(c["eq"]):
            raise AssertionError(f"ellipsis summed: {c}")
    print(f"numpy {np.__version__} accepts all {len(cases)} equations on their shapes")


def check_reference(path):
    """Compares the Rust reference einsum's results (dumped by the ignored
    test `dump_reference_for_numpy` of tests/equations.rs) with numpy.einsum."""
    import json

    import numpy as np

    count, bad, names = 0, 0, set()
    with open(path) as f:
        for line in f:
            run = json.loads(line)
            arrays = [np.array(op["values"], dtype=np.float64).reshape(op["shape"]) for op in run["operands"]]
            expected = np.einsum(run["equation"], *arrays)
            got = np.array(run["result"], dtype=np.float64).reshape(run["shape"])
            count += 1
            names.add(run["name"])
            if np.shape(expected) != got.shape or not np.allclose(expected, got, rtol=1e-9, atol=1e-9):
                bad += 1
                if bad <= 10:
                    print(f"MISMATCH {run['name']} {run['equation']!r} [{run['run']}]: "
                          f"numpy {np.shape(expected)}, reference {got.shape}")
    print(f"numpy {np.__version__}: {count - bad} of {count} reference runs "
          f"({len(names)} equations) agree with numpy.einsum")
    return 1 if bad or count == 0 else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="check every equation with numpy.einsum")
    parser.add_argument("--check-reference", metavar="FILE",
                        help="compare the reference einsum's dump (see tests/equations.rs) with numpy.einsum, "
                             "then exit without writing")
    args = parser.parse_args()
    if args.check_reference:
        return check_reference(args.check_reference)
    cases = generate()
    stats = coverage(cases)
    lines = [
        "// @generated by scripts/gen_equations.py: do not edit by hand.",
        "// Regenerate with `python3 scripts/gen_equations.py` (standard library only);",
        "// `python3 scripts/gen_equations.py --check` also checks each equation with numpy.einsum.",
        "//",
        "// case!(name, equation, try|panic, [operand indices], [element types],",
        "//       \"label sizes\", &[ellipsis dims of each operand])",
        f"// {len(cases)} equations, seed {SEED:#x}, at most {MAX_POINTS} index points each.",
        "",
    ]
    for k, c in enumerate(cases):
        lines.append(rust_case(k, c))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(cases)} equations to {os.path.normpath(OUT)}")
    for key in sorted(stats):
        print(f"  {key}: {stats[key]}")
    if args.check:
        check_with_numpy(cases)


if __name__ == "__main__":
    sys.exit(main())
