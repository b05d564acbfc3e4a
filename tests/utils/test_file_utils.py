"""get_file against a local HTTP server: cache, checksums, failures, extraction."""

import hashlib
import io
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tarfile
import time
import zipfile

import pytest

from hocsau.utils import file_utils
from hocsau.utils.file_utils import extract_archive, get_file, hash_file, validate_file
from local_http import serve

DATA = b"hocsau test payload\n" * 50


@pytest.fixture
def home(tmp_path, monkeypatch):
    """The cache root, through $HOCSAU_HOME."""
    monkeypatch.setenv("HOCSAU_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def leftovers(folder):
    """Hidden temporary files or folders left in a cache folder (the markers of finished
    extractions, `.<folder>.extracted.json`, are meant to stay)."""
    return sorted(name for name in os.listdir(folder)
                  if name.startswith(".") and not name.endswith(".extracted.json"))


def tar_bytes(members: dict, mode="w:gz", links=()) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in links:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
    return buffer.getvalue()


def zip_bytes(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_download_then_cache_hit(home, capsys):
    with serve({"a.txt": DATA}) as server:
        first = get_file(origin=server.url + "a.txt")
        second = get_file(origin=server.url + "a.txt")
    assert first == second == str(home / "datasets" / "a.txt")
    assert pathlib.Path(first).read_bytes() == DATA
    assert server.requests == ["a.txt"]
    assert capsys.readouterr().out.count("Downloading data from") == 1
    assert oct(os.stat(first).st_mode & 0o777) == oct(0o644)
    assert leftovers(home / "datasets") == []


def test_cache_dir_subdir_fname_and_force_download(tmp_path):
    with serve({"a.txt": DATA}) as server:
        path = get_file("b.bin", server.url + "a.txt", cache_dir=tmp_path, cache_subdir="x")
        get_file("b.bin", server.url + "a.txt", cache_dir=tmp_path, cache_subdir="x",
                 force_download=True)
    assert path == str(tmp_path / "x" / "b.bin")
    assert server.requests == ["a.txt", "a.txt"]


def test_argument_errors(tmp_path):
    with pytest.raises(ValueError, match='specify the "origin" argument'):
        get_file("a.txt")
    with pytest.raises(ValueError, match="Received: fname=sub/a.txt"):
        get_file("sub/a.txt", "http://127.0.0.1:9/a.txt", cache_dir=tmp_path)
    with pytest.raises(ValueError, match="Can't parse the file name"):
        get_file(origin="http://127.0.0.1:9/", cache_dir=tmp_path)
    with pytest.raises(ValueError, match="`hash_algorithm` must be one of"):
        get_file("a", "http://127.0.0.1:9/a", cache_dir=tmp_path, hash_algorithm="sha1")


@pytest.mark.parametrize("algorithm", ["sha256", "md5"])
def test_valid_hash_downloads_once(home, algorithm):
    digest = hashlib.new(algorithm, DATA).hexdigest()
    with serve({"a.txt": DATA}) as server:
        for _ in range(2):
            path = get_file(origin=server.url + "a.txt", file_hash=digest)
    assert pathlib.Path(path).read_bytes() == DATA
    assert server.requests == ["a.txt"]


def test_md5_hash_argument(home):
    with serve({"a.txt": DATA}) as server:
        path = get_file(origin=server.url + "a.txt", md5_hash=hashlib.md5(DATA).hexdigest())
    assert os.path.getsize(path) == len(DATA)


def test_cached_file_with_wrong_hash_is_downloaded_again(home, capsys):
    cached = home / "datasets" / "a.txt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"stale")
    digest = hashlib.sha256(DATA).hexdigest()
    with serve({"a.txt": DATA}) as server:
        path = get_file(origin=server.url + "a.txt", file_hash=digest)
    assert pathlib.Path(path).read_bytes() == DATA
    assert "sha256 file hash does not match" in capsys.readouterr().out
    assert server.requests == ["a.txt"]


def test_download_with_wrong_hash_leaves_no_file(home):
    with serve({"a.txt": DATA}) as server, pytest.raises(ValueError, match="sha256 file hash"):
        get_file(origin=server.url + "a.txt", file_hash="0" * 64)
    assert os.listdir(home / "datasets") == []


def test_dropped_connection_leaves_no_file(home):
    with serve({"a.txt": DATA}, truncated={"a.txt"}) as server:
        with pytest.raises(OSError, match=f"closed after {len(DATA) // 2} of {len(DATA)} bytes"):
            get_file(origin=server.url + "a.txt")
        url = server.url
    assert os.listdir(home / "datasets") == []
    with serve({"a.txt": DATA}) as server:  # same port not needed: a new URL, same cache name
        path = get_file(origin=server.url + "a.txt")
    assert url.startswith("http://127.0.0.1:")
    assert pathlib.Path(path).read_bytes() == DATA


def test_interrupted_download_leaves_no_file(home, monkeypatch):
    def interrupt(self, received, final=False):
        raise KeyboardInterrupt

    monkeypatch.setattr(file_utils._Progress, "update", interrupt)
    with serve({"a.txt": DATA}) as server, pytest.raises(KeyboardInterrupt):
        get_file(origin=server.url + "a.txt")
    assert os.listdir(home / "datasets") == []


def test_killed_download_is_not_trusted_later(home):
    """SIGKILL mid-body: only a hidden partial file remains, and the next call downloads."""
    script = (
        "import importlib.util, sys;"
        "spec = importlib.util.spec_from_file_location('f', sys.argv[1]);"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m);"
        "m.get_file(origin=sys.argv[2])"
    )
    folder = home / "datasets"
    with serve({"a.txt": DATA}, stalled={"a.txt"}) as server:
        child = subprocess.Popen(
            [sys.executable, "-c", script, file_utils.__file__, server.url + "a.txt"],
            stdout=subprocess.DEVNULL, env={**os.environ, "HOCSAU_HOME": str(home)},
        )
        deadline = time.monotonic() + 20
        while not (server.requests and _names(folder)):
            assert time.monotonic() < deadline and child.poll() is None
            time.sleep(0.02)
        time.sleep(0.2)  # the child now holds half the body and waits for the rest
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert [name.endswith(".part") for name in _names(folder)] == [True]
    assert not (folder / "a.txt").exists()
    with serve({"a.txt": DATA}) as server:
        path = get_file(origin=server.url + "a.txt", file_hash=hashlib.sha256(DATA).hexdigest())
    assert pathlib.Path(path).read_bytes() == DATA


def _names(folder):
    return os.listdir(folder) if folder.is_dir() else []


def test_http_error_message_names_url_and_manual_path(home):
    with serve({}) as server, pytest.raises(OSError) as caught:
        get_file(origin=server.url + "missing.npz")
    message = str(caught.value)
    assert f"URL fetch failure on {server.url}missing.npz: 404" in message
    assert f"save it as {home / 'datasets' / 'missing.npz'}" in message


def test_offline_error_message(home):
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/mnist.npz"
    with pytest.raises(OSError, match=f"URL fetch failure on {url}: .*refused.*save it as "):
        get_file(origin=url)
    assert os.listdir(home / "datasets") == []


def test_progress_line_for_large_download(home, capsys):
    big = bytes(range(256)) * 4200  # just over 1 MiB
    with serve({"big.bin": big}) as server:
        get_file(origin=server.url + "big.bin")
    assert capsys.readouterr().out.endswith("1.0 MiB / 1.0 MiB (100%)\n")


@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_extract(home, kind):
    members = {"top/one.txt": b"1", "top/sub/two.txt": b"22"}
    blob = tar_bytes(members) if kind == "tar" else zip_bytes(members)
    with serve({"pack": blob}) as server:
        folder = get_file("pack", server.url + "pack", extract=True)
        again = get_file("pack", server.url + "pack", extract=True)
    assert folder == again == str(home / "datasets" / "pack")
    assert pathlib.Path(os.path.join(folder, "top/sub/two.txt")).read_bytes() == b"22"
    assert os.path.getsize(home / "datasets" / "pack_archive") == len(blob)
    assert server.requests == ["pack"]
    assert leftovers(home / "datasets") == []


def test_extract_names_match_keras(tmp_path):
    """Archive and folder names in the cache are Keras's, for each way of naming the file."""
    from keras.utils import get_file as keras_get_file

    blob = tar_bytes({"d/x.txt": b"x"})
    with serve({"data.tar.gz": blob}) as server:
        for i, fname in enumerate(["data.tar.gz", "data", None]):
            ours, theirs = tmp_path / f"ours{i}", tmp_path / f"keras{i}"
            theirs.mkdir()  # Keras falls back to /tmp/.keras for a missing cache_dir
            ours_dir = get_file(fname, server.url + "data.tar.gz", extract=True, cache_dir=ours)
            keras_get_file(fname, server.url + "data.tar.gz", extract=True, cache_dir=theirs)
            assert os.listdir(os.path.join(ours_dir, "d")) == ["x.txt"]
            assert sorted(os.listdir(ours / "datasets")) == sorted(
                os.listdir(theirs / "datasets") + [f".{os.path.basename(ours_dir)}.extracted.json"])


def test_untar_and_failed_extraction(home):
    with serve({"t": tar_bytes({"f": b"f"}), "plain.txt": DATA}) as server:
        folder = get_file("t", server.url + "t", untar=True)
        with pytest.warns(UserWarning, match="Could not extract archive."):
            missing = get_file("plain", server.url + "plain.txt", extract=True)
    assert os.listdir(folder) == ["f"]
    assert not os.path.exists(missing)
    assert leftovers(home / "datasets") == []


@pytest.mark.parametrize(
    "blob, bad",
    [
        (tar_bytes({"ok.txt": b"", "../evil.txt": b"x"}), "../evil.txt"),
        (tar_bytes({"/tmp/evil.txt": b"x"}), "/tmp/evil.txt"),
        (tar_bytes({"ok.txt": b""}, links=[("link", "../../outside")]), "link"),
        (zip_bytes({"ok.txt": b"", "../evil.txt": b"x"}), "../evil.txt"),
    ],
)
def test_unsafe_archive_is_rejected(tmp_path, blob, bad):
    archive = tmp_path / "archive"
    archive.write_bytes(blob)
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(ValueError, match=f"its member '{bad}' would be written outside"):
        extract_archive(archive, target)
    assert os.listdir(target) == []
    assert sorted(os.listdir(tmp_path)) == ["archive", "out"]


def test_extract_archive_formats(tmp_path):
    archive = tmp_path / "a.zip"
    archive.write_bytes(zip_bytes({"z.txt": b"z"}))
    assert extract_archive(archive, tmp_path / "no", archive_format="tar") is False
    assert extract_archive(archive, tmp_path / "no", archive_format=None) is False
    assert extract_archive(archive, tmp_path / "yes", archive_format=["tar", "zip"]) is True
    assert os.listdir(tmp_path / "yes") == ["z.txt"]
    with pytest.raises(ValueError, match="`archive_format` must be"):
        extract_archive(archive, tmp_path, archive_format="rar")


def test_hash_file_and_validate_file(tmp_path):
    from keras.src.utils.file_utils import hash_file as keras_hash_file

    path = tmp_path / "f"
    path.write_bytes(DATA)
    assert hash_file(path) == hashlib.sha256(DATA).hexdigest() == keras_hash_file(path)
    assert hash_file(path, "md5") == hashlib.md5(DATA).hexdigest()
    assert validate_file(path, hashlib.sha256(DATA).hexdigest().upper())
    assert validate_file(path, hashlib.md5(DATA).hexdigest())
    assert not validate_file(path, hashlib.md5(b"other").hexdigest())
