import numpy as np
import pytest
from ops_parity import F3, F, V, assert_close

from hocsau import ops

# (name, args, kwargs, numpy reference called with the same arguments)
CASES = [
    ("reshape", (F, (2, 6)), {}, np.reshape), ("reshape", (F, -1), {}, np.reshape),
    ("transpose", (F3,), {}, np.transpose), ("transpose", (F3, (1, 0, 2)), {}, np.transpose),
    ("moveaxis", (F3, 0, -1), {}, np.moveaxis), ("swapaxes", (F3, 0, 2), {}, np.swapaxes),
    ("expand_dims", (F, 1), {}, np.expand_dims), ("expand_dims", (F, (0, 3)), {}, np.expand_dims),
    ("squeeze", (F[:1],), {}, np.squeeze), ("squeeze", (F[:1, None], (0, 1)), {}, np.squeeze),
    ("ravel", (F3,), {}, np.ravel), ("broadcast_to", (V, (2, 3)), {}, np.broadcast_to),
    ("concatenate", ([F, F],), {"axis": 1}, np.concatenate),
    ("concatenate", ([F, F3[0]],), {"axis": None}, np.concatenate),
    ("stack", ([F, F],), {"axis": 2}, np.stack), ("hstack", ([F, F],), {}, np.hstack),
    ("vstack", ([V, V],), {}, np.vstack), ("dstack", ([F, F],), {}, np.dstack),
    ("append", (F, F), {}, np.append), ("append", (F, F), {"axis": 0}, np.append),
    ("tile", (F, (2, 1, 2)), {}, np.tile), ("repeat", (F, 2), {}, np.repeat),
    ("repeat", (F, [1, 0, 2]), {"axis": 0}, np.repeat), ("flip", (F3,), {}, np.flip),
    ("flip", (F3, (0, 2)), {}, np.flip), ("fliplr", (F,), {}, np.fliplr),
    ("flipud", (F,), {}, np.flipud), ("roll", (F, 1), {}, np.roll),
    ("roll", (F3, -1), {"axis": 2}, np.roll), ("rot90", (F,), {}, np.rot90),
    ("rot90", (F3, 3, (1, 2)), {}, np.rot90),
    ("take", (F, [0, 2]), {"axis": 1}, np.take), ("take", (F, [[0, -1]]), {}, np.take),
    ("take_along_axis", (F, np.argsort(F, axis=1)), {"axis": 1}, np.take_along_axis),
    ("take_along_axis", (F, np.array([0, -1, 5])), {"axis": None}, np.take_along_axis),
    ("split", (F, 2), {"axis": 1}, np.split), ("split", (F, [1, 5]), {}, np.split),
    ("array_split", (F, 3), {"axis": 1}, np.array_split), ("hsplit", (F, 2), {}, np.hsplit),
    ("vsplit", (F, [1]), {}, np.vsplit), ("dsplit", (F3, 2), {}, np.dsplit),
]


@pytest.mark.parametrize("name,args,kwargs,reference", CASES, ids=[c[0] for c in CASES])
def test_matches_numpy(name, args, kwargs, reference):
    assert_close(getattr(ops, name)(*args, **kwargs), reference(*args, **kwargs))


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap"])
@pytest.mark.parametrize("width", [1, (1, 2), ((2, 0), (1, 3))])
def test_pad_modes_match_numpy(mode, width):
    assert_close(ops.pad(F, width, mode=mode), np.pad(F, width, mode=mode))


def test_pad_constant_value_and_errors():
    assert_close(ops.pad(F, 1, constant_values=5.0), np.pad(F, 1, constant_values=5.0))
    with pytest.raises(ValueError, match="constant_values"):
        ops.pad(F, 1, mode="edge", constant_values=1)
    with pytest.raises(ValueError, match="`mode` must be one of"):
        ops.pad(F, 1, mode="linear_ramp")


def test_misc_queries():
    assert ops.get_item(F, (1, slice(None, 2))).tolist() == F[1, :2].tolist()
    assert ops.size(F3).item() == 24 and ops.ndim(F3) == 3
    assert ops.view(np.array([1.0], "float32"), "int32").item() == 1065353216


def test_shape_errors_name_the_argument():
    with pytest.raises(ValueError, match="Cannot squeeze axis 1"):
        ops.squeeze(F, 1)
    with pytest.raises(ValueError, match="equal sections"):
        ops.split(F, 3, axis=1)
    with pytest.raises(ValueError, match="out of bounds"):
        ops.expand_dims(F, 5)
    with pytest.raises(ValueError, match="two different axes"):
        ops.rot90(F, axes=(1, 1))
