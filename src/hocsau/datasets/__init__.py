"""Small datasets in Keras's exact form: `mnist.load_data()` returns what Keras returns.

Files are downloaded once from the URLs Keras uses, checked against Keras's checksums and
cached under `~/.hocsau/datasets` (`$HOCSAU_HOME/datasets` when set); see
`hocsau.utils.file_utils.get_file`. Setting `$HOCSAU_DATASETS_ORIGIN` to a base URL fetches
every file from there instead (a mirror, or a local server). Loading never unpickles arbitrary
objects: pickled parts are read with an unpickler limited to numpy arrays and builtin values.
"""

from hocsau.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)

__all__ = [
    "boston_housing",
    "california_housing",
    "cifar10",
    "cifar100",
    "fashion_mnist",
    "imdb",
    "mnist",
    "reuters",
]
