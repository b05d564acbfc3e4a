"""Atomic file writes: a save goes to a temporary file beside the target, then `os.replace`
puts it in place in one step, so a crash mid-save leaves the previous file intact."""

from __future__ import annotations

import contextlib
import os
import tempfile


@contextlib.contextmanager
def atomic_write(path: str):
    """`with atomic_write(path) as tmp:` write to the file named `tmp`; on success it
    replaces `path`, on any error it is removed and `path` is untouched."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.",
                                   suffix=".tmp")
    os.close(handle)
    try:
        yield tmp
        with open(tmp, "rb+") as written:
            os.fsync(written.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def _file_mode(path: str) -> int:
    """The permissions a plain `open(path, "w")` would give: the old file's, else 0o666 less
    the umask (mkstemp's temporary file is private to its owner)."""
    with contextlib.suppress(OSError):
        return os.stat(path).st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
