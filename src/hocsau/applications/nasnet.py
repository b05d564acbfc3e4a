"""NASNetMobile and NASNetLarge (Zoph et al., "Learning Transferable Architectures for Scalable
Image Recognition", CVPR 2018), layer for layer as `keras.applications.nasnet`, so Keras's
ImageNet weight files load into them.

A NASNet-A network is a strided stem and three stages of "normal" cells, the stages joined by
(strided) "reduction" cells. Each cell reads the two previous cells' outputs: `ip` (the last)
and `p` (the one before), which `_adjust_block` first brings to the cell's size and width.
"""

from __future__ import annotations

from hocsau import layers
from hocsau.applications import _application as app
from hocsau.applications import imagenet_utils
from hocsau.applications.densenet import MESSAGES
from hocsau.applications.imagenet_utils import decode_predictions
from hocsau.backend.name_scope import name_scope

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
NASNET_MOBILE_WEIGHT_PATH = f"{BASE_WEIGHTS_PATH}NASNet-mobile.h5"
NASNET_MOBILE_WEIGHT_PATH_NO_TOP = f"{BASE_WEIGHTS_PATH}NASNet-mobile-no-top.h5"
NASNET_LARGE_WEIGHT_PATH = f"{BASE_WEIGHTS_PATH}NASNet-large.h5"
NASNET_LARGE_WEIGHT_PATH_NO_TOP = f"{BASE_WEIGHTS_PATH}NASNet-large-no-top.h5"

# (cached name, name under BASE_WEIGHTS_PATH, md5) of the weights with and without the top.
WEIGHTS_FILES = {
    "mobile": (("nasnet_mobile.h5", "NASNet-mobile.h5", "020fb642bf7360b370c678b08e0adf61"),
               ("nasnet_mobile_no_top.h5", "NASNet-mobile-no-top.h5",
                "1ed92395b5b598bdda52abe5c0dbfd63")),
    "large": (("nasnet_large.h5", "NASNet-large.h5", "11577c9a518f0070763c2b964a382f17"),
              ("nasnet_large_no_top.h5", "NASNet-large-no-top.h5",
               "d81d89dc07e6e56530c4e77faddd61b5")),
}

_DOC = app.doc("""Instantiates the {name} architecture (NASNet-A, CVPR 2018).

Inputs are expected preprocessed by `hocsau.applications.nasnet.preprocess_input` (pixels
scaled to [-1, 1]). Channels-last data only.

Args:
    input_shape: Optional shape tuple, only to be given with `include_top=False` (the
        ImageNet classifier needs {size}x{size}x3; {no_top_shape} without it). Height and
        width of at least 32, static (no None) with ImageNet weights.
    include_top: Whether to end with the classifier (average pooling, Dense "predictions").
    {weights_args}
    {head_args}
""")


def _batch_norm(x, name: str | None):
    return layers.BatchNormalization(axis=-1, momentum=0.9997, epsilon=1e-3, name=name)(x)


def _relu(x, name: str | None = None):
    return layers.Activation("relu", name=name)(x)


def _conv_bn(x, filters: int, conv_name: str, bn_name: str, relu_name: str | None = None):
    """ReLU, bias-free 1x1 convolution (He-normal), batch normalization."""
    x = layers.Conv2D(filters, (1, 1), strides=(1, 1), padding="same", use_bias=False,
                      kernel_initializer="he_normal", name=conv_name)(_relu(x, relu_name))
    return _batch_norm(x, bn_name)


def _separable_conv_block(ip, filters: int, kernel_size=(3, 3), strides=(1, 1),
                          block_id: str = ""):
    """Two ReLU-separable convolution-BN units; the first strided (with TensorFlow-style
    padding) when `strides` is (2, 2)."""
    with name_scope(f"separable_conv_block_{block_id}"):
        x = _relu(ip)
        padding = "same"
        if strides == (2, 2):
            x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                     name=f"separable_conv_1_pad_{block_id}")(x)
            padding = "valid"
        for conv, conv_strides in ((1, strides), (2, (1, 1))):
            if conv == 2:
                x = _relu(x)
            x = layers.SeparableConv2D(filters, kernel_size, strides=conv_strides,
                                       name=f"separable_conv_{conv}_{block_id}",
                                       padding=padding, use_bias=False)(x)
            x = _batch_norm(x, f"separable_conv_{conv}_bn_{block_id}")
            padding = "same"
    return x


