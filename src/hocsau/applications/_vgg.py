"""The VGG network (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale
Image Recognition", ICLR 2015) shared by VGG16 and VGG19, layer for layer as Keras builds it."""

from __future__ import annotations

from hocsau import config, layers
from hocsau.applications import _application as app
from hocsau.applications import imagenet_utils

# How Keras's VGG (and ResNet) word the `weights` and `classes` errors.
MESSAGES = (
    "The `weights` argument should be either `None` (random initialization), 'imagenet' "
    "(pre-training on ImageNet), or the path to the weights file to be loaded.  "
    "Received: weights={weights}",
    "If using `weights='imagenet'` with `include_top=True`, `classes` should be 1000.  "
    "Received classes={classes}",
)

_BLOCK_FILTERS = (64, 128, 256, 512, 512)

DOC = app.doc("""Instantiates the {name} model (VGG, ICLR 2015).

Inputs are expected preprocessed by `hocsau.applications.{module}.preprocess_input` (RGB to
BGR, ImageNet channel means subtracted, no scaling).

Args:
    include_top: Whether to end with the three fully-connected layers (fc1, fc2,
        "predictions").
    {weights_args}
    input_shape: Optional shape tuple, only to be given with `include_top=False` (the
        classifier needs 224x224x3); 3 channels, height and width of at least 32.
    {head_args}
""")


def build_vgg(convs_per_block: tuple, base_url: str, files: tuple, *, include_top, weights,
              input_tensor, input_shape, pooling, classes, classifier_activation, name):
    """The VGG network with `convs_per_block` 3x3 convolutions in each of its five blocks.

    `files` holds the ImageNet weight files under `base_url`: `(name, md5)` with the top,
    then without.
    """
    app.check_arguments(weights, include_top, classes, classifier_activation, MESSAGES)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=config.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = app.image_input(input_tensor, input_shape)
    x = img_input
    for block, (filters, convs) in enumerate(
            zip(_BLOCK_FILTERS, convs_per_block, strict=True), start=1):
        for conv in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{conv}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = app.pool(x, pooling, named=False)
    model = app.functional(img_input, input_tensor, x, name)
    file_name, file_hash = files[0] if include_top else files[1]
    app.load_weights(model, weights, file_name, base_url, file_hash)
    return model
