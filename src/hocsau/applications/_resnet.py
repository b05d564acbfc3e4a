"""The ResNet network shared by ResNet (v1) and ResNetV2, layer for layer as Keras builds it:
stem, four stages of bottleneck blocks, then the classifier or the feature pooling."""

from __future__ import annotations

from hocsau import config, layers
from hocsau.applications import _application as app
from hocsau.applications import imagenet_utils
from hocsau.applications._vgg import MESSAGES

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"

# md5 of <name>_weights_tf_dim_ordering_tf_kernels.h5 and of its _notop.h5, as Keras checks
# them (ResNeXt's are Keras's too, though Keras 3 ships no ResNeXt model).
WEIGHTS_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
    "resnext50": ("67a5b30d522ed92f75a1f16eef299d1a", "62527c363bdd9ec598bed41947b379fc"),
    "resnext101": ("34fb605428fcc7aa4d62f44404c11509", "0f678c91647380debd923963594981b3"),
}

# Batch normalization epsilon of every ResNet layer (the value the released weights use).
BN_EPSILON = 1.001e-5

_DOCS = {
    False: {"paper": "Deep Residual Learning for Image Recognition, CVPR 2015",
            "module": "resnet", "preprocessing": "RGB to BGR, then ImageNet's channel means "
            "subtracted, no scaling"},
    True: {"paper": "Identity Mappings in Deep Residual Networks, ECCV 2016",
           "module": "resnet_v2", "preprocessing": "pixels scaled to [-1, 1]"},
}


def batch_norm(name: str):
    """The batch normalization every ResNet layer uses, over the channel axis."""
    return layers.BatchNormalization(axis=app.channel_axis(), epsilon=BN_EPSILON, name=name)


def _build(stack, blocks: tuple, strides: tuple, preact: bool, weights_name: str, *,
           include_top, weights, input_tensor, input_shape, pooling, classes,
           classifier_activation, name):
    """Stem, `stack(x, filters, blocks, stride1, name)` for the stages conv2..conv5 (with
    `blocks` blocks of 64..512 filters, `strides` in their strided block), then the top."""
    app.check_arguments(weights, include_top, classes, classifier_activation, MESSAGES)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=config.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = app.image_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    if not preact:
        x = batch_norm("conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for stage, (filters, count, stride) in enumerate(
            zip((64, 128, 256, 512), blocks, strides, strict=True), start=2):
        x = stack(x, filters, count, stride1=stride, name=f"conv{stage}")
    if preact:
        x = batch_norm("post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    x = app.head(x, include_top, pooling, 0.0, classes, classifier_activation,
                 kernel_initializer="glorot_uniform")
    model = app.functional(img_input, input_tensor, x, name)
    suffix, file_hash = (".h5", WEIGHTS_HASHES[weights_name][0]) if include_top else (
        "_notop.h5", WEIGHTS_HASHES[weights_name][1])
    app.load_weights(model, weights, f"{weights_name}_weights_tf_dim_ordering_tf_kernels"
                     f"{suffix}", BASE_WEIGHTS_PATH, file_hash)
    return model


def variant(function_name: str, stack, blocks: tuple, strides: tuple, preact: bool):
    """The public constructor of one ResNet depth, with Keras's signature and model name."""
    weights_name = function_name.lower()

    def build(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax", name=weights_name):
        return _build(stack, blocks, strides, preact, weights_name, include_top=include_top,
                      weights=weights, input_tensor=input_tensor, input_shape=input_shape,
                      pooling=pooling, classes=classes,
                      classifier_activation=classifier_activation, name=name)

    build.__name__ = build.__qualname__ = function_name
    build.__doc__ = app.DOC.format(name=function_name, size=224, min_size=32, **_DOCS[preact])
    return build
