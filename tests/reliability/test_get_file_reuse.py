"""Finding 7: `get_file` reuses an extraction only while it is complete and unchanged and
still comes from the archive in the cache; `file://` origins work like any URL."""

import hashlib
import json
import os
import pathlib
import shutil
import signal

import pytest

from hocsau.utils.file_utils import get_file

pytestmark = pytest.mark.filterwarnings("ignore:.*use of fork\\(\\) may lead to deadlocks")


def _tar(folder, members: dict) -> bytes:
    """A .tar.gz of `members` ({relative path: bytes}), built in `folder`."""
    root = folder / "tree"
    shutil.rmtree(root, ignore_errors=True)
    for name, data in members.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return pathlib.Path(shutil.make_archive(str(folder / "made"), "gztar", root)).read_bytes()


@pytest.fixture
def origin(tmp_path):
    """A local archive served through a file:// URL."""
    source = tmp_path / "served" / "pack.tar.gz"
    source.parent.mkdir()
    source.write_bytes(_tar(tmp_path, {"pack/data.txt": b"genuine", "pack/labels.txt": b"1 2 3"}))
    return source


def _fetch(origin, cache, **kwargs):
    return get_file("pack.tar.gz", origin.as_uri(), extract=True, cache_dir=cache, **kwargs)


def test_file_origin_downloads_and_checks_the_hash(tmp_path, origin, capsys):
    digest = hashlib.sha256(origin.read_bytes()).hexdigest()
    path = get_file(origin=origin.as_uri(), cache_dir=tmp_path / "cache", file_hash=digest)
    assert pathlib.Path(path).read_bytes() == origin.read_bytes()
    with pytest.raises(ValueError, match="file hash of the download from file://"):
        get_file("other.tar.gz", origin.as_uri(), cache_dir=tmp_path / "cache",
                 file_hash="0" * 64)
    with pytest.raises(OSError, match="URL fetch failure on file://.*missing"):
        get_file(origin=(tmp_path / "missing").as_uri(), cache_dir=tmp_path / "cache")


def test_tampered_extraction_is_extracted_again(tmp_path, origin, capsys):
    folder = _fetch(origin, tmp_path / "cache")
    pack = pathlib.Path(folder, "pack")
    (pack / "data.txt").write_bytes(b"TAMPERED")
    (pack / "injected.txt").write_bytes(b"x")
    assert _fetch(origin, tmp_path / "cache") == folder
    assert (pack / "data.txt").read_bytes() == b"genuine"
    assert sorted(os.listdir(pack)) == ["data.txt", "labels.txt"]
    assert "were changed since their extraction" in capsys.readouterr().out


def test_replaced_archive_is_extracted_again(tmp_path, origin):
    pack = pathlib.Path(_fetch(origin, tmp_path / "cache"), "pack")
    # e.g. the manual fallback: a newer file put in the archive's place
    (tmp_path / "cache" / "datasets" / "pack.tar.gz").write_bytes(
        _tar(tmp_path, {"pack/data.txt": b"release 2"}))
    _fetch(origin, tmp_path / "cache")
    assert os.listdir(pack) == ["data.txt"]
    assert (pack / "data.txt").read_bytes() == b"release 2"


def test_extraction_killed_before_its_marker_is_not_trusted(tmp_path, origin, capsys):
    cache = tmp_path / "cache"
    _fetch(origin, cache)  # downloaded and extracted once
    datasets = cache / "datasets"
    (datasets / "pack.tar.gz").write_bytes(_tar(tmp_path, {"pack/data.txt": b"release 2"}))
    pid = os.fork()
    if pid == 0:  # pragma: no cover - killed once the folder is in place, before the marker
        try:
            json.dump = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
            _fetch(origin, cache)
        finally:
            os._exit(3)
    assert os.WTERMSIG(os.waitpid(pid, 0)[1]) == signal.SIGKILL
    assert not (datasets / ".pack_extracted.extracted.json").exists()
    capsys.readouterr()
    folder = _fetch(origin, cache)
    assert "will be extracted again" in capsys.readouterr().out
    assert pathlib.Path(folder, "pack", "data.txt").read_bytes() == b"release 2"
    assert (datasets / ".pack_extracted.extracted.json").exists()


def test_killed_downloads_leftovers_are_removed_by_the_next_download(tmp_path, origin):
    from hocsau.utils import temp_files

    folder = tmp_path / "cache" / "datasets"
    folder.mkdir(parents=True)
    pid = os.fork()
    if pid == 0:  # pragma: no cover
        os._exit(0)
    os.waitpid(pid, 0)
    stale = folder / f".pack.tar.gz.{temp_files._host()}.{pid}.abcd1234.part"
    stale.write_bytes(b"half a download")
    _fetch(origin, tmp_path / "cache")
    assert not stale.exists()
    assert sorted(os.listdir(folder)) == [".pack_extracted.extracted.json", "pack.tar.gz",
                                          "pack_extracted"]
