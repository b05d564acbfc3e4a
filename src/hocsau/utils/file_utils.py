"""Download a file once, verify it and keep it in a local cache (`keras.utils.get_file`).

A download is written to a hidden temporary file beside its cache entry and renamed into place
only once every announced byte has arrived and the checksum (when given) matches, so an
interrupted or corrupted download never becomes a file that a later call trusts. Archives are
extracted the same way: into a temporary folder, checked member by member so that nothing lands
outside it, then renamed into place. A finished extraction is recorded in a hidden marker beside
it (`.<folder>.extracted.json`: the archive's SHA-256 and every extracted entry with its size and
modification time); a later call reuses the folder only when the marker matches the archive and
the folder, else it extracts again. Temporary names follow `temp_files`, so a killed download's
leftovers are removed by the next one. Origins may be `http(s)://`, `ftp://` or `file://` URLs.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile

from hocsau.utils import temp_files

_CHUNK_SIZE = 65535
_TIMEOUT_S = 60
_PROGRESS_MIN_BYTES = 1 << 20
_HASH_ALGORITHMS = ("auto", "sha256", "md5")
_ARCHIVE_FORMATS = ("tar", "zip")


def get_file(
    fname: str | os.PathLike | None = None,
    origin: str | None = None,
    untar: bool = False,
    md5_hash: str | None = None,
    file_hash: str | None = None,
    cache_subdir: str = "datasets",
    hash_algorithm: str = "auto",
    extract: bool = False,
    archive_format: str | list[str] | None = "auto",
    cache_dir: str | os.PathLike | None = None,
    force_download: bool = False,
) -> str:
    """Downloads a file from a URL unless a verified copy is already in the cache.

    The file lands in `cache_dir/cache_subdir/fname`; `cache_dir` defaults to `$HOCSAU_HOME`,
    else `~/.hocsau` (a temporary folder when that is not writable). A cached file whose hash
    does not match `file_hash` is downloaded again.

    Args:
        fname: Local name of the file; by default the last part of the URL's path. With
            `extract=True`, a name without an extension names the extraction folder.
        origin: URL of the file.
        untar: Deprecated spelling of `extract=True, archive_format="tar"`.
        md5_hash: Deprecated spelling of `file_hash` with `hash_algorithm="md5"`.
        file_hash: Expected sha256 or md5 hex digest of the downloaded file.
        cache_subdir: Folder under the cache root (an absolute path is used as it is).
        hash_algorithm: "sha256", "md5", or "auto" (sha256 for 64-digit hashes, else md5).
        extract: Whether to extract the file as a tar or zip archive.
        archive_format: "auto" (tar, then zip), "tar", "zip", a list of these, or None.
        cache_dir: Cache root overriding `$HOCSAU_HOME`.
        force_download: Download even when a cached copy exists.

    Returns:
        The path of the downloaded file, or of the extraction folder when extracting.

    Raises:
        OSError: The download failed; the message names the URL and where to put the file.
        ValueError: The downloaded file does not match `file_hash`, or an argument is invalid.
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    _check_hash_algorithm(hash_algorithm)
    datadir = _cache_folder(cache_dir, cache_subdir)
    target, extraction_dir = _cache_paths(datadir, fname, origin, extract or untar)
    downloaded = force_download or not _is_cached(target, file_hash, hash_algorithm)
    if downloaded:
        _download(origin, target, file_hash, hash_algorithm)
    if extraction_dir is None:
        return target
    if downloaded or not _extraction_intact(target, extraction_dir):
        _extract_in_place(target, extraction_dir, "tar" if untar else archive_format)
    return extraction_dir


