"""Preprocessing layers usable inside models: rescaling, resizing, normalization,
augmentation, text vectorization."""

from hocsau.layers.preprocessing.aug_mix import AugMix
from hocsau.layers.preprocessing.auto_contrast import AutoContrast
from hocsau.layers.preprocessing.category_encoding import CategoryEncoding
from hocsau.layers.preprocessing.center_crop import CenterCrop
from hocsau.layers.preprocessing.contrast_limited_adaptive_histogram_equalization import (
    ContrastLimitedAdaptiveHistogramEqualization,
)
from hocsau.layers.preprocessing.cut_mix import CutMix
from hocsau.layers.preprocessing.discretization import Discretization
from hocsau.layers.preprocessing.equalization import Equalization
from hocsau.layers.preprocessing.hashed_crossing import HashedCrossing
from hocsau.layers.preprocessing.hashing import Hashing
from hocsau.layers.preprocessing.integer_lookup import IntegerLookup
from hocsau.layers.preprocessing.max_num_bounding_boxes import MaxNumBoundingBoxes
from hocsau.layers.preprocessing.mel_spectrogram import MelSpectrogram
from hocsau.layers.preprocessing.mix_up import MixUp
from hocsau.layers.preprocessing.normalization import Normalization
from hocsau.layers.preprocessing.pipeline import Pipeline
from hocsau.layers.preprocessing.rand_augment import RandAugment
from hocsau.layers.preprocessing.random_brightness import RandomBrightness
from hocsau.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from hocsau.layers.preprocessing.random_color_jitter import RandomColorJitter
from hocsau.layers.preprocessing.random_contrast import RandomContrast
from hocsau.layers.preprocessing.random_crop import RandomCrop
from hocsau.layers.preprocessing.random_elastic_transform import RandomElasticTransform
from hocsau.layers.preprocessing.random_erasing import RandomErasing
from hocsau.layers.preprocessing.random_flip import RandomFlip
from hocsau.layers.preprocessing.random_gaussian_blur import RandomGaussianBlur
from hocsau.layers.preprocessing.random_grayscale import RandomGrayscale
from hocsau.layers.preprocessing.random_height import RandomHeight
from hocsau.layers.preprocessing.random_hue import RandomHue
from hocsau.layers.preprocessing.random_invert import RandomInvert
from hocsau.layers.preprocessing.random_perspective import RandomPerspective
from hocsau.layers.preprocessing.random_posterization import RandomPosterization
from hocsau.layers.preprocessing.random_rotation import RandomRotation
from hocsau.layers.preprocessing.random_saturation import RandomSaturation
from hocsau.layers.preprocessing.random_sharpness import RandomSharpness
from hocsau.layers.preprocessing.random_shear import RandomShear
from hocsau.layers.preprocessing.random_translation import RandomTranslation
from hocsau.layers.preprocessing.random_width import RandomWidth
from hocsau.layers.preprocessing.random_zoom import RandomZoom
from hocsau.layers.preprocessing.rescaling import Rescaling
from hocsau.layers.preprocessing.resizing import Resizing
from hocsau.layers.preprocessing.solarization import Solarization
from hocsau.layers.preprocessing.stft_spectrogram import STFTSpectrogram
from hocsau.layers.preprocessing.string_lookup import StringLookup
from hocsau.layers.preprocessing.text_vectorization import TextVectorization

__all__: list[str] = ["AutoContrast", "CenterCrop", "Equalization", "MelSpectrogram",
                      "Normalization", "RandomBrightness", "RandomColorDegeneration",
                      "RandomColorJitter", "RandomContrast", "RandomCrop", "RandomErasing",
                      "RandomFlip", "RandomGaussianBlur", "RandomGrayscale", "RandomHeight",
                      "RandomHue", "RandomInvert", "RandomPerspective", "RandomPosterization",
                      "RandomRotation", "RandomSaturation", "RandomSharpness", "RandomShear",
                      "RandomTranslation", "RandomWidth", "RandomZoom", "Rescaling", "Resizing",
                      "STFTSpectrogram", "Solarization", "TextVectorization"]
__all__ += ["CategoryEncoding", "Discretization", "HashedCrossing", "Hashing", "IntegerLookup",
            "StringLookup"]
__all__ += ["AugMix", "CutMix", "MaxNumBoundingBoxes", "MixUp", "Pipeline", "RandAugment"]
__all__ += ["ContrastLimitedAdaptiveHistogramEqualization", "RandomElasticTransform"]
