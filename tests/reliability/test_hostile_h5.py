"""Finding 2: HDF5 weights that read data from elsewhere (external links, soft links, external
storage, virtual datasets, plugin filters) or declare a shape bomb are refused in all three
formats, with the file and the offending path named, before the data is read."""

import io

import h5py
import numpy as np
import pytest
from hostile_files import dense_model, entries, rezip

from hocsau import saving

SECRET = np.full((3, 2), 42.0, dtype="float32")


@pytest.fixture
def secret_files(tmp_path):
    """Data outside the model file: an HDF5 file and a raw file holding SECRET."""
    with h5py.File(tmp_path / "secret.h5", "w") as h5file:
        h5file["data"] = SECRET
    (tmp_path / "secret.raw").write_bytes(SECRET.tobytes())
    return tmp_path


def _external_link(h5file, name, folder):
    h5file[name] = h5py.ExternalLink(str(folder / "secret.h5"), "/data")


def _soft_link(h5file, name, folder):
    h5file["stash"] = SECRET
    h5file[name] = h5py.SoftLink("/stash")


def _external_storage(h5file, name, folder):
    h5file.create_dataset(name, shape=(3, 2), dtype="float32",
                          external=[(str(folder / "secret.raw"), 0, SECRET.nbytes)])


def _virtual(h5file, name, folder):
    layout = h5py.VirtualLayout(shape=(3, 2), dtype="float32")
    layout[...] = h5py.VirtualSource(str(folder / "secret.h5"), "data", shape=(3, 2))
    h5file.create_virtual_dataset(name, layout)


def _plugin_filter(h5file, name, folder):
    plist = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    plist.set_chunk((3, 2))
    plist.set_filter(32123, h5py.h5z.FLAG_OPTIONAL, ())
    space = h5py.h5s.create_simple((3, 2))
    h5py.h5d.create(h5file.id, name.encode(), h5py.h5t.NATIVE_FLOAT, space, dcpl=plist)
    h5file[name][...] = SECRET


def _shape_bomb(h5file, name, folder):
    h5file.create_dataset(name, shape=(2**28,), dtype="float32", chunks=(2**16,))


POISONS = {"external link": (_external_link, "external link at '/{path}'"),
           "soft link": (_soft_link, "SoftLink at '/{path}'"),
           "external storage": (_external_storage, "'/{path}' keeps its data in external"),
           "virtual dataset": (_virtual, "'/{path}' is a virtual dataset"),
           "plugin filter": (_plugin_filter, r"'/{path}' uses the HDF5 filter\(s\) \[32123\]"),
           "shape bomb": (_shape_bomb, "'/{path}' declares 1073741824 bytes but stores only 0")}


def _poison(source, path, kind, folder):
    """Replace the dataset at `path` of an HDF5 file (a path or bytes) by a `kind` payload."""
    buffer = io.BytesIO(source) if isinstance(source, bytes) else source
    with h5py.File(buffer, "a") as h5file:
        del h5file[path]
        POISONS[kind][0](h5file, path, folder)
    return buffer.getvalue() if isinstance(source, bytes) else None


def _kernel_path(fmt, model):
    """Where a format keeps the Dense layer's kernel (legacy .h5 files: under the layer's
    name, by the weight's path, as Keras 3 writes them)."""
    layer = model.layers[0]
    return f"model_weights/{layer.name}/{layer.kernel.path}" if fmt == "h5" else \
        "layers/dense/vars/0"


def _hostile_file(folder, fmt, kind):
    model = dense_model()
    kernel = _kernel_path(fmt, model)
    if fmt == "keras":
        target = folder / "hostile.keras"
        model.save(target)
        weights = _poison(entries(target)["model.weights.h5"], kernel, kind, folder)
        rezip(target, **{"model.weights.h5": weights})
    else:
        target = folder / f"hostile.{fmt}"
        model.save_weights(target) if fmt == "weights.h5" else model.save(target)
        _poison(target, kernel, kind, folder)
    return target, kernel


@pytest.mark.parametrize("kind", list(POISONS))
@pytest.mark.parametrize("fmt", ["weights.h5", "h5", "keras"])
def test_hostile_weights_are_refused(secret_files, fmt, kind):
    path, kernel = _hostile_file(secret_files, fmt, kind)
    model = dense_model()
    expected = POISONS[kind][1].format(path=kernel)
    with pytest.raises(ValueError, match=f"hostile.{fmt}.*{expected}"):
        model.load_weights(path)
    assert not np.any(model.layers[0].kernel.detach().numpy() == 42.0)
    if fmt != "weights.h5":
        with pytest.raises(ValueError, match=expected):
            saving.load_model(path)


def test_hard_link_cycles_end_the_scan(tmp_path):
    """A group linked into itself is walked once; hard links stay allowed."""
    path = tmp_path / "cycle.weights.h5"
    dense_model().save_weights(path)
    with h5py.File(path, "a") as h5file:
        h5file["layers/dense/loop"] = h5file["layers/dense"]
    model = dense_model()
    model.layers[0].kernel.data.zero_()
    model.load_weights(path)
    np.testing.assert_array_equal(model.layers[0].kernel.detach().numpy(),
                                  np.arange(6.0).reshape(3, 2))
