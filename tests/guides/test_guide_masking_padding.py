"""keras.io guide "Understanding masking & padding" (keras-team/keras
guides/understanding_masking_and_padding.py), adapted: `pad_sequences`, the mask of
`Embedding(mask_zero=True)` and of `Masking` (`_keras_mask` on eager outputs), an LSTM that
skips masked steps in a functional model and in a subclassed model passing `mask=`, custom
layers that make a mask (`compute_mask`), split one (TemporalSplit), opt in to propagation
(`supports_masking`) and consume one (TemporalSoftmax)."""

import numpy as np
from guide_helpers import as_numpy, assert_nested_close, layer_weights, set_layer_weights

import hocsau

RAW_INPUTS = [[711, 632, 71], [73, 8, 3215, 55, 927], [83, 91, 1, 645, 1253, 927]]


def define_layers(keras):
    layers, ops = keras.layers, keras.ops

    class TemporalSplit(layers.Layer):
        """Splits the input in two along the time axis, and the mask with it."""

        def call(self, inputs):
            return ops.split(inputs, 2, axis=1)

        def compute_mask(self, inputs, mask=None):
            if mask is None:
                return None
            return ops.split(mask, 2, axis=1)

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
            return None if not self.mask_zero else ops.not_equal(inputs, 0)

    class MyActivation(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs):
            return ops.relu(inputs)

    class TemporalSoftmax(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs, mask=None):
            assert mask is not None
            broadcast_float_mask = ops.expand_dims(ops.cast(mask, "float32"), -1)
            inputs_exp = ops.exp(inputs) * broadcast_float_mask
            inputs_sum = ops.sum(inputs_exp * broadcast_float_mask, axis=-1, keepdims=True)
            return inputs_exp / inputs_sum

    class MyLayer(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.embedding = layers.Embedding(input_dim=50, output_dim=4, mask_zero=True)
            self.lstm = layers.LSTM(3)

        def call(self, inputs):
            x = self.embedding(inputs)
            mask = self.embedding.compute_mask(inputs)
            return self.lstm(x, mask=mask)

    return TemporalSplit, CustomEmbedding, MyActivation, TemporalSoftmax, MyLayer


def eager_masks(keras):
    layers = keras.layers
    padded = keras.utils.pad_sequences(RAW_INPUTS, padding="post")
    small = np.where(padded > 0, padded % 50 + 1, 0)
    embedding = layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True)
    masked_output = embedding(padded)
    unmasked = keras.ops.cast(keras.ops.tile(keras.ops.expand_dims(padded, axis=-1),
                                             [1, 1, 10]), "float32")
    masked_embedding = layers.Masking()(unmasked)
    TemporalSplit, CustomEmbedding, *_ = define_layers(keras)
    first, second = TemporalSplit()(masked_embedding)
    custom = CustomEmbedding(10, 32, mask_zero=True)
    custom_out = custom(np.random.default_rng(0).integers(0, 10, (3, 10)))
    return {"padded": padded, "small": small, "embedding_mask": masked_output._keras_mask,
            "compute_mask": embedding.compute_mask(padded),
            "masking_mask": masked_embedding._keras_mask,
            "split_masks": [first._keras_mask, second._keras_mask],
            "custom_mask_shape": tuple(custom_out._keras_mask.shape)}


def masked_lstm_models(keras, weights=None):
    layers = keras.layers
    *_, MyActivation, TemporalSoftmax, MyLayer = define_layers(keras)
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(input_dim=50, output_dim=4, mask_zero=True, name="embedding")(inputs)
    x = MyActivation()(x)
    outputs = layers.LSTM(3, name="lstm")(x)
    functional = keras.Model(inputs, outputs)
    softmax_inputs = keras.Input(shape=(None,), dtype="int32")
    y = layers.Embedding(input_dim=10, output_dim=32, mask_zero=True, name="emb2")(
        softmax_inputs)
    y = layers.Dense(1, name="dense")(y)
    softmax_model = keras.Model(softmax_inputs, TemporalSoftmax()(y))
    subclassed = MyLayer()
    subclassed(np.ones((1, 2), "int32"))
    if weights is not None:
        set_layer_weights(functional, weights["functional"])
        set_layer_weights(softmax_model, weights["softmax"])
        subclassed.set_weights(weights["subclassed"])
    return functional, softmax_model, subclassed


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    facts = eager_masks(keras)
    functional, softmax_model, subclassed = masked_lstm_models(keras, weights)
    small = facts["small"]
    rng = np.random.default_rng(1)
    softmax_in = rng.integers(0, 10, (4, 6))
    return {**facts,
            "weights": {"functional": layer_weights(functional),
                        "softmax": layer_weights(softmax_model),
                        "subclassed": subclassed.get_weights()},
            "lstm_padded": functional(small),
            "lstm_rows": [functional(small[i:i + 1, :n]) for i, n in enumerate((3, 5, 6))],
            "subclassed_padded": subclassed(small),
            "subclassed_rows": [subclassed(small[i:i + 1, :n]) for i, n in enumerate((3, 5, 6))],
            "softmax_in": softmax_in, "softmax": softmax_model(softmax_in)}


def check(result):
    padded = result["padded"]
    np.testing.assert_array_equal(padded, [[711, 632, 71, 0, 0, 0], [73, 8, 3215, 55, 927, 0],
                                           [83, 91, 1, 645, 1253, 927]])
    expected_mask = padded != 0
    for key in ("embedding_mask", "compute_mask", "masking_mask"):
        np.testing.assert_array_equal(as_numpy(result[key]), expected_mask)
    np.testing.assert_array_equal(as_numpy(result["split_masks"][0]), expected_mask[:, :3])
    np.testing.assert_array_equal(as_numpy(result["split_masks"][1]), expected_mask[:, 3:])
    assert result["custom_mask_shape"] == (3, 10)
    for prefix in ("lstm", "subclassed"):  # masked steps are skipped: padding changes nothing
        for i, row in enumerate(result[f"{prefix}_rows"]):
            np.testing.assert_allclose(as_numpy(result[f"{prefix}_padded"])[i],
                                       as_numpy(row)[0], rtol=1e-5, atol=1e-6)
    softmax, mask = as_numpy(result["softmax"]), result["softmax_in"] != 0
    assert softmax.shape == (4, 6, 1)
    # The guide's softmax runs over the last axis, of size 1 here: 1 where the mask is set,
    # 0 / 0 where it is not.
    np.testing.assert_allclose(softmax[mask], 1.0, rtol=1e-6)
    assert np.isnan(softmax[~mask]).all()


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_outputs_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["weights"])
    for key in ("lstm_padded", "lstm_rows", "subclassed_padded", "softmax"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-5, path=key)
