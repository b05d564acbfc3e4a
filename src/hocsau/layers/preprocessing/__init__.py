"""Preprocessing layers usable inside models: rescaling, resizing, normalization,
augmentation, text vectorization."""

from hocsau.layers.preprocessing.center_crop import CenterCrop
from hocsau.layers.preprocessing.normalization import Normalization
from hocsau.layers.preprocessing.random_brightness import RandomBrightness
from hocsau.layers.preprocessing.random_contrast import RandomContrast
from hocsau.layers.preprocessing.random_crop import RandomCrop
from hocsau.layers.preprocessing.random_flip import RandomFlip
from hocsau.layers.preprocessing.random_height import RandomHeight
from hocsau.layers.preprocessing.random_rotation import RandomRotation
from hocsau.layers.preprocessing.random_translation import RandomTranslation
from hocsau.layers.preprocessing.random_width import RandomWidth
from hocsau.layers.preprocessing.random_zoom import RandomZoom
from hocsau.layers.preprocessing.rescaling import Rescaling
from hocsau.layers.preprocessing.resizing import Resizing
from hocsau.layers.preprocessing.text_vectorization import TextVectorization

__all__: list[str] = ["CenterCrop", "Normalization", "RandomBrightness", "RandomContrast",
                      "RandomCrop", "RandomFlip", "RandomHeight", "RandomRotation",
                      "RandomTranslation", "RandomWidth", "RandomZoom", "Rescaling", "Resizing",
                      "TextVectorization"]
