"""Masks through symbolic calls, against Keras 3: `compute_mask` on symbolic inputs gives the
outputs a symbolic `_keras_mask`, `call` receives the mask while it is traced, nodes record it
as Keras does, and functional models run with the same masks (keras.io "Masking and padding")."""

import json

import numpy as np
import pytest
import torch

import hocsau

TOKENS = np.array([[3, 5, 0, 0, 0], [1, 2, 4, 7, 0], [0, 0, 0, 0, 0]], "int32")
STEPS = np.random.default_rng(0).normal(size=(3, 5, 3)).astype("float32")
STEPS[0, 3:] = 0.0
STEPS[2, 1] = 0.0


def _mask_spec(tensor):
    mask = getattr(tensor, "_keras_mask", None)
    return None if mask is None else (tuple(mask.shape), mask.dtype)


def test_embedding_mask_zero_gives_a_symbolic_mask_like_keras():
    keras = pytest.importorskip("keras")
    specs = []
    for lib in (keras, hocsau):
        embedded = lib.layers.Embedding(10, 3, mask_zero=True)(lib.Input((None,), dtype="int32"))
        plain = lib.layers.Embedding(10, 3)(lib.Input((None,), dtype="int32"))
        specs.append((_mask_spec(embedded), getattr(plain, "_keras_mask", None)))
    assert specs[1] == specs[0] == (((None, None), "bool"), None)


def _guide_program(lib):
    """TemporalSoftmax and CustomEmbedding from keras.io's masking guide."""
    ops, layers = lib.ops, lib.layers

    class TemporalSoftmax(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs, mask=None):
            broadcast_float_mask = ops.expand_dims(ops.cast(mask, "float32"), -1)
            inputs_exp = ops.exp(inputs) * broadcast_float_mask
            inputs_sum = ops.sum(inputs_exp * broadcast_float_mask, axis=-1, keepdims=True)
            return inputs_exp / inputs_sum

    class CustomEmbedding(layers.Layer):
        def __init__(self, input_dim, output_dim, mask_zero=False, **kwargs):
            super().__init__(**kwargs)
            self.input_dim, self.output_dim, self.mask_zero = input_dim, output_dim, mask_zero

        def build(self, input_shape):
            self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                              initializer="random_normal", dtype="float32")

        def call(self, inputs):
            return ops.take(self.embeddings, ops.cast(inputs, "int32"), axis=0)

        def compute_mask(self, inputs, mask=None):
            return ops.not_equal(inputs, 0) if self.mask_zero else None

    inputs = lib.Input(shape=(None,), dtype="int32")
    x = CustomEmbedding(input_dim=10, output_dim=4, mask_zero=True)(inputs)
    x = layers.Dense(3)(x)
    outputs = TemporalSoftmax()(x)
    return lib.Model(inputs, outputs), [_mask_spec(x), _mask_spec(outputs)]


def _masking_program(lib):
    inputs = lib.Input((5, 3))
    masked = lib.layers.Masking()(inputs)
    outputs = lib.layers.LSTM(4, return_sequences=True)(masked)
    return lib.Model(inputs, outputs), [_mask_spec(masked), _mask_spec(outputs)]


def _embedding_lstm_program(lib):
    inputs = lib.Input((None,), dtype="int32")
    x = lib.layers.Embedding(10, 3, mask_zero=True)(inputs)
    x = lib.layers.Dense(4)(x)
    x = lib.layers.Dropout(0.5)(x)
    outputs = lib.layers.LSTM(2)(x)
    return lib.Model(inputs, outputs), [_mask_spec(x), _mask_spec(outputs)]


@pytest.mark.parametrize("program, data", [(_guide_program, TOKENS),
                                           (_masking_program, STEPS),
                                           (_embedding_lstm_program, TOKENS)],
                         ids=["guide_temporal_softmax", "masking_lstm", "embedding_lstm"])
def test_masked_functional_models_match_keras(program, data):
    keras = pytest.importorskip("keras")
    (theirs, their_masks), (ours, masks) = program(keras), program(hocsau)
    assert masks == their_masks
    ours.set_weights(theirs.get_weights())
    expected = keras.ops.convert_to_numpy(theirs(data))
    np.testing.assert_allclose(ours(data).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.predict(data, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_masks_and_training_defaults_are_recorded_in_nodes_as_keras_does():
    keras = pytest.importorskip("keras")
    keras.backend.clear_session()
    hocsau.backend.clear_session()  # the same layer names on both sides
    (theirs, _), (ours, _) = _embedding_lstm_program(keras), _embedding_lstm_program(hocsau)
    lines, their_lines = [], []
    ours.summary(print_fn=lines.append)
    theirs.summary(print_fn=their_lines.append)
    assert lines == their_lines  # with Keras's not_equal (NotEqual) row feeding the LSTM

    def nodes(model):
        return {layer["class_name"]: json.dumps(layer["inbound_nodes"])
                for layer in model.get_config()["layers"]}

    assert nodes(ours) == nodes(theirs)
    assert '"training": false' in nodes(ours)["Dropout"] and '"mask"' in nodes(ours)["LSTM"]


class TorchMask(hocsau.layers.Layer):
    """A masking layer written with plain torch: traced as one recorded operation."""

    supports_masking = True

    def call(self, inputs):
        return inputs * 2.0

    def compute_mask(self, inputs, mask=None):
        return (inputs != 0).any(dim=-1)


def test_a_torch_compute_mask_gives_a_symbolic_mask_and_the_same_masks_at_run_time(tmp_path):
    inputs = hocsau.Input((5, 3))
    masked = TorchMask()(inputs)
    assert _mask_spec(masked) == ((None, 5), "bool")
    model = hocsau.Model(inputs, hocsau.layers.LSTM(2)(masked))
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "TorchMask",
                                                                "LSTM"]
    lstm = model.layers[-1]
    expected = lstm(STEPS * 2.0, mask=torch.as_tensor((STEPS != 0).any(axis=-1))).detach().numpy()
    np.testing.assert_allclose(model.predict(STEPS, verbose=0), expected, rtol=1e-6)
    model.save(tmp_path / "torch_mask.keras")
    loaded = hocsau.saving.load_model(tmp_path / "torch_mask.keras",
                                      custom_objects={"TorchMask": TorchMask})
    np.testing.assert_allclose(loaded.predict(STEPS, verbose=0), expected, rtol=1e-6)


def test_an_explicit_symbolic_mask_is_computed_by_the_graph():
    keras = pytest.importorskip("keras")
    outputs = []
    for lib in (keras, hocsau):
        inputs = lib.Input((None,), dtype="int32")
        embedded = lib.layers.Embedding(10, 3, mask_zero=True)(inputs)
        weights = lib.ops.cast(embedded._keras_mask, "float32")
        outputs.append(lib.Model(inputs, weights).predict(TOKENS, verbose=0))
    np.testing.assert_array_equal(outputs[1], keras.ops.convert_to_numpy(outputs[0]))
    np.testing.assert_array_equal(outputs[1], (TOKENS != 0).astype("float32"))
