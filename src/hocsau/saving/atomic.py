"""Atomic file writes: a save goes to a temporary file beside the target, then `os.replace`
puts it in place in one step, so a crash mid-save leaves the previous file intact.

Temporary names follow `utils.temp_files` (`.<target name>.<host>.<pid>.<random>.tmp`): a
killed save's leftovers are removed by the next save to the same place, never a live one's.
"""

from __future__ import annotations

import contextlib
import os
import shutil

from hocsau.utils import temp_files

_SUFFIX = ".tmp"


@contextlib.contextmanager
def atomic_write(path: str):
    """`with atomic_write(path) as tmp:` write to the file named `tmp`; on success it
    replaces `path`, on any error it is removed and `path` is untouched."""
    path = os.fspath(path)
    tmp = temp_files.make_file(path, _SUFFIX)
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


@contextlib.contextmanager
def scratch_folder(path: str):
    """`with scratch_folder(path) as folder:` a temporary folder beside `path` for the parts
    of a multi-file write (named like `atomic_write`'s files, so a killed write's folder is
    removed by the next write to `path`); removed on exit."""
    folder = temp_files.make_folder(os.fspath(path), _SUFFIX)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _file_mode(path: str) -> int:
    """The permissions a plain `open(path, "w")` would give: the old file's, else 0o666 less
    the umask (mkstemp's temporary file is private to its owner)."""
    with contextlib.suppress(OSError):
        return os.stat(path).st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
