"""Reference fixture for the directory and timeseries loaders, recorded with TensorFlow's Keras.

Run it with the TensorFlow virtualenv (TensorFlow is not in the test environment):

    /work/tfenv/bin/python tests/utils/reference/make_directory_loader_reference.py

It builds the small folder trees below in a temporary directory (PNG / JPEG / BMP / GIF images
of different sizes in grayscale, RGB, RGBA and palette modes, nested sub-folders, a hidden
folder, non-image files; .txt files with multi-byte UTF-8 text), runs Keras's
`image_dataset_from_directory`, `text_dataset_from_directory` and
`timeseries_dataset_from_array` under `IMAGE_CASES`, `TEXT_CASES` and `TIMESERIES_CASES`, and
writes next to this file:

- `directory_loader_reference.json`: per case the class names, the file paths (relative to the
  tree, "/"-separated), the labels, the batch shapes and dtypes;
- `directory_loader_reference.npz`: per case the drawn images / windows, concatenated.

The tests import the tree builders, the cases and `record` from this module (it imports
TensorFlow only inside `main`), build the same trees and compare hocsau's loaders with the
fixture. Shuffled cases record only what does not depend on tf.data's shuffle RNG: the file
order (numpy-seeded, as in Keras), the batch shapes and the sorted labels.
"""

from __future__ import annotations

import json
import os
import pathlib
import tempfile

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
JSON_PATH = HERE / "directory_loader_reference.json"
NPZ_PATH = HERE / "directory_loader_reference.npz"

# (relative path, PIL mode, (height, width)); "P" is a palette image.
IMAGES = [
    ("cats/c0.png", "RGB", (7, 9)),
    ("cats/c1.jpg", "RGB", (10, 6)),
    ("cats/c2.png", "L", (5, 5)),
    ("cats/sub/c3.png", "RGBA", (8, 8)),
    ("cats/sub/deep/c4.jpg", "L", (6, 11)),
    ("cats/sub-b/c5.png", "P", (9, 7)),
    ("dogs/d0.png", "RGB", (12, 4)),
    ("dogs/d1.jpeg", "RGB", (9, 9)),
    ("dogs/D2.PNG", "LA", (3, 5)),
    ("birds/b0.png", "RGB", (16, 16)),
    ("dogs/d4.jpg", "RGB", (5, 13)),
    ("birds/b1.png", "RGBA", (13, 5)),
    ("birds/b3.bmp", "RGB", (6, 6)),
    ("top.png", "RGB", (4, 4)),
    ("top.gif", "P", (6, 6)),
]
OTHER_FILES = {"cats/notes.txt": "not an image", "dogs/readme.md": "nor this",
               ".hidden/h0.png": None}
TEXTS = {
    "neg/n0.txt": "bad awful poor",
    "neg/n1.txt": "terrible",
    "neg/deeper/n2.txt": "not good at all",
    "pos/p0.txt": "good great fine",
    "pos/p1.txt": "café naïve déjà vu",
    "pos/p2.txt": "",
    "pos/p3.txt": "excellent\nsecond line",
    "pos/skip.md": "not a text file",
}

