"""keras.io example "Involutional neural networks" (keras-io examples/vision/involution.py),
adapted to random 8x8 CIFAR-like images: the `Involution` layer that builds its sublayers in
`build` (AveragePooling2D when strided, a Sequential kernel generator with Conv2D,
BatchNormalization and ReLU, Reshape layers) and returns `(output, kernel)`, the example's
convolution Sequential (with `input_shape=` on its first layer) and involution functional
model, both trained on batches from a PyDataset, and the visualisation model built from
`get_layer(name).output` pairs whose nested predictions are unpacked as the example does.

The example is written with TensorFlow ops; they are replaced by their keras.ops equivalents
(`ops.image.extract_patches(..., padding="same")`, `ops.multiply`, `ops.sum`, an Identity
layer for `tf.identity`), as a Keras 3 program would. The tf.data batches become a
PyDataset."""

import numpy as np
import pytest
from guide_helpers import assert_nested_close, layer_weights, set_layer_weights

import hocsau

pytestmark = pytest.mark.filterwarnings(
    "ignore:Do not pass an `input_shape`:UserWarning")


def define_involution(keras):
    ops = keras.ops

    class Involution(keras.layers.Layer):
        def __init__(self, channel, group_number, kernel_size, stride, reduction_ratio,
                     name):
            super().__init__(name=name)
            self.channel = channel
            self.group_number = group_number
            self.kernel_size = kernel_size
            self.stride = stride
            self.reduction_ratio = reduction_ratio

        def build(self, input_shape):
            (_, height, width, num_channels) = input_shape
            height = height // self.stride
            width = width // self.stride
            self.stride_layer = (
                keras.layers.AveragePooling2D(pool_size=self.stride, strides=self.stride,
                                              padding="same")
                if self.stride > 1 else keras.layers.Identity())
            self.kernel_gen = keras.Sequential([
                keras.layers.Conv2D(filters=self.channel // self.reduction_ratio,
                                    kernel_size=1),
                keras.layers.BatchNormalization(),
                keras.layers.ReLU(),
                keras.layers.Conv2D(
                    filters=self.kernel_size * self.kernel_size * self.group_number,
                    kernel_size=1),
            ])
            self.kernel_reshape = keras.layers.Reshape(target_shape=(
                height, width, self.kernel_size * self.kernel_size, 1, self.group_number))
            self.input_patches_reshape = keras.layers.Reshape(target_shape=(
                height, width, self.kernel_size * self.kernel_size,
                num_channels // self.group_number, self.group_number))
            self.output_reshape = keras.layers.Reshape(
                target_shape=(height, width, num_channels))

        def call(self, x):
            kernel_input = self.stride_layer(x)
            kernel = self.kernel_gen(kernel_input)
            kernel = self.kernel_reshape(kernel)
            input_patches = ops.image.extract_patches(
                x, size=(self.kernel_size, self.kernel_size),
                strides=(self.stride, self.stride), dilation_rate=1, padding="same")
            input_patches = self.input_patches_reshape(input_patches)
            output = ops.multiply(kernel, input_patches)
            output = ops.sum(output, axis=3)
            output = self.output_reshape(output)
            return output, kernel

    return Involution


def conv_model(keras):
    return keras.Sequential([
        keras.layers.Conv2D(4, (3, 3), input_shape=(8, 8, 3), padding="same"),
        keras.layers.ReLU(name="relu1"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(8, (3, 3), padding="same"),
        keras.layers.ReLU(name="relu2"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(8, (3, 3), padding="same"),
        keras.layers.ReLU(name="relu3"),
        keras.layers.Flatten(),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(10),
    ])


def inv_model(keras):
    Involution = define_involution(keras)
    inputs = keras.Input(shape=(8, 8, 3))
    x, _ = Involution(channel=3, group_number=1, kernel_size=3, stride=1, reduction_ratio=2,
                      name="inv_1")(inputs)
    x = keras.layers.ReLU()(x)
    x = keras.layers.MaxPooling2D((2, 2))(x)
    x, _ = Involution(channel=3, group_number=1, kernel_size=3, stride=1, reduction_ratio=2,
                      name="inv_2")(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.MaxPooling2D((2, 2))(x)
    x, _ = Involution(channel=3, group_number=1, kernel_size=3, stride=1, reduction_ratio=2,
                      name="inv_3")(x)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(16, activation="relu")(x)
    outputs = keras.layers.Dense(10)(x)
    return keras.Model(inputs=[inputs], outputs=[outputs], name="inv_model")


def define_batches(keras):
    class Batches(keras.utils.PyDataset):
        def __init__(self, images, labels, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.images, self.labels, self.batch_size = images, labels, batch_size

        def __len__(self):
            return -(-len(self.images) // self.batch_size)

        def __getitem__(self, idx):
            rows = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
            return self.images[rows], self.labels[rows]

    return Batches


def data():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (40, 8, 8, 3)) / 255.0
    labels = rng.integers(0, 10, (40, 1))
    return images[:32], labels[:32], images[32:], labels[32:]


def layer_shapes(keras):
    """The example's three checks of the layer alone (stride 1, stride 2, 16 channels)."""
    Involution = define_involution(keras)
    input_tensor = keras.random.normal((2, 8, 8, 3))
    shapes = []
    for channel, stride, ratio, name in ((3, 1, 1, "inv_a"), (3, 2, 1, "inv_b"),
                                         (16, 1, 2, "inv_c")):
        output_tensor, kernel = Involution(channel=channel, group_number=1, kernel_size=5,
                                           stride=stride, reduction_ratio=ratio,
                                           name=name)(input_tensor)
        shapes.append((tuple(output_tensor.shape), tuple(kernel.shape)))
    return shapes


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    train_images, train_labels, test_images, test_labels = data()
    Batches = define_batches(keras)
    train_ds, test_ds = (Batches(train_images, train_labels, 32),
                         Batches(test_images, test_labels, 16))
    models = {"conv": conv_model(keras), "inv": inv_model(keras)}
    if weights is not None:
        for key, model in models.items():
            set_layer_weights(model, weights[key])
    result = {"initial": {key: layer_weights(m) for key, m in models.items()},
              "shapes": layer_shapes(keras)}
    for key, model in models.items():
        result[f"{key}_before"] = model.predict(test_images, verbose=0)
        model.compile(optimizer="adam",
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
        result[key] = model.fit(train_ds, epochs=3, validation_data=test_ds,
                                verbose=0).history
        result[f"{key}_params"] = model.count_params()
    inv = models["inv"]
    outputs = [inv.get_layer(name).output for name in ["inv_1", "inv_2", "inv_3"]]
    vis_model = keras.Model(inv.input, outputs)
    (inv1_out, inv2_out, inv3_out) = vis_model.predict(test_images[0][None, ...], verbose=0)
    kernels = [out[1] for out in (inv1_out, inv2_out, inv3_out)]
    result["kernel_maps"] = [np.sum(kernel, axis=(-1, -2, -3)) for kernel in kernels]
    result["image"] = keras.preprocessing.image.array_to_img(test_images[0]).size
    return result


def check(result):
    assert result["shapes"] == [((2, 8, 8, 3), (2, 8, 8, 25, 1, 1)),
                                ((2, 4, 4, 3), (2, 4, 4, 25, 1, 1)),
                                ((2, 8, 8, 3), (2, 8, 8, 25, 1, 1))]
    for key in ("conv", "inv"):
        history = result[key]
        assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
        assert history["loss"][-1] < history["loss"][0]
        assert result[f"{key}_before"].shape == (8, 10)
    assert result["inv_params"] < result["conv_params"]
    assert [m.shape for m in result["kernel_maps"]] == [(1, 8, 8), (1, 4, 4), (1, 2, 2)]
    assert result["image"] == (8, 8)


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_training_as_keras(real_keras):
    """One training batch an epoch (fit shuffles PyDataset batches with each library's own
    generator) and nothing random in the models, so predictions,
    losses, accuracies and the visualised kernels agree (the kernels to 1e-4: Adam's
    normalised steps turn float32 rounding of near-zero gradients into visible moves)."""
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    for key in ("conv_before", "inv_before", "conv", "inv", "conv_params", "inv_params"):
        assert_nested_close(ours[key], theirs[key], rtol=1e-4, atol=1e-5, path=key)
    assert_nested_close(ours["kernel_maps"], theirs["kernel_maps"], rtol=1e-3, atol=1e-4)
