"""`hocsau.applications`: Keras's ImageNet models, layer for layer, with Keras's weight files."""

from hocsau.applications import (
    efficientnet,
    efficientnet_v2,
    imagenet_utils,
    mobilenet,
    mobilenet_v2,
    mobilenet_v3,
    resnet,
    resnet50,
    resnet_v2,
    vgg16,
    vgg19,
)
from hocsau.applications.efficientnet import (
    EfficientNetB0,
    EfficientNetB1,
    EfficientNetB2,
    EfficientNetB3,
    EfficientNetB4,
    EfficientNetB5,
    EfficientNetB6,
    EfficientNetB7,
)
from hocsau.applications.efficientnet_v2 import (
    EfficientNetV2B0,
    EfficientNetV2B1,
    EfficientNetV2B2,
    EfficientNetV2B3,
    EfficientNetV2L,
    EfficientNetV2M,
    EfficientNetV2S,
)
from hocsau.applications.mobilenet import MobileNet
from hocsau.applications.mobilenet_v2 import MobileNetV2
from hocsau.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from hocsau.applications.resnet import ResNet50, ResNet101, ResNet152
from hocsau.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from hocsau.applications.vgg16 import VGG16
from hocsau.applications.vgg19 import VGG19

__all__ = [
    "EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3", "EfficientNetB4",
    "EfficientNetB5", "EfficientNetB6", "EfficientNetB7", "EfficientNetV2B0", "EfficientNetV2B1",
    "EfficientNetV2B2", "EfficientNetV2B3", "EfficientNetV2L", "EfficientNetV2M",
    "EfficientNetV2S", "efficientnet", "efficientnet_v2", "imagenet_utils",
]
__all__ += [
    "MobileNet", "MobileNetV2", "MobileNetV3Large", "MobileNetV3Small", "ResNet50", "ResNet101",
    "ResNet152", "ResNet50V2", "ResNet101V2", "ResNet152V2", "VGG16", "VGG19", "mobilenet",
    "mobilenet_v2", "mobilenet_v3", "resnet", "resnet50", "resnet_v2", "vgg16", "vgg19",
]
