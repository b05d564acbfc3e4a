"""`hocsau.utils`: data helpers, seeding, progress bars and model utilities."""

from hocsau.utils.audio_dataset_utils import audio_dataset_from_directory
from hocsau.utils.dataset_utils import split_dataset
from hocsau.utils.file_utils import get_file
from hocsau.utils.image_dataset_utils import image_dataset_from_directory
from hocsau.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from hocsau.utils.model_visualization import model_to_dot, plot_model
from hocsau.utils.numerical import normalize, to_categorical
from hocsau.utils.progbar import Progbar
from hocsau.utils.py_dataset import PyDataset, Sequence
from hocsau.utils.rng_utils import set_random_seed
from hocsau.utils.sequence_utils import pad_sequences
from hocsau.utils.text_dataset_utils import text_dataset_from_directory
from hocsau.utils.timeseries_dataset_utils import timeseries_dataset_from_array

__all__ = ["FeatureSpace", "Progbar", "PyDataset", "Sequence", "array_to_img",
           "audio_dataset_from_directory",
           "get_file",
           "image_dataset_from_directory", "img_to_array", "load_img", "model_to_dot",
           "normalize", "pad_sequences", "plot_model", "save_img", "set_random_seed",
           "split_dataset", "text_dataset_from_directory", "timeseries_dataset_from_array",
           "to_categorical"]


def __getattr__(name: str):
    # FeatureSpace is built on the preprocessing layers, which import hocsau.utils: load late.
    if name == "FeatureSpace":
        from hocsau.utils.feature_space import FeatureSpace

        return FeatureSpace
    raise AttributeError(f"module 'hocsau.utils' has no attribute '{name}'")
