"""Reading a `.keras` zip archive within limits, with its checksums verified.

Before any entry is read, the archive's directory is checked: at most `MAX_ENTRIES` entries,
no duplicate names, names at most `MAX_NAME_DEPTH` folders deep, config.json at most
`MAX_CONFIG_BYTES`, and a declared uncompressed total that stays under `MAX_EXPANSION` times
the file's size once past `BOMB_FLOOR_BYTES` (zip bombs declare huge sizes in small files;
zipfile never inflates an entry past its declared size). Assets are read lazily: only the
folders that an object with a `load_assets` hook claims are extracted.

Files written by hocsau record a SHA-256 of every entry but metadata.json under
`metadata.json["hocsau_sha256"]` (Keras ignores unknown metadata keys); when the record is
present, every entry read is checked against it, so a changed byte in the weights raises a
ValueError naming the file. Files without it (written by Keras) load unchecked.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import zipfile
import zlib

from hocsau.saving import bounded_json
from hocsau.saving.assets_store import ASSETS_DIRNAME, entry_parts, object_folder
from hocsau.utils import temp_files

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"
CHECKSUMS_KEY = "hocsau_sha256"
MAX_ENTRIES = 10_000
MAX_NAME_DEPTH = 64
MAX_CONFIG_BYTES = 256 * 2**20
MAX_METADATA_BYTES = 16 * 2**20
BOMB_FLOOR_BYTES = 512 * 2**20
MAX_EXPANSION = 100
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, RuntimeError,
               NotImplementedError)
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20


def sha256(data: bytes) -> str:
    """The hex digest recorded for an entry."""
    return hashlib.sha256(data).hexdigest()


class KerasArchive:
    """`with KerasArchive(filepath) as archive:` an open, checked `.keras` file.

    Raises:
        ValueError: naming the file, when it is missing, not a zip archive, corrupt, over a
            limit, or when an entry read does not match its recorded checksum.
    """

    def __init__(self, filepath: str):
        self.filepath = filepath
        self._zip = _open_zip(filepath)
        self._assets_folder: str | None = None
        self._extracted: set[str] = set()
        try:
            with self._errors():
                self._infos = {info.filename: info for info in self._zip.infolist()}
                self._check_directory()
                self._checksums = self._read_checksums()
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._zip.close()
        if self._assets_folder is not None:
            shutil.rmtree(self._assets_folder, ignore_errors=True)
            self._assets_folder = None

    # --- entries ------------------------------------------------------------------------------
    def names(self) -> list[str]:
        """The archive's entry names."""
        return list(self._infos)

    def read(self, name: str) -> bytes:
        """The bytes of a required entry, checked against its recorded checksum."""
        if name not in self._infos:
            raise ValueError(f"'{self.filepath}' is not a valid `.keras` file: it has no "
                             f"{name}. Received entries: {sorted(self._infos)[:20]}")
        with self._errors():
            data = self._zip.read(self._infos[name])
        self._verify(name, sha256(data))
        return data

    def config_text(self) -> str:
        try:
            return self.read(CONFIG_FILENAME).decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"'{self.filepath}' is corrupt: {CONFIG_FILENAME} is not UTF-8 "
                             "text.") from None

    def assets_folder(self, path: str) -> str | None:
        """The folder of the object at `path` (the model for ""), with the archive's
        `assets/<path>/` entries extracted into it; None when the archive has none."""
        prefix = f"{ASSETS_DIRNAME}/{path}/" if path else f"{ASSETS_DIRNAME}/"
        names = [n for n in self._infos if n.startswith(prefix) and not n.endswith("/")]
        if not names:
            return None
        if self._assets_folder is None:
            # Named by process: a load killed mid-way leaves a folder the next load removes.
            self._assets_folder = temp_files.make_folder(
                os.path.join(tempfile.gettempdir(), "hocsau_assets"), ".assets")
        for name in names:
            if name not in self._extracted:
                self._extract(name)
        return object_folder(self._assets_folder, path)

    def _extract(self, name: str) -> None:
        target = os.path.join(self._assets_folder, *entry_parts(name, self.filepath))
        digest = hashlib.sha256()
        with self._errors():
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with self._zip.open(self._infos[name]) as source, open(target, "wb") as out:
                while chunk := source.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
        self._verify(name, digest.hexdigest())
        self._extracted.add(name)

    def _verify(self, name: str, digest: str) -> None:
        if self._checksums is None:
            return
        expected = self._checksums.get(name)
        if expected is None:
            raise ValueError(f"'{self.filepath}' is damaged: its entry {name} is not among "
                             f"the checksums recorded in {METADATA_FILENAME} (added after "
                             "saving?).")
        if expected != digest:
            raise ValueError(f"'{self.filepath}' is damaged: the SHA-256 of its entry {name} "
                             f"is {digest}, but {METADATA_FILENAME} records {expected}.")

    # --- checks -------------------------------------------------------------------------------
    def _check_directory(self) -> None:
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            self._refuse(f"it has {len(infos)} entries (more than {MAX_ENTRIES})")
        if len(self._infos) != len(infos):
            self._refuse("it has several entries of the same name")
        for info in infos:
            if info.filename.count("/") >= MAX_NAME_DEPTH:
                self._refuse(f"its entry {info.filename[:200]!r} nests deeper than "
                             f"{MAX_NAME_DEPTH} folders")
            if info.filename.startswith(f"{ASSETS_DIRNAME}/") and not info.is_dir():
                entry_parts(info.filename, self.filepath)
        for name, limit in ((CONFIG_FILENAME, MAX_CONFIG_BYTES),
                            (METADATA_FILENAME, MAX_METADATA_BYTES)):
            info = self._infos.get(name)
            if info is not None and info.file_size > limit:
                self._refuse(f"{name} would expand to {info.file_size} bytes from "
                             f"{info.compress_size}")
        total = sum(info.file_size for info in infos)
        size = os.path.getsize(self.filepath)
        if total > BOMB_FLOOR_BYTES and total > MAX_EXPANSION * size:
            self._refuse(f"its entries would expand to {total} bytes from a file of {size} "
                         "bytes (a zip bomb?)")

    def _refuse(self, reason: str):
        raise ValueError(f"'{self.filepath}' is not a valid `.keras` file: {reason}.")

    def metadata(self) -> dict | None:
        """The parsed metadata.json (it is not among the checksummed entries), if any."""
        if METADATA_FILENAME not in self._infos:
            return None
        return bounded_json.loads(self._zip.read(self._infos[METADATA_FILENAME]),
                                  self.filepath, METADATA_FILENAME)

    def _read_checksums(self) -> dict | None:
        metadata = self.metadata()
        if not isinstance(metadata, dict) or CHECKSUMS_KEY not in metadata:
            return None
        checksums = metadata[CHECKSUMS_KEY]
        if not isinstance(checksums, dict) or not all(
                isinstance(v, str) and _HEX_DIGEST.fullmatch(v) for v in checksums.values()):
            raise ValueError(f"'{self.filepath}' is damaged: {METADATA_FILENAME} has an "
                             f"invalid '{CHECKSUMS_KEY}' record.")
        return checksums

    def _errors(self):
        return _zip_errors(self.filepath)


def _open_zip(filepath: str) -> zipfile.ZipFile:
    if not os.path.exists(filepath):
        raise ValueError(f"File not found: filepath={filepath}. Please ensure the file is an "
                         "accessible `.keras` zip file.")
    if not zipfile.is_zipfile(filepath):
        raise ValueError(f"'{filepath}' is not a `.keras` file: it is not a zip archive "
                         "(truncated, corrupt, or another format).")
    with _zip_errors(filepath):
        return zipfile.ZipFile(filepath)


@contextlib.contextmanager
def _zip_errors(filepath: str):
    """Re-raise zip and I/O errors as ValueErrors naming the file."""
    try:
        yield
    except _ZIP_ERRORS as error:
        raise ValueError(f"'{filepath}' is corrupt: {type(error).__name__}: {error}") \
            from None
