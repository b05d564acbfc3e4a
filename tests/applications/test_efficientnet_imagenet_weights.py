"""weights="imagenet": Keras's file names, URLs and md5 hashes, fetched through `get_file`
from a local server (never the internet), checked, loaded, then fine-tuned as tutorials do."""

import hashlib

import h5py
import numpy as np
import pytest
from efficientnet_helpers import FAMILIES, SIZE, cheap_initializers, predict
from keras.src.applications import efficientnet as keras_v1
from keras.src.applications import efficientnet_v2 as keras_v2
from keras.src.legacy.saving import legacy_h5_format
from keras.src.utils import file_utils as keras_file_utils

import hocsau
from hocsau import layers
from hocsau.applications import _application, efficientnet, efficientnet_v2
from local_http import serve

keras = pytest.importorskip("keras")

MODULES = {"EfficientNetB0": (efficientnet, "efficientnetb0"),
           "EfficientNetV2B0": (efficientnet_v2, "efficientnetv2-b0")}


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def legacy_weights_file(model, path) -> bytes:
    """`model`'s weights as Keras's application files hold them: the Keras-2 HDF5 layout
    (one group per layer name, layer_names / weight_names attributes)."""
    with h5py.File(path, "w") as file:
        legacy_h5_format.save_weights_to_hdf5_group(file, model)
    return path.read_bytes()


def features_of(keras_model):
    """Keras's include_top=False network: the classifier model up to top_activation."""
    return keras.Model(keras_model.input, keras_model.get_layer("top_activation").output)


@pytest.fixture
def publish(home, monkeypatch):
    """`publish(name, data)` serves `data` as the file `name` on 127.0.0.1, set as the
    applications' origin; it returns the server (`.requests` lists what was asked for)."""
    files = {}
    with serve(files) as server:
        monkeypatch.setenv("HOCSAU_APPLICATIONS_ORIGIN", server.url)

        def put(name: str, data: bytes):
            files[name] = data
            return server

        yield put


def test_weight_urls_and_hashes_are_keras():
    assert efficientnet.BASE_WEIGHTS_PATH == keras_v1.BASE_WEIGHTS_PATH
    assert efficientnet_v2.BASE_WEIGHTS_PATH == keras_v2.BASE_WEIGHTS_PATH
    assert efficientnet.WEIGHTS_HASHES == keras_v1.WEIGHTS_HASHES
    assert efficientnet_v2.WEIGHTS_HASHES == keras_v2.WEIGHTS_HASHES


def test_imagenet_weights_come_from_keras_url(monkeypatch):
    monkeypatch.delenv("HOCSAU_APPLICATIONS_ORIGIN", raising=False)
    calls, loaded = [], []

    def fake_get_file(fname, origin, **kwargs):
        calls.append((fname, origin, kwargs))
        return f"/cache/{fname}"

    monkeypatch.setattr(_application, "get_file", fake_get_file)
    model = type("Model", (), {"load_weights": lambda self, path: loaded.append(path)})()
    _application.load_weights(model, "imagenet", "efficientnetv2-s_notop.h5",
                              efficientnet_v2.BASE_WEIGHTS_PATH, "af0682fb")
    assert calls == [("efficientnetv2-s_notop.h5",
                      "https://storage.googleapis.com/tensorflow/keras-applications/"
                      "efficientnet_v2/efficientnetv2-s_notop.h5",
                      {"cache_subdir": "models", "file_hash": "af0682fb"})]
    assert loaded == ["/cache/efficientnetv2-s_notop.h5"]