def hash_file(
    fpath: str | os.PathLike, algorithm: str = "sha256", chunk_size: int = _CHUNK_SIZE
) -> str:
    """The sha256 (or md5, with `algorithm="md5"`) hex digest of a file, read in chunks."""
    hasher = hashlib.md5() if algorithm == "md5" else hashlib.sha256()
    with open(fpath, "rb") as file:
        while chunk := file.read(chunk_size):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(
    fpath: str | os.PathLike,
    file_hash: str,
    algorithm: str = "auto",
    chunk_size: int = _CHUNK_SIZE,
) -> bool:
    """Whether a file's digest equals `file_hash` ("auto": sha256 for 64 digits, else md5)."""
    return hash_file(fpath, _resolve_algorithm(algorithm, file_hash), chunk_size) == (
        str(file_hash).lower()
    )


def extract_archive(
    file_path: str | os.PathLike,
    path: str | os.PathLike = ".",
    archive_format: str | list[str] | None = "auto",
) -> bool:
    """Extracts a tar (plain, gz, bz2, xz) or zip archive into `path`.

    Every member is checked first: one that would land outside `path` (absolute names, `..`,
    links pointing out, device files) makes the whole archive rejected before anything is
    written.

    Args:
        file_path: The archive.
        path: Folder to extract into.
        archive_format: "auto" (tar, then zip), "tar", "zip", a list of these, or None.

    Returns:
        True when the file matched one of the formats and was extracted, else False.

    Raises:
        ValueError: A member would escape `path`, or `archive_format` is unknown.
    """
    file_path, path = os.fspath(file_path), os.fspath(path)
    for kind in _archive_kinds(archive_format):
        if kind == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as archive:
                _check_members(file_path, path, archive.getmembers(), _tar_escapes)
                archive.extractall(path, **_tar_filter())
            return True
        if kind == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as archive:
                _check_members(file_path, path, archive.infolist(), _zip_escapes)
                archive.extractall(path)
            return True
    return False


def _cache_root() -> str:
    return os.environ.get("HOCSAU_HOME") or os.path.join(os.path.expanduser("~"), ".hocsau")


def _cache_folder(cache_dir, cache_subdir: str) -> str:
    """`cache_dir/cache_subdir`, created; under the temporary folder when not writable."""
    base = os.path.expanduser(os.fspath(cache_dir) if cache_dir is not None else _cache_root())
    for root in (base, os.path.join(tempfile.gettempdir(), ".hocsau")):
        datadir = os.path.join(root, cache_subdir)
        with contextlib.suppress(OSError):
            os.makedirs(datadir, exist_ok=True)
        if os.access(datadir, os.W_OK):
            return datadir
    raise OSError(f"No writable cache folder for downloads. Tried {base} and {datadir}.")


def _cache_paths(datadir: str, fname, origin: str, extract: bool) -> tuple[str, str | None]:
    """Where the download goes and, when extracting, the extraction folder (Keras's layout)."""
    name = os.fspath(fname) if fname else ""
    if not name:
        name = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not name:
            raise ValueError(
                f"Can't parse the file name from the origin provided: '{origin}'. "
                "Please specify the `fname` argument."
            )
    elif os.sep in name:
        raise ValueError(
            "Paths are not accepted as the `fname` argument. To choose the file's parent "
            f"folder, use the `cache_dir` argument. Received: fname={name}"
        )
    if not extract:
        return os.path.join(datadir, name), None
    if fname and "." in name:
        stem = name[: name.find(".")]
        return os.path.join(datadir, name), os.path.join(datadir, f"{stem}_extracted")
    return os.path.join(datadir, f"{name}_archive"), os.path.join(datadir, name)


def _is_cached(target: str, file_hash: str | None, algorithm: str) -> bool:
    if not os.path.exists(target):
        return False
    if file_hash is None or validate_file(target, file_hash, algorithm):
        return True
    print(
        f"A local file was found, but it seems to be incomplete or outdated because the "
        f"{_resolve_algorithm(algorithm, file_hash)} file hash does not match the original "
        f"value of {file_hash} so we will re-download the data."
    )
    return False


