"""What an HDF5 weights file may hold, checked before any value is read.

HDF5 can make a dataset read bytes from elsewhere: external links and soft links (to another
file, or another place of this one), external storage (raw data in other files), virtual
datasets (assembled from other files), and filters loaded as plugins. A weights file written
by Keras or hocsau uses none of these, so every one is refused, as Keras 3 does, with the
object's path in the message. So is a dataset that declares far more data than the file
stores (a shape bomb: reading it would allocate the declared size), and one whose values are
not plain numbers or fixed-length strings (their reading goes through HDF5's global heap).

Before HDF5 opens a file, `check_global_heaps` walks its global heap collections (where
variable-length strings such as TF-Keras's `model_config` live) as libhdf5 will: a damaged
collection whose object list does not advance makes libhdf5 (2.0 included) loop forever.
"""

from __future__ import annotations

import math
import mmap
import os

import h5py

# HDF5's built-in filters and h5py's own LZF: nothing is loaded from a plugin folder.
_KNOWN_FILTERS = frozenset({1, 2, 3, 4, 5, 6, 32000})
_BOMB_FLOOR_BYTES = 2**28
_MAX_EXPANSION = 1000
_SUPERBLOCK = b"\x89HDF\r\n\x1a\n"
_COLLECTION = b"GCOL\x01\x00\x00\x00"  # signature and version 1


def check_file(h5file: h5py.File) -> None:
    """Walk every link and object of an open file (each object once, hard-link cycles
    included) and refuse what could read outside it.

    Raises:
        ValueError: naming the offending path and what it is.
    """
    seen = {h5file.id}
    pending = [h5file]
    while pending:
        group = pending.pop()
        for name in group:
            path = f"{group.name.rstrip('/')}/{name}"
            _check_link(group.get(name, getlink=True), path)
            obj = group[name]
            if isinstance(obj, h5py.Dataset):
                check_dataset(obj, path)
            elif isinstance(obj, h5py.Group) and obj.id not in seen:
                seen.add(obj.id)
                pending.append(obj)


def _check_link(link, path: str) -> None:
    if isinstance(link, h5py.ExternalLink):
        raise ValueError(f"it has an external link at '{path}' (to '{link.filename}:"
                         f"{link.path}'); weights must be stored in the file itself.")
    if not isinstance(link, h5py.HardLink):
        target = getattr(link, "path", "?")
        raise ValueError(f"it has a {type(link).__name__} at '{path}' (to '{target}'); "
                         "weights files hold no links.")


def check_dataset(dataset: h5py.Dataset, path: str) -> None:
    """Refuse a dataset stored outside the file, assembled from other files, compressed by
    an unknown (plugin) filter, or declaring far more bytes than it stores."""
    if dataset.external:
        files = sorted({entry[0] for entry in dataset.external})
        raise ValueError(f"the dataset '{path}' keeps its data in external files {files}; "
                         "weights must be stored in the file itself.")
    if dataset.is_virtual:
        raise ValueError(f"the dataset '{path}' is a virtual dataset; weights must be stored "
                         "in the file itself.")
    if dataset.dtype.kind not in "biufS" or dataset.dtype.fields is not None:
        raise ValueError(f"the dataset '{path}' holds values of type {dataset.dtype}; weights "
                         "are numbers.")
    plist = dataset.id.get_create_plist()
    filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
    unknown = [f for f in filters if f not in _KNOWN_FILTERS]
    if unknown:
        raise ValueError(f"the dataset '{path}' uses the HDF5 filter(s) {unknown}, which would "
                         "be loaded as plugins; only HDF5's built-in filters are read.")
    declared = math.prod(dataset.shape or ()) * dataset.dtype.itemsize
    stored = dataset.id.get_storage_size()
    if declared > _BOMB_FLOOR_BYTES and declared > _MAX_EXPANSION * stored:
        raise ValueError(f"the dataset '{path}' declares {declared} bytes but stores only "
                         f"{stored}; it is refused as a decompression or shape bomb.")


def check_global_heaps(source) -> None:
    """Refuse an HDF5 file (a path or bytes) with a global heap collection that libhdf5
    would parse forever: an object entry that does not advance, or a size that wraps.

    Raises:
        ValueError: naming the byte offset of the damaged collection.
    """
    if isinstance(source, (bytes, bytearray)):
        _check_collections(source)
        return
    with open(source, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            _check_collections(data)


def _check_collections(data) -> None:
    length_size = _length_size(data)
    if length_size is None:
        return  # not HDF5: h5py says so
    start = data.find(_COLLECTION)
    while start != -1:
        _walk_collection(data, start, length_size)
        start = data.find(_COLLECTION, start + len(_COLLECTION))


def _length_size(data) -> int | None:
    """The superblock's "size of lengths" (at 0, 512, 1024, ... after a user block)."""
    offset = 0
    while offset + 16 <= len(data):
        if data[offset:offset + 8] == _SUPERBLOCK:
            return data[offset + (14 if data[offset + 8] < 2 else 10)]
        offset = 512 if offset == 0 else offset * 2
    return None


def _walk_collection(data, start: int, length_size: int) -> None:
    # The collection header (signature, version, size) and each object header (index,
    # reference count, size) both take this many bytes.
    header = _align(8 + length_size)
    size = _number(data, start + 8, length_size)
    end = start + size
    if size < header or end > len(data):
        return  # libhdf5 refuses such a collection itself
    position = start + header
    while position + header <= end:
        index = _number(data, position, 2)
        object_size = _number(data, position + 8, length_size)
        # Object 0 is the free space: its size covers its header; libhdf5 steps by it.
        step = header + _align(object_size) if index else object_size
        if step == 0 or object_size >= 2**62:
            raise ValueError(f"its global heap collection at byte {start} is damaged (object "
                             f"entry at byte {position}); libhdf5 cannot read it.")
        position += step


def _number(data, offset: int, size: int) -> int:
    return int.from_bytes(data[offset:offset + size], "little")


def _align(size: int) -> int:
    return (size + 7) // 8 * 8
