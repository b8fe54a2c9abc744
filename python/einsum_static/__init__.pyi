"""Type stub of einsum_static: numpy.einsum on every core."""

from typing import Any, List, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

SUPPORTED_DTYPES: Tuple[np.dtype, ...]

_Sublist = Sequence[Union[int, "ellipsis"]]

# einsum: numpy.einsum on every core, the GIL released while it runs.
# Ctrl-C during a long call raises KeyboardInterrupt once the block of work
# in progress ends; an ``out`` array then holds partial values (some
# elements written, others as they were), as NumPy leaves it undefined.
@overload
def einsum(
    subscripts: str,
    /,
    *operands: npt.ArrayLike,
    out: Optional[np.ndarray] = ...,
    dtype: Optional[npt.DTypeLike] = ...,
    optimize: Any = ...,
    threads: Optional[int] = ...,
    memory_limit: Optional[int] = ...,
) -> Any: ...
@overload
def einsum(
    operand: npt.ArrayLike,
    sublist: _Sublist,
    /,
    *operands_and_sublists: Union[npt.ArrayLike, _Sublist],
    out: Optional[np.ndarray] = ...,
    dtype: Optional[npt.DTypeLike] = ...,
    optimize: Any = ...,
    threads: Optional[int] = ...,
    memory_limit: Optional[int] = ...,
) -> Any: ...
def einsum_path(
    *operands: Union[str, npt.ArrayLike, _Sublist],
    optimize: Any = ...,
    threads: Optional[int] = ...,
    memory_limit: Optional[int] = ...,
) -> Tuple[List[Any], str]: ...