def _download(origin: str, target: str, file_hash: str | None, algorithm: str) -> None:
    """Streams `origin` into a temporary file, verifies it, then renames it to `target`."""
    print(f"Downloading data from {origin}")
    partial = temp_files.make_file(target, ".part")
    try:
        with open(partial, "wb") as out:
            _stream(origin, out, target)
        if file_hash is not None and not validate_file(partial, file_hash, algorithm):
            raise ValueError(
                f"Incomplete or corrupted file detected. The "
                f"{_resolve_algorithm(algorithm, file_hash)} file hash of the download from "
                f"{origin} does not match the provided value of {file_hash}."
            )
        os.chmod(partial, 0o644)  # mkstemp makes it private to the owner
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(partial)
        raise


def _stream(origin: str, out, target: str) -> None:
    """Copies the body of `origin` into `out`, checking it against the announced length."""
    with _network_errors(origin, target):
        response = urllib.request.urlopen(origin, timeout=_TIMEOUT_S)
    with response:
        total = _announced_length(response)
        progress = _Progress(total)
        received = 0
        while True:
            with _network_errors(origin, target):
                chunk = response.read1(_CHUNK_SIZE)
            if not chunk:
                break
            out.write(chunk)
            received += len(chunk)
            progress.update(received)
        progress.close(received)
    if total is not None and received != total:
        detail = f"the connection closed after {received} of {total} bytes"
        raise OSError(_fetch_failure(origin, target, detail))


def _announced_length(response) -> int | None:
    """The body's announced size (Content-Length), if any: HTTP responses and `file://`
    responses both carry the header."""
    length = response.headers.get("Content-Length")
    try:
        return int(length) if length is not None else None
    except ValueError:
        return None


@contextlib.contextmanager
def _network_errors(origin: str, target: str):
    """Re-raises network errors as an OSError naming the URL and the manual fallback."""
    try:
        yield
    except urllib.error.HTTPError as error:
        error.close()  # it holds the open response
        raise OSError(_fetch_failure(origin, target, f"{error.code} {error.reason}")) from error
    except urllib.error.URLError as error:
        raise OSError(_fetch_failure(origin, target, str(error.reason))) from error
    except (OSError, http.client.HTTPException) as error:
        detail = str(error) or type(error).__name__
        raise OSError(_fetch_failure(origin, target, detail)) from error


def _fetch_failure(origin: str, target: str, detail: str) -> str:
    return (
        f"URL fetch failure on {origin}: {detail}. Without network access, download the file "
        f"by other means and save it as {target}; it is then used from there."
    )


class _Progress:
    """One line of downloaded megabytes on stdout, for downloads of 1 MiB or more."""

    def __init__(self, total: int | None):
        self.total = total
        self.last_shown = 0.0
        self.shown = False

    def update(self, received: int, final: bool = False) -> None:
        now = time.monotonic()
        if max(self.total or 0, received) < _PROGRESS_MIN_BYTES:
            return
        if not final and now - self.last_shown < 0.5:
            return
        self.last_shown, self.shown = now, True
        line = f"{received / 2**20:.1f} MiB"
        if self.total:
            line += f" / {self.total / 2**20:.1f} MiB ({100 * received // self.total}%)"
        sys.stdout.write(f"\r{line}")
        sys.stdout.flush()

    def close(self, received: int) -> None:
        self.update(received, final=True)
        if self.shown:
            sys.stdout.write("\n")


def _check_hash_algorithm(algorithm: str) -> None:
    if algorithm not in _HASH_ALGORITHMS:
        raise ValueError(
            f"`hash_algorithm` must be one of {_HASH_ALGORITHMS}. Received: {algorithm!r}"
        )


def _resolve_algorithm(algorithm: str, file_hash: str | None) -> str:
    _check_hash_algorithm(algorithm)
    if algorithm == "auto":
        return "sha256" if file_hash is not None and len(file_hash) == 64 else "md5"
    return algorithm


def _archive_kinds(archive_format) -> list[str]:
    if not archive_format:
        return []
    kinds = list(_ARCHIVE_FORMATS) if archive_format == "auto" else archive_format
    kinds = [kinds] if isinstance(kinds, str) else list(kinds)
    for kind in kinds:
        if kind not in _ARCHIVE_FORMATS:
            raise ValueError(
                f"`archive_format` must be 'auto', 'tar', 'zip', a list of these or None. "
                f"Received: {archive_format!r}"
            )
    return kinds