# Cases are (name, keyword arguments); "labels" may be "list" for an explicit list of labels.
SIZE = {"image_size": (6, 8), "batch_size": 4, "shuffle": False, "verbose": False}
IMAGE_CASES = [
    ("int_rgb", {**SIZE}),
    ("categorical_grayscale", {**SIZE, "label_mode": "categorical", "color_mode": "grayscale",
                               "class_names": ["cats", "dogs"]}),  # TF: no gray GIF / BMP
    ("binary_class_names", {**SIZE, "label_mode": "binary", "class_names": ["dogs", "cats"]}),
    ("rgba", {**SIZE, "color_mode": "rgba", "class_names": ["birds"]}),  # TF: no RGBA JPEG
    ("no_labels_unbatched", {**SIZE, "labels": None, "batch_size": None}),
    ("label_mode_none", {**SIZE, "label_mode": None}),
    ("explicit_labels", {**SIZE, "labels": "list"}),
    ("explicit_labels_categorical", {**SIZE, "labels": "list", "label_mode": "categorical"}),
    ("nearest", {**SIZE, "interpolation": "nearest"}),
    ("area", {**SIZE, "interpolation": "area"}),
    ("bicubic", {**SIZE, "interpolation": "bicubic"}),
    ("lanczos3", {**SIZE, "interpolation": "lanczos3"}),
    ("lanczos5", {**SIZE, "interpolation": "lanczos5"}),
    ("gaussian", {**SIZE, "interpolation": "gaussian"}),
    ("mitchellcubic", {**SIZE, "interpolation": "mitchellcubic"}),
    ("upscale_bilinear", {**SIZE, "image_size": (20, 14)}),
    ("upscale_area", {**SIZE, "image_size": (20, 14), "interpolation": "area"}),
    ("crop_to_aspect_ratio", {**SIZE, "crop_to_aspect_ratio": True}),
    ("crop_nearest", {**SIZE, "crop_to_aspect_ratio": True, "interpolation": "nearest"}),
    ("pad_to_aspect_ratio", {**SIZE, "pad_to_aspect_ratio": True}),
    ("pad_area", {**SIZE, "pad_to_aspect_ratio": True, "interpolation": "area"}),
    ("shuffled", {**SIZE, "shuffle": True, "seed": 7, "batch_size": 3}),
    ("split_both", {**SIZE, "shuffle": True, "seed": 11, "validation_split": 0.3,
                    "subset": "both"}),
    ("split_training", {**SIZE, "shuffle": True, "seed": 11, "validation_split": 0.3,
                        "subset": "training"}),
    ("split_validation", {**SIZE, "shuffle": True, "seed": 11, "validation_split": 0.3,
                          "subset": "validation"}),
    ("split_unshuffled", {**SIZE, "validation_split": 0.25, "subset": "both"}),
]
TEXT_BASE = {"batch_size": 2, "shuffle": False, "verbose": False}
TEXT_CASES = [
    ("int", {**TEXT_BASE}),
    ("max_length", {**TEXT_BASE, "max_length": 5}),
    ("categorical", {**TEXT_BASE, "label_mode": "categorical", "batch_size": 4}),
    ("binary_unbatched", {**TEXT_BASE, "label_mode": "binary", "batch_size": None}),
    ("no_labels", {**TEXT_BASE, "labels": None}),
    ("class_names", {**TEXT_BASE, "class_names": ["pos", "neg"]}),
    ("shuffled", {**TEXT_BASE, "shuffle": True, "seed": 3}),
    ("split_both", {**TEXT_BASE, "shuffle": True, "seed": 5, "validation_split": 0.4,
                    "subset": "both"}),
]
TIMESERIES_CASES = [
    ("targets", {"sequence_length": 4, "batch_size": 5}),
    ("stride_rate", {"sequence_length": 3, "sequence_stride": 2, "sampling_rate": 3,
                     "batch_size": 4}),
    ("start_end", {"sequence_length": 3, "start_index": 4, "end_index": 25, "batch_size": 3}),
    ("no_targets_unbatched", {"targets": None, "sequence_length": 5, "sequence_stride": 3,
                              "batch_size": None}),
    ("shuffled", {"sequence_length": 4, "shuffle": True, "seed": 2, "batch_size": 6}),
]


def timeseries_arrays():
    """The series and targets every timeseries case uses (30 steps of 2 features)."""
    data = (np.arange(60, dtype="float32").reshape(30, 2) * 0.5) ** 1.5
    return data, np.arange(100, 130, dtype="int64")


def build_image_tree(root) -> pathlib.Path:
    """Writes the IMAGES / OTHER_FILES tree under `root` (same bytes every time)."""
    root = pathlib.Path(root)
    rng = np.random.default_rng(1234)
    entries = IMAGES + [(p, "RGB", (4, 4)) for p, text in OTHER_FILES.items() if text is None]
    for relative, mode, (height, width) in entries:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        _image(rng, mode, height, width).save(path, **_save_options(path))
    for relative, text in OTHER_FILES.items():
        if text is not None:
            (root / relative).write_text(text, encoding="utf-8")
    return root


def _image(rng, mode: str, height: int, width: int):
    from PIL import Image

    channels = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4, "P": 3}[mode]
    pixels = rng.integers(0, 256, size=(height, width, channels), dtype=np.uint8)
    if mode == "P":
        return Image.fromarray(pixels, "RGB").quantize(colors=16, dither=Image.Dither.NONE)
    return Image.fromarray(pixels[..., 0] if channels == 1 else pixels, mode)


def _save_options(path: pathlib.Path) -> dict:
    return {"quality": 90} if path.suffix.lower() in (".jpg", ".jpeg") else {}


def build_text_tree(root) -> pathlib.Path:
    """Writes the TEXTS tree under `root`."""
    root = pathlib.Path(root)
    for relative, text in TEXTS.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return root


def explicit_labels(count: int) -> list:
    """The `labels="list"` labels: 0, 2, 1, 0, 2, 1, ... (classes "0", "1", "2")."""
    return [(2 * i) % 3 for i in range(count)]


def resolve(kwargs: dict, file_count: int) -> dict:
    """The case's arguments with `labels="list"` replaced by `explicit_labels`."""
    if kwargs.get("labels") == "list":
        return {**kwargs, "labels": explicit_labels(file_count)}
    return dict(kwargs)


