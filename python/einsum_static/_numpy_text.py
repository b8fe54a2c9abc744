"""NumPy's own texts, rebuilt from an equation and operand shapes: the
ValueError numpy.einsum (optimize=False, its C loop) raises for operands
whose shapes do not fit the equation, and the table numpy.einsum_path
prints. Only the error path and einsum_path run this code, so it favours
clarity over speed; it follows numpy/_core/src/multiarray/einsum.c.src,
nditer_constr.c and numpy/_core/einsumfunc.py (NumPy 2.x).
"""

# NumPy's letters for the ellipsis's dimensions in einsum_path, as a set
# built as numpy.einsum_path builds its own: it takes them in the set's
# order, which (string hashes being per process) only a set made alike in
# the same process reproduces.
_SYMBOLS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _terms(equation, output):
    """The input terms as text, and the output's."""
    lhs = equation.replace(" ", "").split("->")[0]
    return lhs.split(","), output.replace(" ", "")


def _shape_text(dims, ending):
    """numpy's convert_shape_to_string: -1 is newaxis, leading ones left
    out, one dimension written as (n,)."""
    i = 0
    while i < len(dims) and dims[i] < 0:
        i += 1
    if i == len(dims):
        return "()" + ending
    text = "(%d" % dims[i]
    i += 1
    for d in dims[i:]:
        text += ",newaxis" if d < 0 else ",%d" % d
    return text + (",)" if len(dims) == 1 else ")") + ending


def shape_error(equation, output, shapes, out_shape=None):
    """numpy.einsum's message for `shapes` on `equation` (whose checked
    output subscripts are `output`), with an ``out=`` of `out_shape` if
    not None, or None where numpy raises nothing or something this does
    not model."""
    terms, output = _terms(equation, output)
    nop = len(shapes)
    if "." in output and output.count(".") != 3:
        return None
    parsed = []
    # The operands' terms in turn, as numpy parses them: rank, then count.
    for k in range(min(nop, len(terms))):
        term = terms[k]
        ellipsis = "..." in term
        labels = term.replace("...", "")
        ndim = len(shapes[k])
        if len(labels) > ndim:
            return f"einstein sum subscripts string contains too many subscripts for operand {k}"
        if not ellipsis and len(labels) < ndim:
            return (
                "operand has more dimensions than subscripts given in einstein sum, but no '...' "
                "ellipsis provided to broadcast the extra dimensions."
            )
        if ellipsis:
            before, after = term.split("...")
            full = list(before) + [None] * (ndim - len(labels)) + list(after)
        else:
            full = list(term)
        parsed.append(full)
    if len(terms) > nop:
        return "more operands provided to einstein sum function than specified in the subscripts string"
    if len(terms) < nop:
        return "fewer operands provided to einstein sum function than specified in the subscripts string"
    broadcast = max([sum(1 for x in p if x is None) for p in parsed] + [0])
    if broadcast > 0 and "..." not in output:
        return (
            "output has more dimensions than subscripts given in einstein sum, but no '...' "
            "ellipsis provided to broadcast the extra dimensions."
        )
    # The output's axes: its labels, the ellipsis's dimensions in place.
    if "..." in output:
        before, after = output.split("...")
        out_labels = list(before) + [("...", d) for d in range(broadcast)] + list(after)
    else:
        out_labels = list(output)
    # One operand whose output is a view of it (no label summed): numpy
    # checks its repeated labels in "single operand" words.
    if nop == 1:
        dims = {}
        for label, d in zip(parsed[0], shapes[0]):
            if label is None:
                continue
            if label not in output:
                break
            if label in dims and dims[label] != d:
                return (
                    f"dimensions in single operand for collapsing index '{label}' "
                    f"don't match ({dims[label]} != {d})"
                )
            dims.setdefault(label, d)
    # Repeated labels collapse to a diagonal, operand by operand.
    combined = []
    for k, (full, shape) in enumerate(zip(parsed, shapes)):
        labels, dims = [], []
        ell = [d for lab, d in zip(full, shape) if lab is None]
        for label, d in zip(full, shape):
            if label is None:
                continue
            if label in labels:
                first = dims[labels.index(label)]
                if first != d:
                    return (
                        f"dimensions in operand {k} for collapsing index '{label}' "
                        f"don't match ({first} != {d})"
                    )
                continue
            labels.append(label)
            dims.append(d)
        # Axes in the operand's order, the ellipsis's where it stands.
        axes, kept = [], set()
        e = 0
        for label, d in zip(full, shape):
            if label is None:
                axes.append((("...", broadcast - len(ell) + e), d))
                e += 1
            elif label not in kept:
                kept.add(label)
                axes.append((label, d))
        combined.append(axes)
    if out_shape is not None and len(out_shape) != len(out_labels):
        return (
            f"out parameter does not have the correct number of dimensions, has "
            f"{len(out_shape)} but should have {len(out_labels)}"
        )
    # The iterator: the output's axes, then the summed labels in code order.
    summed = sorted({lab for p in parsed for lab in p if lab is not None} - set(output))
    iterator = out_labels + summed
    remapped = []
    for axes in combined:
        where = {name: d for name, d in axes}
        remapped.append([where.get(name, -1) for name in iterator])
    if out_shape is not None:
        # `out` is the iterator's last operand: the output's axes in order.
        combined.append([(None, d) for d in out_shape])
        remapped.append(list(out_shape) + [-1] * len(summed))
    for i in range(len(iterator)):
        sizes = {r[i] for r in remapped if r[i] >= 0} - {1}
        if out_shape is not None and i < len(out_shape) and out_shape[i] == 1 and sizes:
            return None  # numpy's "non-broadcastable output operand" case
        if len(sizes) > 1:
            text = "operands could not be broadcast together with remapped shapes [original->remapped]: "
            for axes, r in zip(combined, remapped):
                text += _shape_text([d for _, d in axes], "->") + _shape_text(r, " ")
            return text
    return None


