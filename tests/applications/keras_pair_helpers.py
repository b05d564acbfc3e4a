"""Shared by the VGG, ResNet and MobileNet tests: Keras's model and ours side by side, with
the same random weights (over `efficientnet_helpers`' builders), and what to compare."""

import contextlib

import h5py
import keras
import numpy as np
import pytest
import torch
from efficientnet_helpers import build_pair, copy_weights, predict, randomize
from keras.src.legacy.saving import legacy_h5_format
from keras.src.utils import file_utils as keras_file_utils

import hocsau
from hocsau.applications import _application
from local_http import serve

# Small images keep every forward pass cheap; 32 is the models' minimum size.
SIZE = 32


@contextlib.contextmanager
def zero_kernels():
    """Zeros instead of the variance-scaling draws (Glorot's among them), in Keras and in
    hocsau: the bulk of building these models, whose weights the tests set or only count."""
    def zeros(self, shape, dtype=None):
        return torch.zeros(tuple(shape), dtype=hocsau.config.torch_dtype(dtype))

    def keras_zeros(self, shape, dtype=None):
        return keras.ops.zeros(shape, dtype=dtype)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hocsau.initializers.VarianceScaling, "__call__", zeros)
        patch.setattr(keras.initializers.VarianceScaling, "__call__", keras_zeros)
        yield


def images(count: int = 2, seed: int = 0, size: int = SIZE) -> np.ndarray:
    return np.random.RandomState(seed).uniform(0, 255, (count, size, size, 3)).astype("float32")


def logits_pair(name: str, seed: int = 0, size: int = SIZE, **kwargs):
    """Keras's and our `name` over 10 classes without softmax, with the same weights."""
    with zero_kernels():
        theirs, ours = build_pair(name, weights=None, input_shape=(size, size, 3), classes=10,
                                  classifier_activation=None, **kwargs)
    randomize(theirs, seed)
    copy_weights(theirs, ours)
    return theirs, ours


def summary_text(model) -> str:
    lines = []
    model.summary(print_fn=lambda text, *args, **kwargs: lines.append(text))
    return "".join(lines)


def assert_same_model(theirs, ours, name: str) -> None:
    """Same summary (layer names, types, shapes, connections, totals), layers and operations
    in Keras's order, weights and their scoped paths, name."""
    assert summary_text(ours) == summary_text(theirs)
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]
    assert [op.name for op in ours.operations] == [op.name for op in theirs.operations]
    assert [w.path for w in ours.weights] == [w.path for w in theirs.weights]
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert ours.count_params() == theirs.count_params()
    assert ours.name == theirs.name == name


def assert_close(result: np.ndarray, expected: np.ndarray) -> None:
    """Equal to float32 rounding (relative 1e-4, and 1e-4 of the largest magnitude)."""
    assert result.shape == expected.shape
    np.testing.assert_allclose(result, expected, rtol=1e-4,
                               atol=1e-4 * float(np.abs(expected).max()))


def assert_same_outputs(theirs, ours, x: np.ndarray) -> np.ndarray:
    """Inference outputs equal to float32 rounding (relative 1e-4 of their spread)."""
    expected = predict(theirs, x)
    assert np.std(expected) > 0  # not a degenerate (saturated or constant) output
    assert_close(predict(ours, x), expected)
    return expected


def assert_same_preprocessing(ours, theirs) -> None:
    """`preprocess_input` of our module and of Keras's give the same images."""
    x = images(seed=2)
    np.testing.assert_allclose(ours.preprocess_input(x.copy()),
                               theirs.preprocess_input(x.copy()), rtol=1e-5, atol=1e-5)


def full_size_counts(name: str) -> tuple:
    """Our `name` ImageNet classifier (random weights, on small images: the counts do not
    depend on the size): `(model, count_params(), trainable parameters)`."""
    with zero_kernels():
        model = getattr(hocsau.applications, name)(weights=None, input_shape=(SIZE, SIZE, 3))
    return model, model.count_params(), sum(w.numel() for w in model.trainable_weights)


def assert_features_match(theirs, layer_name: str, name: str, pooling, size: int = SIZE,
                          **kwargs):
    """Our include_top=False model on a given input tensor, with the weights of Keras's
    classifier model, against Keras's feature maps at `layer_name`, pooled."""
    features = keras.Model(theirs.input, theirs.get_layer(layer_name).output)
    hocsau.backend.clear_session()  # auto-named layers named as in Keras's
    inputs = hocsau.Input((size, size, 3))
    with zero_kernels():
        ours = getattr(hocsau.applications, name)(include_top=False, weights=None,
                                                  input_tensor=inputs, pooling=pooling, **kwargs)
    copy_weights(theirs, ours)
    assert ours.inputs[0] is inputs
    maps = predict(features, images(seed=1, size=size))
    expected = {None: maps, "avg": maps.mean(axis=(1, 2)), "max": maps.max(axis=(1, 2))}[pooling]
    assert_close(predict(ours, images(seed=1, size=size)), expected)
    return ours


@contextlib.contextmanager
def served_weights(keras_model, url_name: str, file_name: str, tmp_path, monkeypatch):
    """`keras_model`'s weights in Keras's application-file layout (legacy HDF5, by layer name),
    served on 127.0.0.1 as `url_name`, that server set as the applications' origin, with a
    fresh download cache. Yields the file's bytes; checks on exit that they were asked for
    once and cached as `file_name`."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOCSAU_HOME", str(home))
    path = tmp_path / url_name
    with h5py.File(path, "w") as file:
        legacy_h5_format.save_weights_to_hdf5_group(file, keras_model)
    data = path.read_bytes()
    with serve({url_name: data}) as server:
        monkeypatch.setenv("HOCSAU_APPLICATIONS_ORIGIN", server.url)
        yield data
    assert server.requests == [url_name]
    assert (home / "models" / file_name).read_bytes() == data


class Requested(Exception):
    """Stops a constructor at its download, with what it asked for."""


def requested_file(library, name: str, monkeypatch, **kwargs):
    """(file name, URL, md5) the model asks for with weights="imagenet"."""
    def fake_get_file(fname, origin, cache_subdir="datadir", file_hash=None, **unused):
        assert cache_subdir == "models"
        raise Requested(fname, origin, file_hash)

    monkeypatch.setattr(keras_file_utils, "get_file", fake_get_file)
    monkeypatch.setattr(_application, "get_file", fake_get_file)
    monkeypatch.delenv("HOCSAU_APPLICATIONS_ORIGIN", raising=False)
    with zero_kernels(), pytest.raises(Requested) as info:
        getattr(library.applications, name)(weights="imagenet", **kwargs)
    return info.value.args
