"""Finding 3: `.keras` archives are checked as a whole before any entry is read (total
uncompressed size, entry count, name depth, duplicate names), and only the assets a layer
claims are read, so an archive cannot make the loader inflate what no layer needs."""

import struct
import zipfile

import numpy as np
import pytest
from hostile_files import dense_model, entries, lookup_model, rezip

from hocsau import saving


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "m.keras"
    dense_model().save(path)
    return path


def _add(path, compression=zipfile.ZIP_STORED, **added):
    with zipfile.ZipFile(path, "a", compression=compression) as archive:
        for name, data in added.items():
            archive.writestr(name, data)


def test_total_expansion_is_refused_though_every_entry_is_small(saved, monkeypatch):
    """Four 8 MiB assets of zeros deflate to a few KiB each; no single entry is big, the
    total is (the limit is lowered so that the test inflates little)."""
    from hocsau.saving import keras_archive

    monkeypatch.setattr(keras_archive, "BOMB_FLOOR_BYTES", 16 * 2**20)
    _add(saved, zipfile.ZIP_DEFLATED, **{f"assets/junk/{i}.bin": bytes(8 * 2**20)
                                         for i in range(4)})
    with pytest.raises(ValueError, match=r"m.keras' is not a valid `.keras` file: its entries "
                                         r"would expand to 335\d+ bytes from a file of"):
        saving.load_model(saved)


def _declare_sizes(path, size):
    """Forge the declared uncompressed size of every entry (local and central headers)."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        while start != -1:
            data[start + offset:start + offset + 4] = struct.pack("<I", size)
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))


def test_declared_gigabytes_are_refused_before_reading(tmp_path):
    path = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for i in range(8):
            archive.writestr(f"assets/junk/{i}.bin", bytes(1000))
    _declare_sizes(path, 900 * 2**20)  # 7 GiB in all, each entry under 1 GiB
    with pytest.raises(ValueError, match="would expand to 7549747200 bytes from a file of"):
        saving.load_model(path)


def test_too_many_entries(saved):
    _add(saved, **{f"assets/junk/{i}": b"" for i in range(10_000)})
    with pytest.raises(ValueError, match=r"m.keras' .*has 10003 entries \(more than 10000\)"):
        saving.load_model(saved)


def test_too_deep_names(saved):
    _add(saved, **{"assets/" + "d/" * 70 + "f.txt": b"x"})
    with pytest.raises(ValueError, match="nests deeper than 64 folders"):
        saving.load_model(saved)


def test_duplicate_names(saved):
    with pytest.warns(UserWarning, match="Duplicate name"):
        _add(saved, **{"config.json": b"{}"})
    with pytest.raises(ValueError, match="several entries of the same name"):
        saving.load_model(saved)


def _corrupt_entry(path, name):
    """Flip a byte of an entry's stored data, leaving its recorded CRC as it was."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    data = bytearray(path.read_bytes())
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26:
                                                          info.header_offset + 30])
    data[info.header_offset + 30 + name_length + extra_length] ^= 0xFF
    path.write_bytes(bytes(data))


def test_unclaimed_assets_are_never_read(tmp_path):
    """An asset no layer claims is not inflated: even a corrupt one leaves the load intact,
    while the lookup layer's own asset is read."""
    path = tmp_path / "lookup.keras"
    model = lookup_model()
    model.save(path)
    rezip(path)  # no checksums: the unclaimed entry is not listed
    _add(path, **{"assets/unclaimed/blob.bin": b"0123456789" * 100})
    _corrupt_entry(path, "assets/unclaimed/blob.bin")
    loaded = saving.load_model(path)
    assert loaded.layers[0].get_vocabulary() == model.layers[0].get_vocabulary()
    np.testing.assert_array_equal(loaded.predict(np.array([["b"], ["z"]]), verbose=0),
                                  [[2], [0]])


def test_claimed_corrupt_asset_is_a_clean_error(tmp_path):
    path = tmp_path / "lookup.keras"
    lookup_model().save(path)
    rezip(path)
    name = next(n for n in entries(path) if n.startswith("assets/"))
    _corrupt_entry(path, name)
    with pytest.raises(ValueError, match="lookup.keras' is corrupt: BadZipFile"):
        saving.load_model(path)


def test_asset_names_escaping_the_folder_write_nothing_outside(tmp_path):
    marker = tmp_path / "outside.txt"
    path = tmp_path / "lookup.keras"
    lookup_model().save(path)
    _add(path, **{"assets/../../outside.txt": b"x"})
    with pytest.raises(ValueError, match="escapes the assets folder"):
        saving.load_model(path)
    assert not marker.exists()
