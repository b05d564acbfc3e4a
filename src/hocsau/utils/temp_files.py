"""Temporary files and folders beside a target, named so that stale ones can be found.

Writes that must never leave a half-written target (saves, downloads, extractions) first write
`.<target name>.<host>.<pid>.<random><suffix>` beside it and rename it into place. A writer
killed mid-write (SIGKILL, power loss) cannot remove its own, so each new temporary file of a
target first removes the stale ones: those of a process of this host that no longer runs, and
any older than `STALE_AFTER_S` (a writer on another host sharing the folder, or a reused
process id). A live writer's file is never touched. Names of earlier hocsau versions
(`.<target name>.<8 random characters><suffix>`, no pid) are removed once older than that age.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import tempfile
import time

STALE_AFTER_S = 24 * 3600
_MAX_BASENAME = 100  # keeps temporary names under the file system's 255-byte limit


def make_file(path: str, suffix: str) -> str:
    """A new empty temporary file for `path` (its folder is created); returns its path."""
    folder, prefix = _prepare(path, suffix)
    handle, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=suffix)
    os.close(handle)
    return tmp


def make_folder(path: str, suffix: str) -> str:
    """A new empty temporary folder for `path` (its folder is created); returns its path."""
    folder, prefix = _prepare(path, suffix)
    return tempfile.mkdtemp(dir=folder, prefix=prefix, suffix=suffix)


def _prepare(path: str, suffix: str) -> tuple[str, str]:
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    remove_stale(path, suffix)
    return folder, f"{_stem(path)}{_host()}.{os.getpid()}."


def remove_stale(path: str, suffix: str) -> list[str]:
    """Remove the temporary files and folders that interrupted writes of `path` left behind;
    returns the names removed."""
    folder = os.path.dirname(os.path.abspath(path))
    stem, end = re.escape(_stem(path)), re.escape(suffix)
    ours = re.compile(rf"{stem}(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+{end}")
    older = re.compile(rf"{stem}[a-z0-9_]{{8}}{end}")
    removed = []
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            match = ours.fullmatch(entry.name)
            if match is None and not older.fullmatch(entry.name):
                continue
            if _is_stale(entry, match) and _remove(entry):
                removed.append(entry.name)
    return removed


def _stem(path: str) -> str:
    return f".{os.path.basename(path)[:_MAX_BASENAME]}."


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:32] or "host"


def _is_stale(entry: os.DirEntry, match) -> bool:
    try:
        age = time.time() - entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return False
    if age > STALE_AFTER_S:
        return True
    return match is not None and match["host"] == _host() and not _alive(int(match["pid"]))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another thread of this process may be writing
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _remove(entry: os.DirEntry) -> bool:
    try:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.remove(entry.path)
    except OSError:
        return False
    return True
