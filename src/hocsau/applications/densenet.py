"""DenseNet121, DenseNet169 and DenseNet201 (Huang et al., "Densely Connected Convolutional
Networks", CVPR 2017), layer for layer as `keras.applications.densenet`, so Keras's ImageNet
weight files load into them."""

from __future__ import annotations

from hocsau import layers
from hocsau.applications import _application as app
from hocsau.applications.imagenet_utils import decode_predictions

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"

# md5 of densenet<depth>_weights_tf_dim_ordering_tf_kernels.h5 and of its _notop.h5.
WEIGHTS_HASHES = {
    121: ("9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    169: ("d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    201: ("1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}

# How Keras's DenseNet and NASNet word the `weights` and `classes` errors.
MESSAGES = (app.weights_message(), 'If using `weights` as `"imagenet"` with `include_top` as '
            "true, `classes` should be 1000")

# Batch normalization epsilon of every DenseNet layer (the value the released weights use).
BN_EPSILON = 1.001e-5
GROWTH_RATE = 32


def _bn_relu(x, name: str):
    """Batch normalization "<name>_bn" then ReLU "<name>_relu"."""
    x = layers.BatchNormalization(axis=app.channel_axis(), epsilon=BN_EPSILON,
                                  name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def conv_block(x, growth_rate: int, name: str):
    """BN-ReLU-1x1 bottleneck to `4 * growth_rate` channels, BN-ReLU-3x3 to `growth_rate`,
    concatenated to the input."""
    y = _bn_relu(x, f"{name}_0")
    y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = _bn_relu(y, f"{name}_1")
    y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    return layers.Concatenate(axis=app.channel_axis(), name=f"{name}_concat")([x, y])


def dense_block(x, blocks: int, name: str):
    """`blocks` conv blocks named `<name>_block1`, `<name>_block2`, ..."""
    for i in range(1, blocks + 1):
        x = conv_block(x, GROWTH_RATE, name=f"{name}_block{i}")
    return x


def transition_block(x, reduction: float, name: str):
    """BN-ReLU, a 1x1 convolution keeping `reduction` of the channels, 2x2 average pooling."""
    x = _bn_relu(x, name)
    filters = int(x.shape[app.channel_axis()] * reduction)
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def _backbone(blocks: tuple):
    """Stem, four dense blocks (conv2..conv5) joined by transitions, final BN-ReLU."""

    def backbone(img_input):
        x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
        x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
        x = _bn_relu(x, "conv1")
        x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
        x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
        for stage, count in enumerate(blocks[:-1], start=2):
            x = dense_block(x, count, name=f"conv{stage}")
            x = transition_block(x, 0.5, name=f"pool{stage}")
        x = dense_block(x, blocks[-1], name="conv5")
        x = layers.BatchNormalization(axis=app.channel_axis(), epsilon=BN_EPSILON, name="bn")(x)
        return layers.Activation("relu", name="relu")(x)

    return backbone


FAMILIES = {depth: app.Family(default_size=224, min_size=32, base_url=BASE_WEIGHTS_PATH,
                              files=app.tf_kernels_files(f"densenet{depth}", file_hashes),
                              messages=MESSAGES, channels_last_only="DenseNet",
                              named_pooling=True)
            for depth, file_hashes in WEIGHTS_HASHES.items()}


def _variant(depth: int, blocks: tuple):
    """The public constructor of one DenseNet depth, with Keras's signature and files."""
    return app.constructor(f"DenseNet{depth}", FAMILIES[depth], _backbone(blocks),
                           f"densenet{depth}", {
        "paper": "Densely Connected Convolutional Networks, CVPR 2017", "module": "densenet",
        "preprocessing": "pixels scaled to [0, 1], then each channel standardized with "
                         "ImageNet's mean and standard deviation"})


DenseNet121 = _variant(121, (6, 12, 24, 16))
DenseNet169 = _variant(169, (6, 12, 32, 32))
DenseNet201 = _variant(201, (6, 12, 48, 32))


preprocess_input = app.preprocessor("torch")


__all__ = ["DenseNet121", "DenseNet169", "DenseNet201", "decode_predictions",
           "preprocess_input"]
