"""`hocsau.ops`: Keras 3's tensor API (`keras.ops`) as thin functions over torch.

Every function takes tensors, numpy arrays or Python values and returns torch tensors; given a
symbolic tensor of a functional model it records a graph node instead (see `dispatch.op`).
The submodules `numpy`, `nn`, `linalg` and `image` mirror Keras's; everything except `image`
is also available here directly.
"""

from hocsau.ops import image, linalg, nn, numpy
from hocsau.ops.control_flow import (
    associative_scan,
    cond,
    fori_loop,
    map,
    scan,
    switch,
    vectorized_map,
    while_loop,
)
from hocsau.ops.core import (
    cast,
    convert_to_numpy,
    convert_to_tensor,
    custom_gradient,
    dtype,
    is_tensor,
    saturate_cast,
    scatter,
    scatter_update,
    shape,
    slice,
    slice_update,
    stop_gradient,
    unstack,
)
from hocsau.ops.dispatch import missing_attribute
from hocsau.ops.einops import rearrange
from hocsau.ops.linalg import *  # noqa: F403 - the explicit lists live in the submodules
from hocsau.ops.math import (
    cdist,
    erf,
    erfc,
    erfinv,
    extract_sequences,
    fft,
    fft2,
    ifft2,
    in_top_k,
    irfft,
    logdet,
    logsumexp,
    rfft,
    rsqrt,
    segment_max,
    segment_min,
    segment_prod,
    segment_sum,
    top_k,
    view_as_complex,
    view_as_real,
)
from hocsau.ops.nn import *  # noqa: F403
from hocsau.ops.numpy import *  # noqa: F403
from hocsau.ops.signal import istft, stft

__all__ = [
    "associative_scan", "cast", "cdist", "cond", "convert_to_numpy", "convert_to_tensor",
    "custom_gradient", "dtype", "erf", "erfc", "erfinv", "extract_sequences", "fft", "fft2",
    "fori_loop", "ifft2", "in_top_k", "irfft", "is_tensor", "istft", "logdet", "logsumexp",
    "map", "rearrange", "rfft", "rsqrt", "saturate_cast", "scan", "scatter", "scatter_update",
    "segment_max", "segment_min", "segment_prod", "segment_sum", "shape", "slice",
    "slice_update", "stft", "stop_gradient", "switch", "top_k", "unstack", "vectorized_map",
    "view_as_complex", "view_as_real", "while_loop",
]
__all__ += ["image", "linalg", "nn", "numpy"]
__all__ += linalg.__all__
__all__ += nn.__all__
__all__ += numpy.__all__

__getattr__ = missing_attribute("hocsau.ops", globals())
