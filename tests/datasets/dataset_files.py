"""Tiny dataset files in the real formats: npz, gzipped idx, CIFAR's Python 2 pickles in tar.gz."""

import gzip
import io
import pickle
import struct
import tarfile

import numpy as np


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def ragged(rng, count: int, vocab: int, longest: int = 12) -> np.ndarray:
    """An object array of `count` lists of Python ints in [1, vocab], as in imdb.npz."""
    sequences = np.empty(count, dtype=object)
    for i in range(count):
        sequences[i] = [int(w) for w in rng.randint(1, vocab + 1, rng.randint(1, longest))]
    return sequences


def idx_gz(array: np.ndarray) -> bytes:
    """A gzipped idx file of unsigned bytes, as Fashion-MNIST ships them."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


class _Py2Pickler(pickle._Pickler):
    """Writes bytes as Python 2 `str` opcodes, the way CIFAR's cPickle files hold them."""

    def save_bytes(self, obj):
        size = len(obj)
        if size < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([size]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", size) + obj)
        self.memoize(obj)

    dispatch = dict(pickle._Pickler.dispatch)
    dispatch[bytes] = save_bytes


def py2_pickle(obj) -> bytes:
    """A protocol-2 pickle naming numpy's module as numpy 1.x and Python 2 did."""
    buffer = io.BytesIO()
    _Py2Pickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue().replace(b"numpy._core.multiarray", b"numpy.core.multiarray")


def cifar_batch(rng, count: int, label_keys=("labels",), classes=10) -> dict:
    batch = {
        b"batch_label": b"testing batch 1 of 1",
        b"data": rng.randint(0, 256, (count, 3072)).astype(np.uint8),
        b"filenames": [f"img_{i}.png".encode() for i in range(count)],
    }
    for key in label_keys:
        batch[key.encode()] = [int(v) for v in rng.randint(0, classes, count)]
    return batch


def tar_gz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
