"""`hocsau.applications`: Keras's ImageNet models, layer for layer, with Keras's weight files."""

from hocsau.applications import (
    convnext,
    densenet,
    efficientnet,
    efficientnet_v2,
    imagenet_utils,
    inception_resnet_v2,
    inception_v3,
    mobilenet,
    mobilenet_v2,
    mobilenet_v3,
    nasnet,
    resnet,
    resnet50,
    resnet_v2,
    vgg16,
    vgg19,
    xception,
)
from hocsau.applications.convnext import (
    ConvNeXtBase,
    ConvNeXtLarge,
    ConvNeXtSmall,
    ConvNeXtTiny,
    ConvNeXtXLarge,
)
from hocsau.applications.densenet import DenseNet121, DenseNet169, DenseNet201
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
from hocsau.applications.inception_resnet_v2 import InceptionResNetV2
from hocsau.applications.inception_v3 import InceptionV3
from hocsau.applications.mobilenet import MobileNet
from hocsau.applications.mobilenet_v2 import MobileNetV2
from hocsau.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from hocsau.applications.nasnet import NASNetLarge, NASNetMobile
from hocsau.applications.resnet import ResNet50, ResNet101, ResNet152
from hocsau.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from hocsau.applications.vgg16 import VGG16
from hocsau.applications.vgg19 import VGG19
from hocsau.applications.xception import Xception

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
__all__ += [
    "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtSmall", "ConvNeXtTiny", "ConvNeXtXLarge",
    "DenseNet121", "DenseNet169", "DenseNet201", "InceptionResNetV2", "InceptionV3",
    "NASNetLarge", "NASNetMobile", "Xception", "convnext", "densenet", "inception_resnet_v2",
    "inception_v3", "nasnet", "xception",
]