def record(datasets, root, shuffled: bool):
    """(metadata, arrays) of a loader's result (one dataset or a [training, validation] pair):
    class names, relative file paths, and per pass the batch shapes, dtypes and contents."""
    meta, arrays = {}, {}
    pairs = zip(("training", "validation"), datasets, strict=True) \
        if isinstance(datasets, (list, tuple)) else [("all", datasets)]
    for part, ds in pairs:
        meta[part], values = _record_one(ds, root, shuffled)
        arrays.update({f"{part}/{k}": v for k, v in values.items()})
    return meta, arrays


def _record_one(ds, root, shuffled: bool):
    file_paths = getattr(ds, "file_paths", None)
    meta = {"class_names": getattr(ds, "class_names", None),
            "file_paths": None if file_paths is None else [_relative(p, root)
                                                           for p in file_paths],
            "shapes": [], "dtypes": None}
    columns: list = []
    for element in ds:
        parts = element if isinstance(element, tuple) else (element,)
        parts = [_as_numpy(p) for p in parts]
        meta["shapes"].append([list(p.shape) for p in parts])
        meta["dtypes"] = [_dtype_name(p) for p in parts]
        columns = columns or [[] for _ in parts]
        for column, part in zip(columns, parts, strict=True):
            column.append(part)
    values = {str(i): _flat(column) for i, column in enumerate(columns)}
    if shuffled:
        labels = [p.reshape(len(p), -1) if p.ndim else p.reshape(1, 1) for p in columns[-1]]
        meta["sorted_labels"] = sorted(np.concatenate(labels).tolist()) \
            if len(columns) > 1 else None
        values = {}
    return meta, values


def _as_numpy(value) -> np.ndarray:
    array = value.numpy() if hasattr(value, "numpy") else np.asarray(value)
    array = np.asarray(array)
    if array.dtype == object or array.dtype.kind in "SU":
        flat = [v.decode("utf-8", errors="replace") if isinstance(v, bytes) else str(v)
                for v in array.reshape(-1)]
        return np.array(flat, dtype=str).reshape(array.shape)
    return array


def _dtype_name(array: np.ndarray) -> str:
    return "string" if array.dtype.kind == "U" else str(array.dtype)


def _flat(column: list) -> np.ndarray:
    """Every drawn value of one part, flattened in order (the shapes are recorded apart)."""
    return np.concatenate([c.reshape(-1) for c in column])


def _relative(path, root) -> str:
    path = path.decode() if isinstance(path, bytes) else str(path)
    return os.path.relpath(path, os.fspath(root)).replace(os.sep, "/")


def _run_cases(loader, root, cases, file_count: int, meta: dict, arrays: dict, prefix: str):
    for name, kwargs in cases:
        result = loader(os.fspath(root), **resolve(kwargs, file_count))
        case_meta, case_arrays = record(result, root, kwargs.get("shuffle", False))
        meta[f"{prefix}/{name}"] = case_meta
        arrays.update({f"{prefix}/{name}/{k}": v for k, v in case_arrays.items()})


def main() -> None:
    import keras
    import tensorflow as tf

    meta: dict = {"versions": {"tensorflow": tf.__version__, "keras": keras.__version__}}
    arrays: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        images = build_image_tree(pathlib.Path(tmp) / "images")
        texts = build_text_tree(pathlib.Path(tmp) / "texts")
        image_count = sum(1 for _ in images.rglob("*.*") if _.suffix.lower() in
                          (".png", ".jpg", ".jpeg", ".bmp", ".gif"))
        _run_cases(keras.utils.image_dataset_from_directory, images, IMAGE_CASES,
                   image_count, meta, arrays, "image")
        _run_cases(keras.utils.text_dataset_from_directory, texts, TEXT_CASES, 0, meta,
                   arrays, "text")
    data, targets = timeseries_arrays()
    for name, kwargs in TIMESERIES_CASES:
        arguments = {"targets": targets, **kwargs}
        result = keras.utils.timeseries_dataset_from_array(data, **arguments)
        case_meta, case_arrays = record(result, ".", kwargs.get("shuffle", False))
        meta[f"timeseries/{name}"] = case_meta
        arrays.update({f"timeseries/{name}/{k}": v for k, v in case_arrays.items()})
    JSON_PATH.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    np.savez_compressed(NPZ_PATH, **arrays)
    print(f"Wrote {JSON_PATH.name} ({len(meta) - 1} cases) and {NPZ_PATH.name} "
          f"({len(arrays)} arrays).")


if __name__ == "__main__":
    main()