def _extract_in_place(archive: str, extraction_dir: str, archive_format) -> None:
    """Extracts into a temporary sibling folder, renames it to `extraction_dir`, then writes
    the marker of a complete extraction (removed first, so a killed extraction has none)."""
    marker = _marker_path(extraction_dir)
    with contextlib.suppress(FileNotFoundError):
        os.remove(marker)
    staging = temp_files.make_folder(extraction_dir, ".part")
    try:
        if not extract_archive(archive, staging, archive_format):
            warnings.warn("Could not extract archive.", stacklevel=3)
            return
        os.chmod(staging, 0o755)  # mkdtemp makes it private to the owner
        if os.path.isdir(extraction_dir) and not os.path.islink(extraction_dir):
            shutil.rmtree(extraction_dir)
        elif os.path.lexists(extraction_dir):
            os.remove(extraction_dir)
        os.replace(staging, extraction_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    record = {"archive_sha256": hash_file(archive), "tree": _tree(extraction_dir)}
    written = temp_files.make_file(marker, ".part")
    with open(written, "w", encoding="utf-8") as f:
        json.dump(record, f)
    os.replace(written, marker)


def _marker_path(extraction_dir: str) -> str:
    parent, name = os.path.split(extraction_dir)
    return os.path.join(parent, f".{name}.extracted.json")


def _extraction_intact(archive: str, extraction_dir: str) -> bool:
    """Whether `extraction_dir` is a complete extraction of `archive` as it is now, unchanged
    since (its marker's archive hash and entries match)."""
    try:
        with open(_marker_path(extraction_dir), encoding="utf-8") as f:
            recorded = json.load(f)
        intact = recorded == {"archive_sha256": hash_file(archive),
                              "tree": _tree(extraction_dir)}
    except (OSError, ValueError):
        intact = False
    if not intact and os.path.lexists(extraction_dir):
        print(f"The files extracted from {archive} are incomplete or were changed since their "
              "extraction, so the archive will be extracted again.")
    return intact


def _tree(folder: str) -> dict:
    """Every entry under `folder` by relative path: files with size and modification time,
    links with their target, folders."""
    tree, pending = {}, [""]
    while pending:
        relative = pending.pop()
        with os.scandir(os.path.join(folder, relative)) as entries:
            for entry in entries:
                name = f"{relative}/{entry.name}" if relative else entry.name
                if entry.is_symlink():
                    tree[name] = ["link", os.readlink(entry.path)]
                elif entry.is_dir():
                    tree[name] = ["folder"]
                    pending.append(name)
                else:
                    stat = entry.stat()
                    tree[name] = ["file", stat.st_size, stat.st_mtime_ns]
    return tree


def _inside(root: str, relative: str) -> bool:
    """Whether `root/relative`, resolved, stays within `root` (already resolved)."""
    resolved = os.path.realpath(os.path.join(root, relative))
    return os.path.commonpath([root, resolved]) == root


def _tar_escapes(root: str, member: tarfile.TarInfo) -> bool:
    if member.isdev() or not _inside(root, member.name):
        return True
    if member.islnk():  # hard links are named from the archive root
        return not _inside(root, member.linkname)
    if member.issym():  # symbolic links resolve from their own folder
        return not _inside(root, os.path.join(os.path.dirname(member.name), member.linkname))
    return False


def _zip_escapes(root: str, member: zipfile.ZipInfo) -> bool:
    return not _inside(root, member.filename)


def _check_members(file_path: str, path: str, members, escapes) -> None:
    root = os.path.realpath(path)
    for member in members:
        if escapes(root, member):
            name = getattr(member, "name", None) or member.filename
            raise ValueError(
                f"Refusing to extract {file_path}: its member {name!r} would be written "
                f"outside {path}, or is a device file."
            )


def _tar_filter() -> dict:
    """Python's own "data" filter (3.11.4+) as a second guard: no links out, no special bits."""
    return {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
