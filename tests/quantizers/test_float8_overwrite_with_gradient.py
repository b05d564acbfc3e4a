"""Float8's scales and amax histories as Keras 3.15 keeps them: trainable weights with
`overwrite_with_gradient=True`, overwritten by the optimizer (no slots, no update rule),
step by step equal to Keras under each optimizer option, when frozen, and through files."""

import contextlib
import copy
import io
import pickle
import re
import warnings

import keras
import numpy as np
import pytest

import hocsau

SCALES = ["inputs_scale", "inputs_amax_history", "kernel_scale", "kernel_amax_history",
          "outputs_grad_scale", "outputs_grad_amax_history"]


def build(lib):
    return lib.Sequential([lib.Input((20,)), lib.layers.Dense(7, activation="relu"),
                           lib.layers.Dense(3)])


def float8_pair(build):
    """The Keras and hocsau models of `build`, equal weights, quantized to float8."""
    reference, model = build(keras), build(hocsau)
    model.set_weights(reference.get_weights())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference.quantize("float8")
    model.quantize("float8")
    return reference, model


@pytest.fixture
def pair():
    return float8_pair(build)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(6, 20)).astype("float32"), rng.normal(size=(6, 3)).astype("float32")


def assert_same_weights(reference, model, step):
    for theirs, ours in zip(reference.weights, model.weights, strict=True):
        np.testing.assert_allclose(ours.numpy(), keras.ops.convert_to_numpy(theirs),
                                   rtol=1e-5, atol=1e-6, err_msg=f"{theirs.path} step {step}")


def slots(optimizer):
    """(slot name without the optimizer's and layers' uniquified names, shape) per variable."""
    return [(re.sub(r"^.*?dense(_\d+)?_", "", v.path.split("/", 1)[1]), tuple(v.shape))
            for v in optimizer.variables]


def summary_counts(model):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.summary()
    return [line for line in out.getvalue().splitlines() if "params:" in line]


def test_scales_are_trainable_and_overwritten_as_keras(pair):
    reference, model = pair
    for theirs, ours in zip(reference.layers[0].weights, model.layers[0].weights, strict=True):
        assert (ours.name, ours.trainable, ours.overwrite_with_gradient) == (
            theirs.name, theirs.trainable, theirs.overwrite_with_gradient)
    assert [w.name for w in model.layers[0].weights if w.overwrite_with_gradient] == SCALES
    assert (len(model.trainable_weights), len(model.non_trainable_weights)) == (
        len(reference.trainable_weights), len(reference.non_trainable_weights)) == (16, 0)
    assert summary_counts(model) == summary_counts(reference)


@pytest.mark.parametrize("optimizer, options", [
    ("Adam", {}),
    ("SGD", {"momentum": 0.9, "weight_decay": 0.1, "clipnorm": 0.5}),
    ("SGD", {"gradient_accumulation_steps": 2}),
    ("SGD", {"use_ema": True, "ema_overwrite_frequency": 2}),
])
def test_training_steps_equal_keras(pair, data, optimizer, options):
    reference, model = pair
    reference.compile(getattr(keras.optimizers, optimizer)(0.01, **options), "mse")
    model.compile(getattr(hocsau.optimizers, optimizer)(0.01, **options), "mse")
    for step in range(4):
        reference.train_on_batch(*data)
        model.train_on_batch(*data)
        assert_same_weights(reference, model, step)
    assert model.layers[0].kernel_scale.numpy() != 1.0  # the scales moved
    assert slots(model.optimizer) == slots(reference.optimizer)


def test_fit_equals_keras(pair, data):
    reference, model = pair
    reference.compile(keras.optimizers.Adam(0.01), "mse")
    model.compile(hocsau.optimizers.Adam(0.01), "mse")
    for lib_model in (reference, model):
        lib_model.fit(*data, batch_size=3, epochs=2, shuffle=False, verbose=0)
    assert_same_weights(reference, model, "end")


def test_frozen_layer_keeps_its_scales_as_keras(pair, data):
    reference, model = pair
    reference.layers[0].trainable = False
    model.layers[0].trainable = False
    assert (len(model.trainable_weights), len(model.non_trainable_weights)) == (
        len(reference.trainable_weights), len(reference.non_trainable_weights)) == (8, 8)
    assert summary_counts(model) == summary_counts(reference)
    reference.compile(keras.optimizers.SGD(0.01), "mse")
    model.compile(hocsau.optimizers.SGD(0.01), "mse")
    for step in range(2):
        reference.train_on_batch(*data)
        model.train_on_batch(*data)
        assert_same_weights(reference, model, step)
    np.testing.assert_array_equal(model.layers[0].inputs_amax_history.numpy(), 0.0)
    assert model.layers[1].inputs_amax_history.numpy()[0] > 0


