"""`hocsau.utils`: data helpers, seeding, progress bars, serialization and model utilities."""

import importlib

from hocsau.saving.serialization import (
    CustomObjectScope,
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from hocsau.utils import bounding_boxes
from hocsau.utils.audio_dataset_utils import audio_dataset_from_directory
from hocsau.utils.batch_packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from hocsau.utils.config import Config
from hocsau.utils.dataset_utils import split_dataset
from hocsau.utils.file_utils import get_file
from hocsau.utils.image_dataset_utils import image_dataset_from_directory
from hocsau.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from hocsau.utils.io_utils import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)
from hocsau.utils.model_visualization import model_to_dot, plot_model
from hocsau.utils.numerical import normalize, to_categorical
from hocsau.utils.plot_history import plot_history
from hocsau.utils.progbar import Progbar
from hocsau.utils.py_dataset import PyDataset, Sequence
from hocsau.utils.rng_utils import set_random_seed
from hocsau.utils.sequence_utils import pad_sequences
from hocsau.utils.text_dataset_utils import text_dataset_from_directory
from hocsau.utils.timeseries_dataset_utils import timeseries_dataset_from_array

__all__ = ["Config", "CustomObjectScope", "FeatureSpace", "Progbar", "PyDataset", "Sequence",
           "array_to_img", "audio_dataset_from_directory", "bounding_boxes", "clear_session",
           "custom_object_scope", "deserialize_keras_object", "disable_interactive_logging",
           "enable_interactive_logging", "get_custom_objects", "get_file", "get_registered_name",
           "get_registered_object", "get_source_inputs", "image_dataset_from_directory",
           "img_to_array", "is_interactive_logging_enabled", "is_keras_tensor", "legacy",
           "load_img", "model_to_dot", "normalize", "pack_x_y_sample_weight", "pad_sequences",
           "plot_history", "plot_model", "register_keras_serializable", "save_img",
           "serialize_keras_object", "set_random_seed", "split_dataset", "standardize_dtype",
           "text_dataset_from_directory", "timeseries_dataset_from_array", "to_categorical",
           "unpack_x_y_sample_weight"]

# These pull in layers and models (FeatureSpace: the preprocessing layers), which import
# this package: loaded on first use.
_LAZY = {"clear_session": "hocsau.backend", "is_keras_tensor": "hocsau.backend",
         "standardize_dtype": "hocsau.backend",
         "get_source_inputs": "hocsau.utils.graph_utils", "legacy": "hocsau.utils.legacy",
         "FeatureSpace": "hocsau.utils.feature_space"}


def __getattr__(name):
    if name == "legacy":
        return importlib.import_module(_LAZY[name])
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'hocsau.utils' has no attribute {name!r}")
