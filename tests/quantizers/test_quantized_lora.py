"""LoRA on int8 / int4 layers against Keras 3 (QLoRA): quantizing a LoRA layer, or enabling
LoRA on a quantized one, keeps the factors on top of the quantized weight; files hold the
merged weight quantized again. Same calls, same file values, and each library's file loads
in the other to the same model."""

import io
import warnings
import zipfile

import h5py
import keras
import numpy as np
import pytest
import torch

import hocsau


def build(lib, kind):
    if kind == "dense":
        return lib.Sequential([lib.Input((12,)), lib.layers.Dense(6)])
    if kind == "einsum":
        return lib.Sequential([lib.Input((3, 12)), lib.layers.EinsumDense(
            "abc,cd->abd", (3, 6), bias_axes="d")])
    return lib.Sequential([lib.Input((5,), dtype="int32"), lib.layers.Embedding(20, 12)])


def inputs(kind, rng):
    if kind == "embedding":
        return rng.integers(0, 20, size=(4, 5))
    return rng.normal(size=(4, 3, 12) if kind == "einsum" else (4, 12)).astype("float32")


def lora_pair(kind, mode, lora_first):
    """Keras's and our model with the same weights, quantized and with LoRA (factors set to
    the same random values)."""
    reference, model = build(keras, kind), build(hocsau, kind)
    model.set_weights(reference.get_weights())
    configs = (None, None)
    if mode == "int4/4":
        configs = (keras.quantizers.Int4QuantizationConfig(block_size=4),
                   hocsau.quantizers.Int4QuantizationConfig(block_size=4))
    steps = [lambda m, c: m.layers[0].enable_lora(2),
             lambda m, c: m.quantize(mode.split("/")[0], config=c)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for step in steps if lora_first else steps[::-1]:
            step(reference, configs[0])
            step(model, configs[1])
    rng = np.random.default_rng(0)
    for theirs in reference.layers[0].weights:
        if theirs.name.startswith("lora_"):
            value = rng.normal(size=tuple(theirs.shape)).astype("float32") * 0.1
            theirs.assign(value)
            model.layers[0]._parameters[theirs.name].data.copy_(torch.as_tensor(value))
    return reference, model


def file_values(path) -> list:
    found = []
    with h5py.File(io.BytesIO(zipfile.ZipFile(path).read("model.weights.h5"))) as h5:
        h5.visititems(lambda name, item: found.append((name, np.asarray(item)))
                      if isinstance(item, h5py.Dataset) else None)
    return found


@pytest.mark.parametrize("kind", ["dense", "einsum", "embedding"])
@pytest.mark.parametrize("mode", ["int8", "int4", "int4/4"])
@pytest.mark.parametrize("lora_first", [True, False])
def test_lora_on_quantized_layers_as_keras(kind, mode, lora_first, tmp_path):
    reference, model = lora_pair(kind, mode, lora_first)
    ours, theirs = model.layers[0], reference.layers[0]
    assert [(w.name, tuple(w.shape)) for w in ours.weights] == \
        [(w.name, tuple(w.shape)) for w in theirs.weights]
    assert [w.name for w in ours.trainable_weights] == [w.name for w in
                                                        theirs.trainable_weights]
    x = inputs(kind, np.random.default_rng(1))
    expected = reference.predict(x, verbose=0)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-6, atol=1e-6)
    model.save(tmp_path / "ours.keras")
    reference.save(tmp_path / "theirs.keras")
    for (name, mine), (_, keras_value) in zip(file_values(tmp_path / "ours.keras"),
                                              file_values(tmp_path / "theirs.keras"),
                                              strict=True):
        np.testing.assert_allclose(mine, keras_value, rtol=1e-6, atol=1e-6, err_msg=name)
    merged = keras.saving.load_model(tmp_path / "theirs.keras").predict(x, verbose=0)
    np.testing.assert_allclose(
        keras.saving.load_model(tmp_path / "ours.keras").predict(x, verbose=0), merged)
    np.testing.assert_allclose(
        hocsau.saving.load_model(tmp_path / "theirs.keras").predict(x, verbose=0), merged,
        rtol=1e-6, atol=1e-6)


def test_lora_factors_train_over_a_frozen_int8_kernel():
    model = build(hocsau, "dense")
    model.quantize("int8")
    model.layers[0].enable_lora(2)
    kernel = model.layers[0]._kernel.clone()
    b_factor = model.layers[0].lora_kernel_b.detach().clone()
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(8, 12)).astype("float32")
    model.fit(x, np.ones((8, 6), "float32"), epochs=1, verbose=0)
    assert torch.equal(model.layers[0]._kernel, kernel)
    assert not torch.equal(model.layers[0].lora_kernel_b.detach(), b_factor)


@pytest.mark.parametrize("mode", ["float8", "gptq"])
def test_lora_is_refused_where_keras_has_none(mode):
    layer = hocsau.layers.Dense(4)
    layer.build((None, 8))
    layer.enable_lora(2)
    config = hocsau.quantizers.GPTQConfig([[1]], object()) if mode == "gptq" else None
    with pytest.raises(ValueError, match="only 'int8' and 'int4' keep LoRA"):
        layer.quantize(mode, config=config)
    plain = hocsau.layers.Dense(4)
    plain.build((None, 8))
    plain.quantize(mode, config=config)
    with pytest.raises(ValueError, match=f"LoRA is not supported on {mode} layers"):
        plain.enable_lora(2)