def test_optimizer_overwrites_a_variable_with_its_gradient():
    def apply(lib):
        plain = lib.Variable(np.ones(3, "float32"), name="plain")
        overwritten = lib.Variable(np.ones(3, "float32"), name="overwritten")
        overwritten.overwrite_with_gradient = True
        optimizer = lib.optimizers.Adam(0.1, clipvalue=0.01, loss_scale_factor=4.0)
        grads = [np.full(3, 2.0, "float32"), np.array([5.0, -1.0, 0.5], "float32")]
        optimizer.apply([lib.ops.convert_to_tensor(g) for g in grads], [plain, overwritten])
        return ([keras.ops.convert_to_numpy(v) for v in (plain, overwritten)],
                len(optimizer.variables))

    (ours, our_count), (theirs, their_count) = apply(hocsau), apply(keras)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
    np.testing.assert_array_equal(ours[1], [5.0, -1.0, 0.5])
    np.testing.assert_array_equal(theirs[1], ours[1])
    assert our_count == their_count == 4  # iteration, learning rate, plain's two moments


def test_the_attribute_is_checked_and_kept_by_copies():
    variable = hocsau.Variable(np.zeros(2, "float32"))
    assert variable.overwrite_with_gradient is False
    with pytest.raises(TypeError, match="must be a boolean. Received: 1"):
        variable.overwrite_with_gradient = 1
    variable.overwrite_with_gradient = True
    assert copy.deepcopy(variable).overwrite_with_gradient
    assert pickle.loads(pickle.dumps(variable)).overwrite_with_gradient


def test_files_cross_both_ways_and_training_goes_on(pair, data, tmp_path):
    reference, model = pair
    reference.compile(keras.optimizers.Adam(0.01), "mse")
    model.compile(hocsau.optimizers.Adam(0.01), "mse")
    reference.train_on_batch(*data)
    model.train_on_batch(*data)
    model.save(tmp_path / "ours.keras")
    reference.save(tmp_path / "theirs.keras")
    theirs = keras.saving.load_model(tmp_path / "ours.keras")
    ours = hocsau.saving.load_model(tmp_path / "theirs.keras")
    for loaded in (ours, theirs):  # loaded layers create the scales before the kernel
        assert [w.name for w in loaded.layers[0].weights] == SCALES + ["kernel", "bias"]
        assert [w.name for w in loaded.layers[0].weights if w.overwrite_with_gradient] == SCALES
    assert len(ours.optimizer.variables) == len(theirs.optimizer.variables)
    for step in range(2):
        theirs.train_on_batch(*data)
        ours.train_on_batch(*data)
        assert_same_weights(theirs, ours, step)


def test_loss_scale_optimizer_does_not_unscale_the_overwritten_values(pair, data):
    reference, model = pair
    reference.compile(keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.01)), "mse")
    model.compile(hocsau.optimizers.LossScaleOptimizer(hocsau.optimizers.SGD(0.01)), "mse")
    for step in range(2):
        reference.train_on_batch(*data)
        model.train_on_batch(*data)
        assert_same_weights(reference, model, step)
    assert model.layers[0].kernel_scale.numpy() != 1.0


def test_einsum_dense_scales_train_as_keras():
    def projection(lib):
        return lib.Sequential([lib.Input((5, 4)), lib.layers.EinsumDense(
            "abc,cde->abde", output_shape=(5, 2, 3), bias_axes="de")])

    reference, model = float8_pair(projection)
    assert (len(model.trainable_weights), len(model.non_trainable_weights)) == (
        len(reference.trainable_weights), len(reference.non_trainable_weights)) == (8, 0)
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(3, 5, 4)).astype("float32"), rng.normal(size=(3, 5, 2, 3))
    reference.compile(keras.optimizers.Adam(0.01), "mse")
    model.compile(hocsau.optimizers.Adam(0.01), "mse")
    for step in range(3):
        reference.train_on_batch(x, y.astype("float32"))
        model.train_on_batch(x, y.astype("float32"))
        assert_same_weights(reference, model, step)
    assert slots(model.optimizer) == slots(reference.optimizer)
