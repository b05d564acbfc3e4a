"""LoRA on Dense, Embedding and Conv1D/2D/3D, checked against Keras 3 (torch backend)."""

import re

import h5py
import keras
import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers

CASES = {
    "dense": ("Dense", {"units": 3}, (4, 5)),
    "dense_3d": ("Dense", {"units": 3}, (2, 3, 5)),
    "embedding": ("Embedding", {"input_dim": 10, "output_dim": 4}, (3, 4)),
    "conv1d": ("Conv1D", {"filters": 3, "kernel_size": 2}, (2, 6, 4)),
    "conv2d": ("Conv2D", {"filters": 3, "kernel_size": 2, "padding": "same"}, (2, 5, 5, 4)),
    "conv3d": ("Conv3D", {"filters": 2, "kernel_size": 2}, (1, 3, 4, 4, 2)),
    "einsum": ("EinsumDense", {"equation": "abc,cd->abd", "output_shape": (None, 3),
                               "bias_axes": "d"}, (2, 4, 5)),
}


def _inputs(name, shape, rng):
    if name == "Embedding":
        return rng.integers(0, 10, size=shape)
    return rng.normal(size=shape).astype("float32")


def _pair(name, kwargs, shape, rng, **lora):
    """Keras's and our layer, built, sharing random values for every weight."""
    theirs, ours = (getattr(lib, name)(**kwargs, **lora, name="adapted")
                    for lib in (keras.layers, layers))
    build_shape = None if name == "Embedding" else (None, *shape[1:])
    theirs.build(build_shape)
    ours.build(build_shape)
    return theirs, ours


def _share_weights(theirs, ours, rng):
    values = [rng.normal(size=w.shape).astype("float32") for w in theirs.get_weights()]
    theirs.set_weights(values)
    ours.set_weights(values)


def _run(layer, x):
    if isinstance(layer, keras.layers.Layer):
        return keras.ops.convert_to_numpy(layer(x))
    return layer(torch.as_tensor(x)).detach().cpu().numpy()