def _adjust_block(p, ip, filters: int, block_id: str):
    """`p` at the size and width of `ip`: halved by two offset strided 1x1 paths when its
    size differs, projected when its width differs (`ip` itself when `p` is None)."""
    if p is None:
        return ip
    with name_scope("adjust_block"):
        if p.shape[-2] != ip.shape[-2]:
            with name_scope(f"adjust_reduction_block_{block_id}"):
                return _halve(p, filters, block_id)
        if p.shape[-1] != filters:
            with name_scope(f"adjust_projection_block_{block_id}"):
                return _conv_bn(p, filters, f"adjust_conv_projection_{block_id}",
                                f"adjust_bn_{block_id}")
    return p


def _halve(p, filters: int, block_id: str):
    """`p` at half its size: two offset strided 1x1 paths, concatenated and normalized."""
    p = _relu(p, f"adjust_relu_1_{block_id}")
    p1 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                 name=f"adjust_avg_pool_1_{block_id}")(p)
    p1 = layers.Conv2D(filters // 2, (1, 1), padding="same", use_bias=False,
                       name=f"adjust_conv_1_{block_id}", kernel_initializer="he_normal")(p1)
    p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
    p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
    p2 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                 name=f"adjust_avg_pool_2_{block_id}")(p2)
    p2 = layers.Conv2D(filters // 2, (1, 1), padding="same", use_bias=False,
                       name=f"adjust_conv_2_{block_id}", kernel_initializer="he_normal")(p2)
    p = layers.concatenate([p1, p2], axis=-1)
    return _batch_norm(p, f"adjust_bn_{block_id}")


def _pool(x, kind: str, strides: int, name: str):
    """3x3 average or max pooling: "same" padding at stride 1, "valid" at stride 2."""
    pooling = layers.AveragePooling2D if kind == "avg" else layers.MaxPooling2D
    return pooling((3, 3), strides=(strides, strides), padding="same" if strides == 1 else "valid",
                   name=name)(x)


def _normal_a_cell(ip, p, filters: int, block_id: str):
    """The normal cell (keeps size): five added pairs of separable convolutions, poolings and
    identities of `h` (projected `ip`) and `p`, concatenated with `p`. Returns `(x, ip)`."""
    with name_scope(f"normal_A_block_{block_id}"):
        p = _adjust_block(p, ip, filters, block_id)
        h = _conv_bn(ip, filters, f"normal_conv_1_{block_id}", f"normal_bn_1_{block_id}")

        def sep(x, kernel_size, side):
            return _separable_conv_block(x, filters, kernel_size,
                                         block_id=f"normal_{side}_{block_id}")

        with name_scope("block_1"):
            x1 = layers.add([sep(h, (5, 5), "left1"), sep(p, (3, 3), "right1")],
                            name=f"normal_add_1_{block_id}")
        with name_scope("block_2"):
            x2 = layers.add([sep(p, (5, 5), "left2"), sep(p, (3, 3), "right2")],
                            name=f"normal_add_2_{block_id}")
        x3 = layers.add([_pool(h, "avg", 1, f"normal_left3_{block_id}"), p],
                        name=f"normal_add_3_{block_id}")
        x4 = layers.add([_pool(p, "avg", 1, f"normal_left4_{block_id}"),
                         _pool(p, "avg", 1, f"normal_right4_{block_id}")],
                        name=f"normal_add_4_{block_id}")
        with name_scope("block_5"):
            x5 = layers.add([sep(h, (3, 3), "left5"), h], name=f"normal_add_5_{block_id}")
        x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=-1,
                               name=f"normal_concat_{block_id}")
    return x, ip


def _reduction_a_cell(ip, p, filters: int, block_id: str):
    """The reduction cell (halves size): strided separable convolutions and poolings of `h`
    (projected `ip`) and `p`, added in pairs and concatenated. Returns `(x, ip)`."""
    with name_scope(f"reduction_A_block_{block_id}"):
        p = _adjust_block(p, ip, filters, block_id)
        h = _conv_bn(ip, filters, f"reduction_conv_1_{block_id}", f"reduction_bn_1_{block_id}")
        h3 = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(h, 3),
                                  name=f"reduction_pad_1_{block_id}")(h)

        def sep(x, kernel_size, side, strides=(2, 2)):
            return _separable_conv_block(x, filters, kernel_size, strides,
                                         block_id=f"reduction_{side}_{block_id}")

        with name_scope("block_1"):
            x1 = layers.add([sep(h, (5, 5), "left1"), sep(p, (7, 7), "right1")],
                            name=f"reduction_add_1_{block_id}")
        with name_scope("block_2"):
            x2 = layers.add([_pool(h3, "max", 2, f"reduction_left2_{block_id}"),
                             sep(p, (7, 7), "right2")], name=f"reduction_add_2_{block_id}")
        with name_scope("block_3"):
            x3 = layers.add([_pool(h3, "avg", 2, f"reduction_left3_{block_id}"),
                             sep(p, (5, 5), "right3")], name=f"reduction_add3_{block_id}")
        x4 = layers.add([x2, _pool(x1, "avg", 1, f"reduction_left4_{block_id}")])
        with name_scope("block_5"):
            x5 = layers.add([sep(x1, (3, 3), "left4", strides=(1, 1)),
                             _pool(h3, "max", 2, f"reduction_right5_{block_id}")],
                            name=f"reduction_add4_{block_id}")
        x = layers.concatenate([x2, x3, x4, x5], axis=-1, name=f"reduction_concat_{block_id}")
    return x, ip


