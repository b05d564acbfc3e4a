"""ConvLSTM1D/2D/3D: Keras parity (padding, strides, dilation, data formats, sequences and
states, go_backwards, masks, initial states, stateful calls), SGD steps, weight names and
shapes, summary counts, config, `.keras` files both ways with Keras, errors."""

import keras
import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers

FRAMES = {1: (7, 3), 2: (5, 4, 3), 3: (3, 4, 5, 2)}  # channels_last frame of each rank
CASES = [
    (1, {"kernel_size": 3}),
    (1, {"kernel_size": 2, "strides": 2, "padding": "same", "return_state": True}),
    (1, {"kernel_size": 3, "dilation_rate": 2, "go_backwards": True,
         "data_format": "channels_first", "return_sequences": True}),
    (2, {"kernel_size": 3, "padding": "same", "return_sequences": True}),
    (2, {"kernel_size": (2, 3), "strides": (2, 1), "return_state": True,
         "return_sequences": True}),
    (2, {"kernel_size": 2, "padding": "same", "data_format": "channels_first",
         "go_backwards": True, "use_bias": False, "unit_forget_bias": False}),
    (2, {"kernel_size": 3, "dilation_rate": (1, 2), "padding": "same",
         "activation": "relu", "recurrent_activation": "hard_sigmoid"}),
    (3, {"kernel_size": 2, "padding": "same", "return_state": True}),
    (3, {"kernel_size": (1, 2, 3), "strides": 2, "data_format": "channels_first",
         "return_sequences": True}),
]


def _sequences(rank, data_format="channels_last", steps=3, batch=2, seed=0):
    x = np.random.default_rng(seed).normal(size=(batch, steps, *FRAMES[rank])).astype("float32")
    return x if data_format == "channels_last" else np.moveaxis(x, -1, 2)


@pytest.mark.parametrize("rank,kwargs", CASES)
def test_matches_keras(rank, kwargs, rnn_parity):
    kwargs = {"filters": 2, **kwargs}
    x = _sequences(rank, kwargs.get("data_format", "channels_last"))
    theirs = getattr(keras.layers, f"ConvLSTM{rank}D")(**kwargs)
    ours = getattr(layers, f"ConvLSTM{rank}D")(**kwargs)
    outputs = rnn_parity(theirs, ours, x)
    expected = theirs.compute_output_shape(x.shape)
    expected = list(expected) if kwargs.get("return_state") else [expected]
    assert [o.shape for o in outputs] == [tuple(e) for e in expected]
    assert ours.compute_output_shape(x.shape) == theirs.compute_output_shape(x.shape)


@pytest.mark.parametrize("go_backwards,zero_output", [(False, False), (True, False),
                                                      (True, True)])
def test_masked_sequences_match_keras(go_backwards, zero_output, rnn_parity):
    x = _sequences(2, steps=4)
    mask = np.array([[1, 1, 0, 1], [0, 1, 0, 0]], bool)
    kwargs = {"filters": 2, "kernel_size": 2, "padding": "same", "return_sequences": True,
              "return_state": True, "go_backwards": go_backwards,
              "zero_output_for_mask": zero_output}
    outputs = rnn_parity(keras.layers.ConvLSTM2D(**kwargs), layers.ConvLSTM2D(**kwargs), x,
                         mask=mask)
    step = 2 if not go_backwards else 1  # output index of the masked step 2 of row 0
    if zero_output:
        assert np.abs(outputs[0][0, step]).max() == 0
    else:  # a masked step repeats the previous output
        np.testing.assert_array_equal(outputs[0][0, step], outputs[0][0, step - 1])


def test_initial_state_matches_keras(rnn_parity):
    x = _sequences(1)
    rng = np.random.default_rng(1)
    states = [rng.normal(size=(2, 7, 2)).astype("float32") for _ in range(2)]
    kwargs = {"filters": 2, "kernel_size": 3, "padding": "same", "return_state": True}
    outputs = rnn_parity(keras.layers.ConvLSTM1D(**kwargs), layers.ConvLSTM1D(**kwargs), x,
                         initial_state=states)
    assert [o.shape for o in outputs] == [(2, 7, 2)] * 3