def _flop_count(indices, inner, terms, sizes):
    size = 1
    for i in indices:
        size *= sizes[i]
    factor = max(1, terms - 1) + (1 if inner else 0)
    return size * factor


def path_table(equation, output, shapes, path):
    """numpy.einsum_path's printed table for `path` (pairs of positions,
    as numpy.einsum_path returns them after "einsum_path"), with numpy's
    FLOP formulas along that path."""
    terms, output = _terms(equation, output)
    # The ellipsis's dimensions as letters the equation does not use, the
    # last of numpy's list, right-aligned, as numpy.einsum_path does.
    used = equation.replace(".", "").replace(",", "").replace("->", "")
    unused = "".join(list(_SYMBOLS - set(used)))
    inputs, broadcast = [], 0
    for t, s in zip(terms, shapes):
        if "..." in t:
            n = 0 if len(s) == 0 else max(len(s), 1) - len(t.replace("...", ""))
            broadcast = max(broadcast, n)
            t = t.replace("...", unused[len(unused) - n :] if n > 0 else "")
        inputs.append(t)
    output = output.replace("...", unused[len(unused) - broadcast :] if broadcast else "")
    sizes = {}
    for t, s in zip(inputs, shapes):
        for c, d in zip(t, s):
            if sizes.get(c, 1) == 1:
                sizes[c] = d
    input_list = list(inputs)
    input_sets = [set(x) for x in input_list]
    output_set = set(output)
    indices = set("".join(inputs))
    costs, scales, largest, lines = [], [], [], []
    for n, positions in enumerate(path):
        positions = tuple(sorted(positions, reverse=True))
        contract, remain = set(), set(output_set)
        rest = []
        for k, s in enumerate(input_sets):
            if k in positions:
                contract |= s
            else:
                rest.append(s)
                remain |= s
        result = remain & contract
        removed = contract - result
        input_sets = rest + [result]
        costs.append(_flop_count(contract, removed, len(positions), sizes))
        scales.append(len(contract))
        size = 1
        for i in result:
            size *= sizes[i]
        largest.append(size)
        taken = [input_list.pop(x) for x in positions]
        if n == len(path) - 1:
            name = output
        else:
            name = "".join(x[1] for x in sorted((sizes[i], i) for i in result))
        input_list.append(name)
        lines.append((len(contract), ",".join(taken) + "->" + name, list(input_list)))
    overall = ",".join(inputs) + "->" + output
    inner = sum(len(set(x)) for x in inputs) - len(indices) > 0
    naive = _flop_count(indices, inner, len(inputs), sizes)
    optimized = sum(costs) + 1
    text = f"  Complete contraction:  {overall}\n"
    text += f"         Naive scaling:  {len(indices)}\n"
    text += "     Optimized scaling:  %d\n" % max(scales)
    text += f"      Naive FLOP count:  {naive:.3e}\n"
    text += f"  Optimized FLOP count:  {optimized:.3e}\n"
    text += f"   Theoretical speedup:  {naive / optimized:3.3f}\n"
    text += f"  Largest intermediate:  {max(largest):.3e} elements\n"
    text += "-" * 74 + "\n"
    text += "%6s %24s %40s\n" % ("scaling", "current", "remaining")
    text += "-" * 74
    for scale, current, remaining in lines:
        text += "\n%4d    %24s %40s" % (scale, current, ",".join(remaining) + "->" + output)
    return text
