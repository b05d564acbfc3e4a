"""BatchNormalization against Keras 3: outputs, moving statistics after training, frozen rule."""

import numpy as np
import pytest
import torch

import hocsau
from hocsau import layers
from hocsau.testing import run_layer_test

keras = pytest.importorskip("keras")
rng = np.random.default_rng(0)


def pair(kwargs, x):
    theirs = keras.layers.BatchNormalization(**kwargs)
    theirs(x)
    weights = [w + 0.2 * np.sin(np.arange(w.size)).reshape(w.shape).astype("float32") ** 2
               for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours = layers.BatchNormalization(**kwargs)
    ours(torch.from_numpy(x))
    ours.set_weights(weights)
    assert set(ours.get_config()) == set(theirs.get_config())
    return ours, theirs


@pytest.mark.parametrize("kwargs, shape", [
    ({}, (6, 4)), ({"axis": 1}, (4, 3, 5, 5)), ({"center": False}, (6, 3, 4)),
    ({"scale": False, "epsilon": 0.1}, (6, 4)), ({"axis": -1, "momentum": 0.5}, (4, 5, 5, 3)),
])
@pytest.mark.parametrize("training", [False, True])
def test_outputs_and_moving_statistics_match_keras(kwargs, shape, training):
    x = (rng.normal(size=shape) * 3 + 1).astype("float32")
    ours, theirs = pair(kwargs, x)
    for _ in range(3):  # the moving statistics move three times in training
        expected = keras.ops.convert_to_numpy(theirs(x, training=training))
        actual = ours(torch.from_numpy(x), training=training).detach().numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)
    for a, e in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-6)


def test_moving_statistics_match_keras_after_fit():
    x = (rng.normal(size=(64, 5)) * 2 + 3).astype("float32")
    y = rng.normal(size=(64, 1)).astype("float32")

    def build(lib):
        model = lib.Sequential([lib.Input((5,)), lib.layers.Dense(4),
                                lib.layers.BatchNormalization(momentum=0.9), lib.layers.Dense(1)])
        model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
        return model

    theirs, ours = build(keras), build(hocsau)
    ours.set_weights(theirs.get_weights())
    theirs.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    ours.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    for a, e in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, e, rtol=1e-4, atol=1e-5)
    assert len(ours.layers[1].non_trainable_weights) == 2


def test_frozen_layer_runs_in_inference_mode_and_keeps_statistics():
    bn = layers.BatchNormalization()
    x = torch.randn(16, 3) * 5 + 2
    bn(x)
    bn.trainable = False
    before = [w.copy() for w in bn.get_weights()]
    out = bn(x, training=True)
    torch.testing.assert_close(out, bn(x, training=False))
    for a, b in zip(before, bn.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    model = hocsau.Sequential([hocsau.Input((3,)), layers.BatchNormalization(),
                               layers.Dense(1)])
    model.layers[0].trainable = False
    model.compile(optimizer="sgd", loss="mse")
    stats = [w.copy() for w in model.layers[0].get_weights()]
    model.fit(x.numpy(), np.ones((16, 1), "float32"), verbose=0)
    for a, b in zip(stats, model.layers[0].get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_masked_steps_are_left_out_of_the_statistics():
    bn = layers.BatchNormalization(momentum=0.0)
    x = torch.tensor([[[1.0], [3.0], [100.0]]])
    bn(x, training=True, mask=torch.tensor([[True, True, False]]))
    assert bn.moving_mean.item() == pytest.approx(2.0)
    assert bn.moving_variance.item() == pytest.approx(1.0)


def test_layer_test_and_errors():
    run_layer_test(layers.BatchNormalization, {}, input_shape=(4, 3),
                   expected_output_shape=(4, 3), expected_num_trainable_weights=2,
                   expected_num_non_trainable_weights=2, supports_masking=True,
                   run_training_check=True)
    with pytest.raises(ValueError, match="Axis 3 is out of bounds"):
        layers.BatchNormalization(axis=3)(hocsau.Input((4,)))
    bn = layers.BatchNormalization(name="bn")
    bn(torch.ones(2, 3))
    with pytest.raises(ValueError, match='"bn" is incompatible'):
        bn(torch.ones(2, 4))