def test_stateful_calls_match_keras_and_reset():
    x = _sequences(2, steps=2)
    kwargs = {"filters": 2, "kernel_size": 3, "padding": "same", "stateful": True}
    theirs, ours = keras.layers.ConvLSTM2D(**kwargs), layers.ConvLSTM2D(**kwargs)
    theirs(x)
    first = ours(x)
    ours.set_weights(theirs.get_weights())
    theirs.reset_states()
    ours.reset_states()
    for _ in range(2):
        expected = keras.ops.convert_to_numpy(theirs(x))
        np.testing.assert_allclose(ours(x).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    ours.reset_states()
    assert all(float(s.abs().sum()) == 0 for s in ours.states)
    assert ours.states[0].shape == first.shape == (2, 5, 4, 2)


def test_sgd_steps_give_keras_weights():
    x = _sequences(2, steps=3, batch=4)
    y = np.random.default_rng(2).normal(size=(4, 1)).astype("float32")

    def model(lib):
        L = lib.layers
        return lib.Sequential([lib.Input(x.shape[1:]), L.ConvLSTM2D(2, 2, padding="same"),
                               L.Flatten(), L.Dense(1)])

    theirs, ours = model(keras), model(hocsau)
    ours.set_weights(theirs.get_weights())
    for m, lib in ((theirs, keras), (ours, hocsau)):
        m.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
        m.fit(x, y, batch_size=2, epochs=2, shuffle=False, verbose=0)
    for a, e in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_weights_names_shapes_and_param_count(rank):
    kernel = (2,) * rank
    layer = getattr(layers, f"ConvLSTM{rank}D")(4, 2)
    layer(torch.as_tensor(_sequences(rank)))
    channels = FRAMES[rank][-1]
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert [tuple(w.shape) for w in layer.weights] == [kernel + (channels, 16),
                                                       kernel + (4, 16), (16,)]
    assert layer.count_params() == 2 ** rank * (channels + 4) * 16 + 16
    np.testing.assert_array_equal(layer.cell.bias.detach().numpy(),
                                  np.repeat([0, 1, 0, 0], 4).astype("float32"))


def test_summary_counts_match_keras():
    def model(lib):
        return lib.Sequential([lib.Input((3, 6, 6, 2)),
                               lib.layers.ConvLSTM2D(3, 3, return_sequences=True),
                               lib.layers.ConvLSTM2D(2, 2)])

    ours, theirs = model(hocsau), model(keras)
    assert [lay.count_params() for lay in ours.layers] == [
        lay.count_params() for lay in theirs.layers] == [3 * 3 * 5 * 12 + 12, 2 * 2 * 5 * 8 + 8]
    assert ours.output_shape == theirs.output_shape == (None, 3, 3, 2)
    lines = []
    ours.summary(print_fn=lines.append)
    assert any("ConvLSTM2D" in line and "(None, 3, 4, 4, 3)" in line for line in lines)


def test_config_round_trip_and_keras_config():
    kwargs = {"filters": 3, "kernel_size": (2, 3), "strides": 2, "padding": "same",
              "recurrent_dropout": 0.25, "seed": 4, "return_sequences": True,
              "kernel_regularizer": "l2"}
    ours = layers.ConvLSTM2D(**kwargs, name="clstm")
    config = ours.get_config()
    theirs = keras.layers.ConvLSTM2D(**kwargs, name="clstm").get_config()
    assert set(config) == set(theirs)
    for key in ("kernel_size", "strides", "padding", "dilation_rate", "recurrent_dropout",
                "seed", "return_sequences", "unroll", "zero_output_for_mask", "data_format"):
        assert config[key] == theirs[key], key
    again = layers.ConvLSTM2D.from_config(config)
    assert (again.kernel_size, again.strides, again.name) == ((2, 3), (2, 2), "clstm")
    assert again.cell.recurrent_dropout == 0.25


def test_dropout_only_in_training():
    x = torch.as_tensor(_sequences(1))
    layer = layers.ConvLSTM1D(2, 3, dropout=0.5, recurrent_dropout=0.5, seed=1)
    inference = layer(x)
    torch.testing.assert_close(layer(x), inference)
    assert not torch.allclose(layer(x, training=True), inference)


def _stack_2d(lib):
    L = lib.layers
    return lib.Sequential([lib.Input((3, 5, 4, 2)),
                           L.ConvLSTM2D(2, 3, padding="same", return_sequences=True),
                           L.ConvLSTM2D(2, 2, data_format="channels_first"),
                           L.Flatten(), L.Dense(1)])


def _conv_1d_and_3d(lib):
    L = lib.layers
    frames = lib.Input((3, 4, 5, 2))
    one = L.ConvLSTM1D(2, 2, strides=2)(L.Reshape((3, 20, 2))(frames))
    three = L.ConvLSTM3D(2, 2, padding="same")(L.Reshape((3, 4, 5, 1, 2))(frames))
    return lib.Model(frames, L.concatenate([L.Flatten()(one), L.Flatten()(three)]))


@pytest.mark.parametrize("builder,classes", [(_stack_2d, {"ConvLSTM2D"}),
                                             (_conv_1d_and_3d, {"ConvLSTM1D", "ConvLSTM3D"})])
def test_keras_files_cross_both_ways(tmp_path, builder, classes):
    x = np.random.default_rng(0).normal(size=(2, 3, 5, 4, 2)).astype("float32")
    x = x.reshape(2, 3, 4, 5, 2) if builder is _conv_1d_and_3d else x
    ours = builder(hocsau)
    ours.save(tmp_path / "h.keras")
    theirs = keras.saving.load_model(tmp_path / "h.keras")
    np.testing.assert_allclose(theirs.predict(x, verbose=0), ours.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    native = builder(keras)
    native.save(tmp_path / "k.keras")
    loaded = hocsau.saving.load_model(tmp_path / "k.keras")
    assert classes <= {type(lay).__name__ for lay in loaded.layers}
    np.testing.assert_allclose(loaded.predict(x, verbose=0), native.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match="`strides > 1` is not compatible.*Received: strides"):
        layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="strictly positive integer. Received: filters=0"):
        layers.ConvLSTM1D(0, 3)
    with pytest.raises(ValueError, match="`kernel_size` argument must be a tuple of 3"):
        layers.ConvLSTM3D(2, (2, 2))
    with pytest.raises(ValueError, match="Received: padding=causal"):
        layers.ConvLSTM1D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="static input shapes for the spatial dimension"):
        layers.ConvLSTM2D(2, 3)(hocsau.Input((3, None, 4, 2)))
    with pytest.raises(ValueError, match=r"expected ndim=5, found ndim=4"):
        layers.ConvLSTM2D(2, 3)(hocsau.Input((3, 4, 2)))
    with pytest.raises(ValueError, match=r"negative or zero.*input_shape=\(None, 2, 2\)"):
        layers.ConvLSTM1D(2, 3)(hocsau.Input((3, 2, 2)))
