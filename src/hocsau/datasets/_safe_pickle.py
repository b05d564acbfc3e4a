"""Reading the pickled parts of dataset files without letting a pickle run code.

The CIFAR batches are pickled dicts holding numpy arrays, and the IMDB and Reuters `.npz` files
store their ragged sequences as object arrays, which numpy can only save as pickles.
`np.load(allow_pickle=True)` would call whatever a tampered file names; this unpickler resolves
only the three names numpy needs to rebuild an array (dicts, lists, strings, bytes and numbers
are built by pickle itself without any name) and refuses everything else.
"""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np

try:  # numpy >= 2; the old `numpy.core` spelling still found in files warns when imported
    from numpy._core.multiarray import _reconstruct
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core.multiarray import _reconstruct

_ALLOWED = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
}


class _ArrayUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED[module, name]
        except KeyError:
            raise pickle.UnpicklingError(
                f"Refusing to load `{module}.{name}` from a dataset file: only numpy arrays, "
                "dicts, lists, strings, bytes and numbers are allowed. The file may be "
                "corrupted or malicious."
            ) from None


def load_pickle(file, encoding: str = "ASCII"):
    """Unpickles `file` (open in binary mode), allowing numpy arrays and builtin containers.

    `encoding` decodes Python 2 strings, as in `pickle.load` ("bytes" keeps them as bytes).
    """
    return _ArrayUnpickler(file, encoding=encoding).load()


def load_npz(path: str) -> dict[str, np.ndarray]:
    """All arrays of an `.npz` file; object arrays go through the restricted unpickler."""
    with zipfile.ZipFile(path) as archive:
        return {
            name[: -len(".npy")]: _read_npy(archive.read(name))
            for name in archive.namelist()
            if name.endswith(".npy")
        }


def _read_npy(data: bytes) -> np.ndarray:
    stream = io.BytesIO(data)
    major, _ = np.lib.format.read_magic(stream)
    # Format 3.0 differs from 2.0 only in the header's text encoding, not in its layout.
    if major == 1:
        shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
    else:
        shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
    if not dtype.hasobject:
        return np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)
    array = load_pickle(stream, encoding="latin1")
    if not isinstance(array, np.ndarray) or array.shape != shape:
        raise ValueError(
            f"Malformed .npy member: its header announces an object array of shape {shape}, "
            f"its body holds {type(array).__name__} {getattr(array, 'shape', '')}."
        )
    return array