@pytest.mark.parametrize("name", FAMILIES)
def test_imagenet_weights_download_load_and_fine_tune(pairs, name, publish, home, tmp_path,
                                                       monkeypatch):
    module, model_name = MODULES[name]
    file_name = f"{model_name}_notop.h5"
    data = legacy_weights_file(features_of(pairs[name][0]), tmp_path / file_name)
    server = publish(file_name, data)
    monkeypatch.setitem(module.WEIGHTS_HASHES, "b0", (module.WEIGHTS_HASHES["b0"][0], md5(data)))
    with cheap_initializers():
        base = getattr(module, name)(include_top=False, weights="imagenet",
                                     input_shape=(SIZE, SIZE, 3))
    assert server.requests == [file_name]
    assert (home / "models" / file_name).read_bytes() == data
    # Keras's own ImageNet model reading the same file (V1 adds its extra Rescaling layer).
    monkeypatch.setattr(keras_file_utils, "get_file",
                        lambda fname, origin, **kwargs: str(home / "models" / fname))
    with cheap_initializers():
        reference = getattr(keras.applications, name)(include_top=False, weights="imagenet",
                                                      input_shape=(SIZE, SIZE, 3))
    assert [type(la).__name__ for la in base.layers] == [
        type(la).__name__ for la in reference.layers]
    x = np.random.RandomState(3).uniform(0, 255, (2, SIZE, SIZE, 3)).astype("float32")
    expected = predict(reference, x)
    assert expected.shape == (2, 1, 1, 1280)
    np.testing.assert_allclose(predict(base, x), expected, rtol=1e-4, atol=1e-5)
    fine_tune_head(base)


def fine_tune_head(base):
    """The tutorial's pattern: frozen base in inference mode, pooled, a new Dense head."""
    base.trainable = False
    inputs = layers.Input(shape=(SIZE, SIZE, 3), name="input_layer")
    x = base(inputs, training=False)
    x = layers.GlobalAveragePooling2D(name="pooling_layer")(x)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(3, activation="softmax", name="output_layer")(x)
    model = hocsau.Model(inputs, outputs)
    model.compile(loss="sparse_categorical_crossentropy", optimizer=hocsau.optimizers.Adam(),
                  metrics=["accuracy"])
    frozen = [w.detach().clone() for w in base.weights]
    head = model.get_layer("output_layer").kernel.detach().clone()
    rng = np.random.RandomState(4)
    images = rng.uniform(0, 255, (6, SIZE, SIZE, 3)).astype("float32")
    history = model.fit(images, rng.randint(0, 3, 6), epochs=1, batch_size=3, verbose=0)
    assert len(history.history["loss"]) == 1 and np.isfinite(history.history["loss"][0])
    assert sum(w.numel() for w in model.trainable_weights) == 1280 * 3 + 3
    assert all(np.array_equal(a, b.detach()) for a, b in zip(frozen, base.weights, strict=True))
    assert not np.allclose(head, model.get_layer("output_layer").kernel.detach())


def test_corrupted_download_is_refused(pairs, publish, home, tmp_path, monkeypatch):
    data = legacy_weights_file(pairs["EfficientNetV2B0"][0], tmp_path / "top.h5")
    damaged = bytearray(data)
    damaged[len(damaged) // 2] ^= 0xFF
    server = publish("efficientnetv2-b0.h5", bytes(damaged))
    monkeypatch.setitem(efficientnet_v2.WEIGHTS_HASHES, "b0",
                        (md5(data), efficientnet_v2.WEIGHTS_HASHES["b0"][1]))
    with cheap_initializers(), pytest.raises(ValueError, match="file hash of the download from "
                                             r"http://127\.0\.0\.1:\d+/efficientnetv2-b0\.h5"):
        hocsau.applications.EfficientNetV2B0(weights="imagenet")
    assert server.requests == ["efficientnetv2-b0.h5"]
    assert not (home / "models").exists() or not list((home / "models").iterdir())


def test_weights_from_a_local_file(pairs, tmp_path):
    theirs = features_of(pairs["EfficientNetB0"][0])
    path = tmp_path / "my_weights.h5"
    legacy_weights_file(theirs, path)
    with cheap_initializers():
        ours = hocsau.applications.EfficientNetB0(include_top=False, weights=str(path),
                                                  input_shape=(SIZE, SIZE, 3))
    x = np.random.RandomState(5).uniform(0, 255, (2, SIZE, SIZE, 3)).astype("float32")
    np.testing.assert_allclose(predict(ours, x), predict(theirs, x), rtol=1e-4, atol=1e-5)
