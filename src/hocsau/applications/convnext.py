"""ConvNeXt Tiny, Small, Base, Large and XLarge (Liu et al., "A ConvNet for the 2020s", CVPR
2022), layer for layer as `keras.applications.convnext`, so Keras's ImageNet weight files load
into them: the models, their LayerScale and StochasticDepth layers, and class decoding."""

from __future__ import annotations

import numpy as np
import torch

from hocsau import initializers, layers
from hocsau.applications import _application as app
from hocsau.applications.imagenet_utils import decode_predictions, validate_activation
from hocsau.applications.inception_resnet_v2 import MESSAGES
from hocsau.layers.layer import Layer
from hocsau.models.sequential import Sequential
from hocsau.saving.serialization import keras_class

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"

# sha256 of <name>.h5 and <name>_notop.h5, as Keras checks them.
WEIGHTS_HASHES = {
    "convnext_tiny": ("8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
                      "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "convnext_small": ("ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
                       "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "convnext_base": ("52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
                      "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "convnext_large": ("070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
                       "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "convnext_xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
                        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}

MODEL_CONFIGS = {
    size: {"depths": depths, "projection_dims": dims, "default_size": 224}
    for size, depths, dims in (("tiny", [3, 3, 9, 3], [96, 192, 384, 768]),
                               ("small", [3, 3, 27, 3], [96, 192, 384, 768]),
                               ("base", [3, 3, 27, 3], [128, 256, 512, 1024]),
                               ("large", [3, 3, 27, 3], [192, 384, 768, 1536]),
                               ("xlarge", [3, 3, 27, 3], [256, 512, 1024, 2048]))
}

FAMILY = app.Family(default_size=224, min_size=32, base_url=BASE_WEIGHTS_PATH,
                    messages=MESSAGES, channels_last_only="ConvNeXt")

# ImageNet's channel statistics on the [0, 255] scale, the models' built-in preprocessing.
_MEAN = [0.485 * 255, 0.456 * 255, 0.406 * 255]
_VARIANCE = [(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2]
_EPSILON = 1e-6

_DOC = app.doc("""Instantiates the {name} architecture (ConvNeXt, CVPR 2022).

With `include_preprocessing` (the default) the model normalizes its inputs itself: it expects
float pixels in [0, 255], so `hocsau.applications.convnext.preprocess_input` passes inputs
through unchanged. Channels-last data only.

Args:
    include_top: Whether to end with the classifier ("<name>_head_gap", "_head_layernorm",
        "_head_dense").
    include_preprocessing: Whether to start with the ImageNet Normalization layer (only
        applied to 3-channel inputs).
    {weights_args}
    input_shape: Optional shape tuple, only to be given with `include_top=False` (the
        ImageNet classifier needs 224x224x3); height and width of at least 32.
    pooling: With `include_top=False`: None (4D feature maps), "avg" or "max" (global
        pooling to a 2D tensor), followed by layer normalization.
    classes: Number of classes, only without ImageNet weights (default 1000).
    classifier_activation: Activation of the head's Dense layer; None gives logits. Only
        None or "softmax" with pretrained weights.
    name: The model's name; it prefixes the layer names and, with ImageNet weights, names
        the weight file, so it must then contain "{weights_name}".

Returns:
    A functional `Model`.
""")


@keras_class("keras.src.applications.convnext")
class StochasticDepth(Layer):
    """Drops whole samples of a residual branch at `drop_path_rate` in training, scaling the
    kept ones by `1 / (1 - drop_path_rate)`; the identity in inference."""

    def __init__(self, drop_path_rate: float, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        if not training:
            return x
        keep_prob = 1 - self.drop_path_rate
        shape = (x.shape[0],) + (1,) * (x.dim() - 1)
        kept = torch.floor(keep_prob + torch.rand(shape, dtype=x.dtype, device=x.device))
        return x / keep_prob * kept

    def get_config(self) -> dict:
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate}


@keras_class("keras.src.applications.convnext")
class LayerScale(Layer):
    """Multiplies each of the `projection_dim` channels by a learned factor, starting at
    `init_values` (a small value, so residual branches start near zero)."""

    def __init__(self, init_values: float, projection_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape):
        self.gamma = self.add_weight(shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values),
                                     trainable=True)

    def call(self, x):
        return x * self.gamma

    def get_config(self) -> dict:
        return {**super().get_config(), "init_values": self.init_values,
                "projection_dim": self.projection_dim}


def _block(x, projection_dim: int, drop_path_rate: float, layer_scale_init_value, name: str):
    """The ConvNeXt block: 7x7 depthwise convolution, layer normalization, an inverted
    bottleneck of Dense layers (4x, GELU), layer scale, stochastic depth, plus the input."""
    inputs = x
    x = layers.Conv2D(projection_dim, kernel_size=7, padding="same", groups=projection_dim,
                      name=f"{name}_depthwise_conv")(x)
    x = layers.LayerNormalization(epsilon=_EPSILON, name=f"{name}_layernorm")(x)
    x = layers.Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(x)
    x = layers.Activation("gelu", name=f"{name}_gelu")(x)
    x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
    if layer_scale_init_value is not None:
        x = LayerScale(layer_scale_init_value, projection_dim, name=f"{name}_layer_scale")(x)
    if drop_path_rate:
        last = StochasticDepth(drop_path_rate, name=f"{name}_stochastic_depth")
    else:
        last = layers.Activation("linear", name=f"{name}_identity")
    return inputs + last(x)


def _downsampling(projection_dims, name: str) -> list:
    """The patchifying stem and the three downsampling steps between stages."""
    stem = Sequential([
        layers.Conv2D(projection_dims[0], kernel_size=4, strides=4, name=f"{name}_stem_conv"),
        layers.LayerNormalization(epsilon=_EPSILON, name=f"{name}_stem_layernorm"),
    ], name=f"{name}_stem")
    return [stem] + [Sequential([
        layers.LayerNormalization(epsilon=_EPSILON, name=f"{name}_downsampling_layernorm_{i}"),
        layers.Conv2D(projection_dims[i + 1], kernel_size=2, strides=2,
                      name=f"{name}_downsampling_conv_{i}"),
    ], name=f"{name}_downsampling_block_{i}") for i in range(3)]


def _stages(x, depths, projection_dims, drop_path_rate: float, layer_scale_init_value,
            name: str):
    """Four stages of blocks, each after its downsampling; the stochastic depth rate grows
    linearly over all blocks."""
    rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    for stage, downsampling in enumerate(_downsampling(projection_dims, name)):
        x = downsampling(x)
        for j in range(depths[stage]):
            x = _block(x, projection_dims[stage], rates.pop(0), layer_scale_init_value,
                       f"{name}_stage_{stage}_block_{j}")
    return x


def _top(x, include_top: bool, pooling, classes: int, classifier_activation, name: str):
    """The head (pooling, layer normalization, Dense) or the pooled, normalized features."""
    if include_top:
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=_EPSILON, name=f"{name}_head_layernorm")(x)
        return layers.Dense(classes, activation=classifier_activation,
                            name=f"{name}_head_dense")(x)
    return layers.LayerNormalization(epsilon=_EPSILON)(app.pool(x, pooling, named=False))


