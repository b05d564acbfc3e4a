import numpy as np
import pytest
from ops_parity import F3, assert_close, assert_like_keras

from hocsau import ops


@pytest.mark.parametrize("pattern,lengths,reference", [
    ("b h w -> b (h w)", {}, lambda x: x.reshape(2, 12)),
    ("b h w -> w b h", {}, lambda x: x.transpose(2, 0, 1)),
    ("b h (w c) -> b c h w", {"c": 2}, lambda x: x.reshape(2, 3, 2, 2).transpose(0, 3, 1, 2)),
    ("(a b) h w -> a b (w h)", {"a": 1},
     lambda x: x.reshape(1, 2, 3, 4).transpose(0, 1, 3, 2).reshape(1, 2, 12)),
])
def test_rearrange_matches_reshape_and_transpose(pattern, lengths, reference):
    out = ops.rearrange(F3, pattern, **lengths)
    assert_close(out, reference(F3))
    assert_like_keras(out, "rearrange", F3, pattern, **lengths)


def test_rearrange_errors():
    with pytest.raises(ValueError, match="same axes"):
        ops.rearrange(F3, "b h w -> b h")
    with pytest.raises(ValueError, match="Cannot infer"):
        ops.rearrange(F3, "b h (w c) -> b h w c")
    with pytest.raises(ValueError, match="input axes"):
        ops.rearrange(np.ones((2, 2)), "a b c -> a b c")
