"""What InceptionV3 and InceptionResNetV2 are both made of, as Keras builds them: the
convolution-BN-ReLU unit, the shared stem, and "mixed" blocks of parallel branches.

A branch is written as a sequence of steps, applied in order:
- `(filters, kernel_size)` or `(filters, kernel_size, strides, padding)`: a `conv_bn`;
- `"avg"`: 3x3 average pooling, stride 1, "same" padding;
- `"max"`: 3x3 max pooling, stride 2, "valid" padding;
- `("split", filters, name)`: 1x3 and 3x1 `conv_bn`s side by side, concatenated as `name`.
"""

from __future__ import annotations

from hocsau import layers
from hocsau.applications._application import channel_axis

STEM = ((32, 3, 2, "valid"), (32, 3, 1, "valid"), (64, 3), "max", (80, 1, 1, "valid"),
        (192, 3, 1, "valid"), "max")


def conv_bn(x, filters: int, kernel_size, strides=1, padding: str = "same", *,
            activation="relu", use_bias: bool = False, names: tuple = (None, None, None)):
    """Convolution, batch normalization without scale (skipped with a bias), activation
    (skipped when None); `names` names the three layers (None: auto-named)."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                      use_bias=use_bias, name=names[0])(x)
    if not use_bias:
        x = layers.BatchNormalization(axis=channel_axis(), scale=False, name=names[1])(x)
    if activation is not None:
        x = layers.Activation(activation, name=names[2])(x)
    return x


def branch(x, steps):
    """The steps of one branch (see the module's docstring) applied to `x`."""
    for step in steps:
        if step == "avg":
            x = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
        elif step == "max":
            x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
        elif step[0] == "split":
            x = layers.Concatenate(axis=channel_axis(), name=step[2])(
                [conv_bn(x, step[1], (1, 3)), conv_bn(x, step[1], (3, 1))])
        else:
            x = conv_bn(x, *step)
    return x


def mixed(x, branches, name: str | None):
    """The branches, built in order from `x`, concatenated along channels as `name`."""
    outputs = [branch(x, steps) for steps in branches]
    return layers.Concatenate(axis=channel_axis(), name=name)(outputs)
