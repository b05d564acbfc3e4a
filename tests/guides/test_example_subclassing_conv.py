"""keras.io example "Customizing the convolution operation of a Conv2D layer" (keras-io
examples/keras_recipes/subclassing_conv_layers.py), adapted to 12x12 random images, 3 classes
and fewer filters: weight-standardized convolutions written once as a Conv2D subclass
overriding `call` (calling `ops.conv` on the standardized kernel, then adding `self.bias`) and
once as a mixin overriding `convolution_op(inputs, kernel)`, inside a Sequential model with
MaxPooling2D, Dropout and a softmax Dense, compiled with categorical_crossentropy/adam/accuracy
and fit with validation_split."""

import numpy as np
from guide_helpers import assert_nested_close

import hocsau

NUM_CLASSES = 3
INPUT_SHAPE = (12, 12, 1)


def define(keras):
    layers, ops = keras.layers, keras.ops

    class StandardizedConvMixin:
        def convolution_op(self, inputs, kernel):
            mean, var = ops.moments(kernel, axes=[0, 1, 2], keepdims=True)
            return ops.conv(
                inputs,
                (kernel - mean) / ops.sqrt(var + 1e-10),
                padding="valid",
                strides=list(self.strides),
                dilation_rate=list(self.dilation_rate),
            )

    class StandardizedConv2DWithCall(layers.Conv2D):
        def call(self, inputs):
            mean, var = ops.moments(self.kernel, axes=[0, 1, 2], keepdims=True)
            result = ops.conv(
                inputs,
                (self.kernel - mean) / ops.sqrt(var + 1e-10),
                padding="valid",
                strides=list(self.strides),
                dilation_rate=list(self.dilation_rate),
            )
            if self.use_bias:
                result = result + self.bias
            return result

    class StandardizedConv2DWithOverride(StandardizedConvMixin, layers.Conv2D):
        pass

    return StandardizedConv2DWithCall, StandardizedConv2DWithOverride


def data(keras):
    rng = np.random.default_rng(0)
    x = rng.random((60, *INPUT_SHAPE)).astype("float32")
    labels = (x[:, :6].mean(axis=(1, 2, 3)) * 30).astype(int) % NUM_CLASSES
    return x, keras.utils.to_categorical(labels, NUM_CLASSES)


def program(keras, weights=None):
    keras.utils.set_random_seed(0)
    WithCall, WithOverride = define(keras)
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            WithCall(4, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            WithOverride(8, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ]
    )
    if weights is not None:
        model.set_weights(weights)
    initial = model.get_weights()
    x, y = data(keras)
    untrained = model.predict(x, verbose=0)
    standardized = model.layers[2](model.layers[1](model.layers[0](x[:2])))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=2, validation_split=0.1, verbose=0)
    return {"initial": initial, "untrained": untrained, "standardized": standardized,
            "history": history.history, "output_shape": model.output_shape,
            "shapes": [layer.output.shape for layer in model.layers[:4]]}


def check(result):
    assert set(result["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert result["output_shape"] == (None, NUM_CLASSES)
    assert [tuple(shape) for shape in result["shapes"]] == [
        (None, 10, 10, 4), (None, 5, 5, 4), (None, 3, 3, 8), (None, 1, 1, 8)]
    np.testing.assert_allclose(result["untrained"].sum(axis=1), 1.0, rtol=1e-5)


def test_program_on_keras(real_keras):
    check(program(real_keras))


def test_program_on_hocsau():
    check(program(hocsau))


def test_same_weights_same_outputs_as_keras(real_keras):
    theirs = program(real_keras)
    ours = program(hocsau, weights=theirs["initial"])
    assert_nested_close(ours["untrained"], theirs["untrained"], rtol=1e-5, atol=1e-6)
    assert_nested_close(ours["standardized"], theirs["standardized"], rtol=1e-5, atol=1e-5)