def _convnext(config: dict, weights_name: str, *, include_top, include_preprocessing, weights,
              input_tensor, input_shape, pooling, classes, classifier_activation, name,
              drop_path_rate: float = 0.0, layer_scale_init_value=1e-6):
    """A ConvNeXt of `config`'s depths and widths, as Keras's generic `ConvNeXt` builds it;
    ImageNet weights are those of `weights_name`, which `name` must contain."""
    img_input, input_shape = app.prepare_input(FAMILY, weights, include_top, classes,
                                               input_tensor, input_shape)
    x = img_input
    if include_preprocessing and input_shape[app.channel_axis() - 1] == 3:
        x = layers.Normalization(mean=_MEAN, variance=_VARIANCE,
                                 name=f"{name}_prestem_normalization")(x)
    x = _stages(x, config["depths"], config["projection_dims"], drop_path_rate,
                layer_scale_init_value, name)
    if include_top:
        validate_activation(classifier_activation, weights)
    x = _top(x, include_top, pooling, classes, classifier_activation, name)
    model = app.functional(img_input, input_tensor, x, name)
    if weights == "imagenet" and weights_name not in name:
        raise ValueError(f'Model name "{name}" does not match weights variant "{weights_name}". '
                         "When using imagenet weights, model name must contain the weights "
                         f'variant (e.g., "{weights_name}").')
    suffix = ".h5" if include_top else "_notop.h5"
    file_hash = WEIGHTS_HASHES.get(weights_name, (None, None))[0 if include_top else 1]
    app.load_weights(model, weights, name + suffix, BASE_WEIGHTS_PATH, file_hash)
    return model


def _variant(function_name: str, size: str):
    """The public constructor of one ConvNeXt size, with Keras's signature."""
    weights_name = f"convnext_{size}"

    def build(include_top=True, include_preprocessing=True, weights="imagenet",
              input_tensor=None, input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name=weights_name):
        return _convnext(MODEL_CONFIGS[size], weights_name, include_top=include_top,
                         include_preprocessing=include_preprocessing, weights=weights,
                         input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
                         classes=classes, classifier_activation=classifier_activation,
                         name=name)

    build.__name__ = build.__qualname__ = function_name
    build.__doc__ = _DOC.format(name=function_name, weights_name=weights_name)
    return build


ConvNeXtTiny = _variant("ConvNeXtTiny", "tiny")
ConvNeXtSmall = _variant("ConvNeXtSmall", "small")
ConvNeXtBase = _variant("ConvNeXtBase", "base")
ConvNeXtLarge = _variant("ConvNeXtLarge", "large")
ConvNeXtXLarge = _variant("ConvNeXtXLarge", "xlarge")


preprocess_input = app.preprocessor(None)


__all__ = ["ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtSmall", "ConvNeXtTiny", "ConvNeXtXLarge",
           "LayerScale", "StochasticDepth", "decode_predictions", "preprocess_input"]
