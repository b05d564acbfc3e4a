"""The restricted reader of object arrays inside .npz files."""

import io
import zipfile

import numpy as np
import pytest
from dataset_files import py2_pickle, ragged

from hocsau.datasets._safe_pickle import load_npz


def npy_with_body(array: np.ndarray, body: bytes, version=(1, 0)) -> bytes:
    """An .npy member: the header describing `array`, then `body` as its pickled content."""
    buffer = io.BytesIO()
    header = np.lib.format.header_data_from_array_1_0(array)
    write = {(1, 0): np.lib.format.write_array_header_1_0,
             (2, 0): np.lib.format.write_array_header_2_0}[version]
    write(buffer, header)
    return buffer.getvalue() + body


def write_npz(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("version", [(1, 0), (2, 0)])
def test_old_numpy_spelling_and_numeric_members(tmp_path, version):
    sequences = ragged(np.random.RandomState(9), 5, 30)
    numeric = io.BytesIO()
    np.save(numeric, np.arange(4, dtype="int64"))
    path = tmp_path / "a.npz"
    write_npz(path, {
        "x.npy": npy_with_body(sequences, py2_pickle(sequences), version),
        "y.npy": numeric.getvalue(),
        "notes.txt": b"ignored",
    })
    arrays = load_npz(path)
    assert sorted(arrays) == ["x", "y"]
    assert arrays["x"].dtype == object and [list(s) for s in arrays["x"]] == list(sequences)
    np.testing.assert_array_equal(arrays["y"], [0, 1, 2, 3])


def test_body_must_match_header(tmp_path):
    sequences = ragged(np.random.RandomState(9), 5, 30)
    path = tmp_path / "a.npz"
    write_npz(path, {"x.npy": npy_with_body(sequences, py2_pickle(sequences[:3]))})
    with pytest.raises(ValueError, match=r"shape \(5,\), its body holds ndarray \(3,\)"):
        load_npz(path)