@pytest.mark.parametrize("case", CASES)
def test_lora_outputs_match_keras_after_enable_lora(case, rng):
    name, kwargs, shape = CASES[case]
    theirs, ours = _pair(name, kwargs, shape, rng)
    theirs.enable_lora(2, lora_alpha=6)
    ours.enable_lora(2, lora_alpha=6)
    _share_weights(theirs, ours, rng)
    x = _inputs(name, shape, rng)
    np.testing.assert_allclose(_run(ours, x), _run(theirs, x), rtol=1e-5, atol=1e-5)
    assert [w.path for w in ours.weights] == [w.path for w in theirs.weights]
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.path for w in ours.trainable_weights] == [w.path for w in theirs.trainable_weights]
    assert [w.path for w in ours.non_trainable_weights] == [
        w.path for w in theirs.non_trainable_weights]
    merged = keras.ops.convert_to_numpy(theirs.embeddings if name == "Embedding" else
                                        theirs.kernel)
    ours_merged = ours.embeddings if name == "Embedding" else ours.kernel
    np.testing.assert_allclose(ours_merged.detach().numpy(), merged, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", ["dense", "embedding", "conv2d", "einsum"])
def test_lora_rank_argument_builds_like_keras(case, rng):
    name, kwargs, shape = CASES[case]
    theirs, ours = _pair(name, kwargs, shape, rng, lora_rank=3)
    assert ours.lora_enabled and (ours.lora_rank, ours.lora_alpha) == (3, 3)
    _share_weights(theirs, ours, rng)
    x = _inputs(name, shape, rng)
    np.testing.assert_allclose(_run(ours, x), _run(theirs, x), rtol=1e-5, atol=1e-5)
    config = ours.get_config()
    assert (config["lora_rank"], config["lora_alpha"]) == (3, 3)
    assert list(config)[-2:] == ["lora_rank", "lora_alpha"]
    assert set(config) - {"quantization_config"} == set(theirs.get_config()) - {
        "quantization_config"}


def test_conv_lora_alpha_argument_matches_keras(rng):
    theirs, ours = _pair("Conv1D", {"filters": 3, "kernel_size": 2}, (2, 6, 4), rng,
                         lora_rank=2, lora_alpha=8)
    assert ours.lora_alpha == theirs.lora_alpha == 8
    _share_weights(theirs, ours, rng)
    x = _inputs("Conv1D", (2, 6, 4), rng)
    np.testing.assert_allclose(_run(ours, x), _run(theirs, x), rtol=1e-5, atol=1e-5)


def test_dense_keeps_its_lora_alpha_argument():
    # Keras 3.15's Dense and Embedding drop a constructor `lora_alpha` when they build (their
    # convolutions and EinsumDense keep it); hocsau keeps it everywhere, as documented.
    layer = layers.Dense(2, use_bias=False, lora_rank=1, lora_alpha=8)
    layer.build((None, 2))
    layer.set_weights([np.eye(2, dtype="float32"), np.array([[1.0], [2.0]], "float32"),
                       np.array([[1.0, 0.5]], "float32")])
    out = layer(torch.tensor([[1.0, 0.0]])).detach().numpy()
    np.testing.assert_allclose(out, [[1.0 + 8.0 * 1.0, 8.0 * 0.5]])
    assert layer.get_config()["lora_alpha"] == 8


def test_lora_off_keeps_the_plain_path():
    layer = layers.Dense(3)
    layer.build((None, 4))
    assert layer.kernel is layer._parameters["kernel"] is layer._kernel
    # LoRA off: the generic Layer hook (Keras's), so files take the generic path.
    assert layer.save_own_variables.__func__ is hocsau.layers.Layer.save_own_variables
    assert "lora_rank" not in layer.get_config()
    assert "lora_rank" not in keras.layers.Dense(3).get_config()
    assert [w.name for w in layer.weights] == ["kernel", "bias"]


def test_zero_b_factor_leaves_outputs_unchanged(rng):
    layer = layers.Conv2D(4, 3)
    x = torch.as_tensor(rng.normal(size=(2, 6, 6, 3)).astype("float32"))
    before = layer(x).detach().numpy()
    layer.enable_lora(2)
    np.testing.assert_array_equal(layer(x).detach().numpy(), before)
    assert layer.lora_kernel_a.dtype == torch.float32
    assert not layer.lora_kernel_b.detach().any()


def _models(lib):
    """The same functional model in Keras or hocsau: LoRA on an Embedding and a Conv1D by
    argument, and (after building) on the Dense by `enable_lora`."""
    ids = lib.Input((6,), dtype="int32")
    x = lib.layers.Embedding(12, 4, lora_rank=2, name="emb")(ids)
    x = lib.layers.Conv1D(3, 2, lora_rank=2, lora_alpha=4, activation="tanh", name="conv")(x)
    x = lib.layers.Flatten()(x)
    x = lib.layers.Dense(2, name="head")(x)
    model = lib.Model(ids, x)
    model.get_layer("head").enable_lora(3, lora_alpha=6)
    return model


@pytest.fixture
def model_pair(rng):
    theirs, ours = _models(keras), _models(hocsau)
    values = [rng.normal(size=w.shape).astype("float32") * 0.5 for w in theirs.get_weights()]
    theirs.set_weights(values)
    ours.set_weights(values)
    return theirs, ours


def _predict(model, x):
    if isinstance(model, keras.Model):
        return keras.ops.convert_to_numpy(model(x))
    return model(torch.as_tensor(x)).detach().cpu().numpy()


@pytest.fixture
def ids(rng):
    return rng.integers(0, 12, size=(8, 6)).astype("int32")


def test_model_weights_and_summary_match_keras(model_pair):
    theirs, ours = model_pair
    assert [w.path for w in ours.trainable_weights] == [w.path for w in theirs.trainable_weights]
    texts = []
    for model in model_pair:
        model.summary(print_fn=lambda text, **_: texts.append(text))
    counts = [re.findall(r"(Total|Trainable|Non-trainable) params: ([\d,]+)", t) for t in texts]
    assert counts[1] == counts[0]
    assert counts[0][2] == ("Non-trainable", str(12 * 4 + 2 * 4 * 3 + 15 * 2))


def test_sgd_steps_give_keras_weights(model_pair, ids, rng):
    y = rng.normal(size=(8, 2)).astype("float32")
    losses = []
    for model, lib in zip(model_pair, (keras, hocsau), strict=True):
        model.compile(optimizer=lib.optimizers.SGD(0.02), loss="mse")
        history = model.fit(ids, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
        losses.append(history.history["loss"])
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-6)
    theirs, ours = model_pair
    for w_ours, w_theirs in zip(ours.weights, theirs.weights, strict=True):
        np.testing.assert_allclose(w_ours.detach().numpy(), keras.ops.convert_to_numpy(w_theirs),
                                   rtol=1e-5, atol=1e-6, err_msg=w_theirs.path)
    frozen = ours.get_layer("head")._kernel
    assert not frozen.requires_grad and frozen.grad is None


def _vars(path, layer):
    with h5py.File(path) as f:
        group = f[f"layers/{layer}/vars"]
        return [group[k][()] for k in sorted(group)]


def test_weights_files_hold_keras_merged_layout(tmp_path, model_pair):
    theirs, ours = model_pair
    theirs.save_weights(tmp_path / "k.weights.h5")
    ours.save_weights(tmp_path / "h.weights.h5")
    for layer in ("embedding", "conv1d", "dense"):  # functional models: named by class
        expected = _vars(tmp_path / "k.weights.h5", layer)
        actual = _vars(tmp_path / "h.weights.h5", layer)
        assert [a.shape for a in actual] == [e.shape for e in expected]
        for a, e in zip(actual, expected, strict=True):
            np.testing.assert_allclose(a, e, rtol=1e-6, atol=1e-6)
    assert len(_vars(tmp_path / "h.weights.h5", "dense")) == 2  # merged kernel, bias


@pytest.mark.parametrize("direction", ["keras_to_hocsau", "hocsau_to_keras"])
@pytest.mark.parametrize("target_lora", [True, False])
def test_weights_files_cross_with_keras(tmp_path, model_pair, ids, direction, target_lora):
    source = model_pair[0] if direction == "keras_to_hocsau" else model_pair[1]
    lib = hocsau if direction == "keras_to_hocsau" else keras
    target = _models(lib) if target_lora else _plain_model(lib)
    source.save_weights(tmp_path / "m.weights.h5")
    target.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_allclose(_predict(target, ids), _predict(source, ids), rtol=1e-5,
                               atol=1e-6)
    if target_lora:
        head = target.get_layer("head")
        assert not np.asarray(keras.ops.convert_to_numpy(head.lora_kernel_a)).any()
        assert not np.asarray(keras.ops.convert_to_numpy(head.lora_kernel_b)).any()


def _plain_model(lib):
    ids = lib.Input((6,), dtype="int32")
    x = lib.layers.Embedding(12, 4, name="emb")(ids)
    x = lib.layers.Conv1D(3, 2, activation="tanh", name="conv")(x)
    x = lib.layers.Dense(2, name="head")(lib.layers.Flatten()(x))
    return lib.Model(ids, x)


@pytest.mark.parametrize("direction", ["keras_to_hocsau", "hocsau_to_keras"])
def test_keras_files_cross_with_keras(tmp_path, model_pair, ids, direction):
    source = model_pair[0] if direction == "keras_to_hocsau" else model_pair[1]
    load = hocsau.saving.load_model if direction == "keras_to_hocsau" else \
        keras.saving.load_model
    source.save(tmp_path / "m.keras")
    loaded = load(tmp_path / "m.keras")
    np.testing.assert_allclose(_predict(loaded, ids), _predict(source, ids), rtol=1e-5,
                               atol=1e-6)
    conv, head = loaded.get_layer("conv"), loaded.get_layer("head")
    assert conv.lora_enabled and (conv.lora_rank, conv.lora_alpha) == (2, 4)
    # Keras's Dense re-derives lora_alpha from the rank when it builds (see
    # test_dense_keeps_its_lora_alpha_argument); the factors are zero after loading anyway.
    alpha = 3 if direction == "hocsau_to_keras" else 6
    assert head.lora_enabled and (head.lora_rank, head.lora_alpha) == (3, alpha)
    assert [w.path for w in loaded.trainable_weights] == [
        w.path for w in source.trainable_weights]


def test_config_round_trip_rebuilds_lora():
    layer = layers.Embedding(7, 3)
    layer.build()
    layer.enable_lora(2, lora_alpha=5)
    clone = layers.Embedding.from_config(layer.get_config())
    clone.build()
    assert clone.lora_enabled and (clone.lora_rank, clone.lora_alpha) == (2, 5)
    assert [w.name for w in clone.trainable_weights] == ["lora_embeddings_a",
                                                         "lora_embeddings_b"]
    assert [tuple(w.shape) for w in clone.weights] == [(7, 3), (7, 2), (2, 3)]


def test_mixed_precision_matches_keras(rng):
    theirs, ours = _pair("Dense", {"units": 3, "dtype": "mixed_float16"}, (4, 5), rng)
    theirs.enable_lora(2)
    ours.enable_lora(2)
    _share_weights(theirs, ours, rng)
    x = _inputs("Dense", (4, 5), rng)
    out = ours(torch.as_tensor(x))
    assert out.dtype == torch.float16 and ours.lora_kernel_a.dtype == torch.float32
    np.testing.assert_allclose(out.detach().float().numpy(), _run(theirs, x), rtol=2e-3,
                               atol=2e-3)


def test_lora_errors_speak_keras():
    unbuilt = (layers.Dense(2), keras.layers.Dense(2))
    for layer in unbuilt:
        with pytest.raises(ValueError, match="Cannot enable lora on a layer that isn't yet built"):
            layer.enable_lora(2)
    for layer in (layers.Dense(2), keras.layers.Dense(2)):
        layer.build((None, 3))
        layer.enable_lora(2)
        with pytest.raises(ValueError, match="lora is already enabled. This can only be done "
                                             "once per layer."):
            layer.enable_lora(2)
    for lib in (layers, keras.layers):
        layer = lib.Embedding(4, 2, embeddings_constraint="non_neg")
        layer.build()
        with pytest.raises(ValueError, match="Lora is incompatible with embedding constraints"):
            layer.enable_lora(2)
    with pytest.raises(ValueError, match="remove the `kernel_constraint` argument. Received"):
        layers.Conv2D(2, 2, kernel_constraint="max_norm", lora_rank=2)
    with pytest.raises(ValueError, match=r"`lora_rank` must be a positive integer\. Received: "
                                         r"lora_rank=-1"):
        layers.Dense(2, lora_rank=-1)
    with pytest.raises(ValueError, match=r"Received: rank=0"):
        _built_dense().enable_lora(0)


def _built_dense():
    layer = layers.Dense(2)
    layer.build((None, 3))
    return layer


def test_lora_load_rejects_a_wrong_file(tmp_path):
    source = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(2, use_bias=False)])
    source.save_weights(tmp_path / "m.weights.h5")
    target = hocsau.Sequential([hocsau.Input((3,)), layers.Dense(2, lora_rank=1)])
    with pytest.raises(ValueError, match=r"Layer 'dense.*' \(LoRA enabled\) expected 2 "
                                         r"variables \['kernel', 'bias'\].*Received: 1"):
        target.load_weights(tmp_path / "m.weights.h5")
