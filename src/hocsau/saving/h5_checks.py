"""What an HDF5 weights file may hold, checked before any value is read.

HDF5 can make a dataset read bytes from elsewhere: external links and soft links (to another
file, or another place of this one), external storage (raw data in other files), virtual
datasets (assembled from other files), and filters loaded as plugins. A weights file written
by Keras or hocsau uses none of these, so every one is refused, as Keras 3 does, with the
object's path in the message. So is a dataset that declares far more data than the file
stores (a shape bomb: reading it would allocate the declared size).
"""

from __future__ import annotations

import math

import h5py

# HDF5's built-in filters and h5py's own LZF: nothing is loaded from a plugin folder.
_KNOWN_FILTERS = frozenset({1, 2, 3, 4, 5, 6, 32000})
_BOMB_FLOOR_BYTES = 2**28
_MAX_EXPANSION = 1000


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