def _cells(x, penultimate_filters: int, num_blocks: int, skip_reduction: bool,
           filter_multiplier: int = 2):
    """Two stem reduction cells, then three stages of `num_blocks` normal cells, the later
    two after a reduction cell (whose input the next cell sees as `p` unless
    `skip_reduction`)."""
    filters = penultimate_filters // 24
    x, p = _reduction_a_cell(x, None, filters // filter_multiplier**2, "stem_1")
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier, "stem_2")
    for stage in range(3):
        width = filters * filter_multiplier**stage
        if stage:
            x, p0 = _reduction_a_cell(x, p, width, f"reduce_{stage * num_blocks}")
            p = p if skip_reduction else p0
        for i in range(num_blocks):
            x, p = _normal_a_cell(x, p, width, f"{stage * num_blocks + i + bool(stage)}")
    return _relu(x)


def _nasnet(size: str, default_size: int, cells: dict, *, input_shape, include_top,
            weights, input_tensor, pooling, classes, classifier_activation, name):
    """A NASNet-A network with `cells`' arguments of `_cells` and stem width, as Keras's
    generic `NASNet` builds it, with the weight files of `size` ("mobile" or "large")."""
    family = app.Family(default_size=default_size, min_size=32, base_url=BASE_WEIGHTS_PATH,
                        messages=MESSAGES, channels_last_only="NASNet")

    def static_shape():
        if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
            raise ValueError("When specifying the input shape of a NASNet and loading "
                             "`ImageNet` weights, the input_shape argument must be static (no "
                             f"None entries). Got: `input_shape={input_shape}`.")

    img_input, _ = app.prepare_input(family, weights, include_top, classes, input_tensor,
                                     input_shape, check=static_shape)
    x = layers.Conv2D(cells["stem_block_filters"], (3, 3), strides=(2, 2), padding="valid",
                      use_bias=False, name="stem_conv1", kernel_initializer="he_normal")(
        img_input)
    x = _batch_norm(x, "stem_bn1")
    x = _cells(x, cells["penultimate_filters"], cells["num_blocks"], cells["skip_reduction"])
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
    x = app.head(x, include_top, pooling, 0.0, classes, classifier_activation,
                 kernel_initializer="glorot_uniform", top_pool=None, named_pooling=False)
    model = app.functional(img_input, input_tensor, x, name)
    file_name, url_name, file_hash = WEIGHTS_FILES[size][0 if include_top else 1]
    app.load_weights(model, weights, file_name, BASE_WEIGHTS_PATH, file_hash, url_name)
    return model


def NASNetMobile(input_shape=None, include_top=True, weights="imagenet", input_tensor=None,
                 pooling=None, classes=1000, classifier_activation="softmax",
                 name="nasnet_mobile"):
    if not include_top and input_shape is None:
        input_shape = (224, 224, 3)
    return _nasnet("mobile", 224, {"penultimate_filters": 1056, "num_blocks": 4,
                                   "stem_block_filters": 32, "skip_reduction": False},
                   input_shape=input_shape, include_top=include_top, weights=weights,
                   input_tensor=input_tensor, pooling=pooling, classes=classes,
                   classifier_activation=classifier_activation, name=name)


def NASNetLarge(input_shape=None, include_top=True, weights="imagenet", input_tensor=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="nasnet_large"):
    return _nasnet("large", 331, {"penultimate_filters": 4032, "num_blocks": 6,
                                  "stem_block_filters": 96, "skip_reduction": True},
                   input_shape=input_shape, include_top=include_top, weights=weights,
                   input_tensor=input_tensor, pooling=pooling, classes=classes,
                   classifier_activation=classifier_activation, name=name)


NASNetMobile.__doc__ = _DOC.format(name="NASNetMobile", size=224,
                                   no_top_shape="default 224x224x3")
NASNetLarge.__doc__ = _DOC.format(name="NASNetLarge", size=331,
                                  no_top_shape="any size")


preprocess_input = app.preprocessor("tf")


__all__ = ["NASNetLarge", "NASNetMobile", "decode_predictions", "preprocess_input"]
