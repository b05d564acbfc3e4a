"""Checks of the arguments of `fit`, `evaluate` and `predict`, run before any step.

A bad value raises a `ValueError` (a number out of range, data that does not fit the model) or
a `TypeError` (a value of the wrong kind), naming the argument and what it should be, and
ending with `Received: ...` -- never a torch error from inside the first step, an
`UnboundLocalError` after no step at all, or a silent substitute value.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
import torch

from hocsau.trainers.data_adapters.array_adapter import is_array_like
from hocsau.trainers.data_adapters.batch_utils import is_string_data


def check_fit_arguments(model, x, y, sample_weight, *, batch_size, epochs, verbose,
                        validation_split, validation_data, shuffle, class_weight, initial_epoch,
                        steps_per_epoch, validation_steps, validation_batch_size,
                        validation_freq) -> None:
    _check_loop(batch_size, steps_per_epoch, verbose, steps_name="steps_per_epoch")
    _check_integer("epochs", epochs, minimum=0)
    _check_integer("initial_epoch", initial_epoch, minimum=0)
    if initial_epoch > epochs:
        raise ValueError("`initial_epoch` should not exceed `epochs`, the index of the epoch "
                         "to stop at (not a number of epochs to add). Received: "
                         f"initial_epoch={initial_epoch}, epochs={epochs}")
    _check_integer("validation_batch_size", validation_batch_size, minimum=1, optional=True)
    _check_integer("validation_steps", validation_steps, minimum=1, optional=True)
    _check_validation_freq(validation_freq)
    if not (isinstance(shuffle, (bool, np.bool_)) or shuffle == "batch"):
        raise ValueError(f'`shuffle` should be True, False or "batch". Received: '
                         f"shuffle={shuffle!r}")
    _check_class_weight(class_weight)
    if class_weight is not None and sample_weight is not None:
        raise ValueError("You cannot use `class_weight` and `sample_weight` at the same time: "
                         "fold the class weights into `sample_weight`. Received: "
                         f"class_weight={class_weight!r} and a `sample_weight` array")
    check_data(model, x, y, sample_weight, "x")
    _check_targets_given(model, x, y, "fit")
    if validation_data is not None:
        _check_validation_data(model, validation_data)
    elif validation_split:
        _check_validation_split(validation_split, x)


def check_evaluate_arguments(model, x, y, sample_weight, *, batch_size, verbose,
                             steps) -> None:
    _check_loop(batch_size, steps, verbose, steps_name="steps")
    check_data(model, x, y, sample_weight, "x")
    _check_targets_given(model, x, y, "evaluate")


def check_predict_arguments(model, x, *, batch_size, verbose, steps) -> None:
    _check_loop(batch_size, steps, verbose, steps_name="steps")
    check_data(model, x, None, None, "x")


def no_batch_error(x) -> ValueError:
    """For data that holds no batch (an empty DataLoader or PyDataset, an exhausted one)."""
    return ValueError("`x` produced no batch: make sure the dataset is not empty (or not "
                      f"already exhausted). Received: x of type {type(x).__name__}")


# --- numbers and flags -----------------------------------------------------------------------
def _check_loop(batch_size, steps, verbose, steps_name: str) -> None:
    _check_integer("batch_size", batch_size, minimum=1, optional=True)
    _check_integer(steps_name, steps, minimum=1, optional=True)
    if isinstance(verbose, (bool, np.bool_)) or (isinstance(verbose, str) and verbose == "auto"):
        return
    if not (isinstance(verbose, numbers.Integral) and verbose in (0, 1, 2)):
        raise ValueError(f'`verbose` should be "auto", 0, 1 or 2. Received: verbose={verbose!r}')


def _check_integer(name: str, value, minimum: int, optional: bool = False) -> None:
    """An int (NumPy's too, not a bool) of at least `minimum`; None when `optional`."""
    if value is None and optional:
        return
    expected = {0: "a non-negative integer", 1: "a positive integer value"}[minimum]
    expected += " or None" if optional else ""
    is_int = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
    if is_int and value >= minimum:
        return
    error = ValueError if is_int or isinstance(value, numbers.Number) else TypeError
    raise error(f"`{name}` should be {expected}. Received: {name}={value!r}"
                + ("" if error is ValueError else f" of type {type(value).__name__}"))


def _check_validation_freq(freq) -> None:
    if isinstance(freq, (list, tuple, set, range)):
        if all(isinstance(e, numbers.Integral) and not isinstance(e, bool) and e >= 1
               for e in freq):
            return
        raise ValueError("`validation_freq` as a list should hold the 1-based epoch numbers "
                         f"to validate after. Received: validation_freq={freq!r}")
    if not isinstance(freq, numbers.Integral) or isinstance(freq, bool):
        raise TypeError("Expected `validation_freq` to be a list or int. Received: "
                        f"validation_freq={freq} of the type {type(freq)}.")
    if freq < 1:
        raise ValueError("`validation_freq` should be a positive integer (validate every "
                         f"`validation_freq` epochs). Received: validation_freq={freq}")


def _check_class_weight(class_weight) -> None:
    if class_weight is None:
        return
    if not isinstance(class_weight, Mapping):
        raise TypeError("`class_weight` should be a dict mapping class indices to weights. "
                        f"Received: class_weight={class_weight!r} of type "
                        f"{type(class_weight).__name__}")
    for key, weight in class_weight.items():
        if not isinstance(key, numbers.Integral) or isinstance(key, bool) or key < 0:
            raise ValueError("`class_weight` keys should be class indices (non-negative "
                             f"integers). Received: class_weight={class_weight!r}")
        if not isinstance(weight, numbers.Real) or isinstance(weight, bool):
            raise TypeError("`class_weight` values should be numbers (the weight of each "
                            f"class). Received: class_weight={class_weight!r}")


def _check_validation_split(split, x) -> None:
    if not isinstance(split, numbers.Real) or isinstance(split, bool):
        raise TypeError("`validation_split` should be a float between 0 and 1. Received: "
                        f"validation_split={split!r} of type {type(split).__name__}")
    if not 0 <= split < 1:
        raise ValueError("`validation_split` should be a float between 0 and 1 (the fraction "
                         "of the data to validate on, taken from its end). Received: "
                         f"validation_split={split}")
    if not is_array_like(x):
        raise ValueError("`validation_split` is only supported for Tensors or NumPy arrays; "
                         "pass `validation_data` for generators, PyDatasets and datasets. "
                         f"Received: x of type {type(x).__name__}")


def _check_validation_data(model, data) -> None:
    if _is_single_array(data) or isinstance(data, dict):
        raise ValueError("`validation_data` should be a tuple `(x_val, y_val)` or "
                         "`(x_val, y_val, val_sample_weight)`, or a generator, PyDataset or "
                         f"DataLoader. Received: a {type(data).__name__} of shape "
                         f"{_shape(_first_array(data))}, without targets")
    if not isinstance(data, (tuple, list)) or not is_array_like(data[0] if data else None):
        return  # a generator, PyDataset or DataLoader: checked by its adapter
    if len(data) not in (2, 3):
        raise ValueError("`validation_data` should be a tuple `(x_val, y_val)` or "
                         "`(x_val, y_val, val_sample_weight)`, or a generator, PyDataset or "
                         f"DataLoader. Received: a {type(data).__name__} of length {len(data)}")
    check_data(model, data[0], data[1], data[2] if len(data) == 3 else None, "validation_data")
    sizes = {part: _rows(value) for part, value in zip(("x", "y", "sample_weight"), data,
                                                        strict=False)}
    if len(set(sizes.values()) - {None}) > 1:
        raise ValueError("Data cardinality is ambiguous. Make sure all arrays contain the same "
                         "number of samples. Received: `validation_data` with "
                         + ", ".join(f"{n} of {s} samples" for n, s in sizes.items()))


# --- the data against the model --------------------------------------------------------------
def check_data(model, x, y, sample_weight, argument: str) -> None:
    """Array data (generators and datasets are checked by their adapters): at least one
    sample, every input of a functional model given, no strings for numeric inputs, sample
    weights no deeper than the targets."""
    if not is_array_like(x):
        if _has_no_batch(x):
            raise no_batch_error(x)
        return
    targets = "y" if argument == "x" else f"{argument}'s y"
    _check_not_ragged(argument, x)
    _check_not_ragged(targets, y)
    if _rows(x) == 0:
        raise ValueError(f"`{argument}` should contain at least one sample. Received: "
                         f"{argument} with 0 samples (shape {_shape(_first_array(x))})")
    for tensor, data in _data_per_input(model, x):
        if tensor.dtype != "string" and is_string_data(data) and not _takes_strings(model):
            name = tensor._keras_history[0].name
            raise TypeError(
                f"Input '{name}' of model '{model.name}' expects {tensor.dtype} data, but "
                f"`{argument}` holds strings. Turn them into numbers before `fit` or in the "
                "model (an `Input(dtype=\"string\")` followed by `StringLookup` or "
                f"`TextVectorization`). Received: {argument} of dtype "
                f"{np.asarray(data).dtype} and shape {_shape(data)}")
    _check_numeric_targets(targets, y)
    _check_numeric_targets("sample_weight", sample_weight)
    _check_class_labels(model, y)
    _check_sample_weight_rank(sample_weight, y)


def _check_not_ragged(argument: str, value) -> None:
    """Python lists of rows of different lengths (NumPy cannot stack them)."""
    if not (isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple))
            and not is_array_like(value[0][0] if value[0] else None)):
        return
    try:
        np.asarray(value)
    except ValueError:
        lengths = sorted({len(row) if isinstance(row, (list, tuple)) else 1 for row in value})
        raise ValueError(
            f"`{argument}` is a list of rows of different lengths (a ragged list), which cannot "
            "be stacked into one array: pad the rows to one length first (e.g. with "
            "`keras.utils.pad_sequences`). Received: "
            f"{argument}=list of {len(value)} rows of lengths {lengths[:10]}") from None


def _check_numeric_targets(argument: str, y) -> None:
    """Losses and metrics compute on numbers: string labels (or weights) are refused before
    any step."""
    parts = list(y.values()) if isinstance(y, dict) else (
        list(y) if isinstance(y, (list, tuple)) and y and is_array_like(y[0]) else [y])
    for part in parts:
        if part is not None and not isinstance(part, (list, tuple)) and is_string_data(part):
            hint = "" if argument == "sample_weight" else (
                ": turn the labels into integers first (e.g. with `keras.layers.StringLookup` "
                "or `np.unique(labels, return_inverse=True)`)")
            raise TypeError(
                f"`{argument}` holds strings, but losses and metrics compute on numbers{hint}. "
                f"Received: {argument} of dtype {np.asarray(part).dtype} and shape "
                f"{_shape(part)}")


def _check_class_labels(model, y) -> None:
    """Sparse crossentropy labels outside the model's classes, found once in the host data:
    on a GPU torch's kernel would stop with a device-side assert instead of an error."""
    from hocsau.losses.categorical import label_range_error

    ignore = _sparse_crossentropy_ignore(getattr(model, "_compile_loss", None))
    outputs = list(getattr(model, "outputs", None) or [])
    if ignore is None or not isinstance(y, np.ndarray) or y.dtype.kind not in "iuf" \
            or len(outputs) != 1 or not isinstance(outputs[0].shape[-1], int):
        return
    classes = outputs[0].shape[-1]
    outside = ((y < 0) | (y >= classes)) & (y != ignore)
    if outside.any():
        raise label_range_error(torch.as_tensor(y[outside]), classes, ignore)


def _sparse_crossentropy_ignore(compile_loss) -> int | None:
    """The ignored label of a compiled sparse categorical crossentropy (-100 for none), or None
    for any other loss."""
    from hocsau import losses

    spec = getattr(compile_loss, "_spec", None)
    if spec in ("sparse_categorical_crossentropy", losses.sparse_categorical_crossentropy):
        return -100
    if isinstance(spec, losses.SparseCategoricalCrossentropy):
        return -100 if spec.ignore_class is None else int(spec.ignore_class)
    return None


def _check_targets_given(model, x, y, method: str) -> None:
    """Array data with a compiled loss but no `y` would train on a constant zero loss; a
    model that computes its own loss (custom `train_step` / `compute_loss`) may do without."""
    from hocsau.trainers.trainer import Trainer

    if y is not None or not is_array_like(x) or getattr(model, "_compile_loss", None) is None:
        return
    if type(model).train_step is not Trainer.train_step \
            or type(model).compute_loss is not Trainer.compute_loss:
        return
    raise ValueError(
        f"`{method}` needs targets: the model was compiled with a loss, but `y` is None. Pass "
        "the labels as `y` (or compile with `loss=None` when the model adds its own losses "
        "with `add_loss`). Received: y=None")


def _check_sample_weight_rank(sample_weight, y) -> None:
    if _is_single_array(sample_weight) and _is_single_array(y) \
            and len(_shape(sample_weight)) > max(len(_shape(y)), 1):
        raise ValueError("`sample_weight` should have one weight per sample (shape "
                         "(num_samples,)) or per target entry (at most the rank of `y`). "
                         f"Received: sample_weight.shape={_shape(sample_weight)}, "
                         f"y.shape={_shape(y)}")


def _data_per_input(model, x) -> list:
    """(symbolic input, its data) pairs, when the model's inputs are known; Keras's error
    for a dict that lacks one of them."""
    inputs = list(getattr(model, "inputs", None) or [])
    if not inputs:
        return []
    if isinstance(x, dict):
        struct = getattr(model, "_inputs_struct", None)
        if struct is None:
            return []
        names = list(struct) if isinstance(struct, dict) else [
            t._keras_history[0].name for t in inputs]
        missing = [name for name in names if name not in x]
        if missing:
            raise ValueError(f'Missing data for input "{missing[0]}". You passed a data '
                             f"dictionary with keys {list(x)}. Expected the following keys: "
                             f"{names}")
        return [(t, x[name]) for t, name in zip(inputs, names, strict=True)]
    if len(inputs) == 1:
        return [(inputs[0], x)]
    if isinstance(x, (list, tuple)) and len(x) == len(inputs):
        return list(zip(inputs, x, strict=True))
    return []


def _takes_strings(model) -> bool:
    """Whether a layer of the model reads strings (StringLookup, TextVectorization, ...): a
    Sequential built from its first batch declares a float input even when that is text."""
    return any(getattr(module, "_convert_input_args", True) is False
               for module in model.modules())


def _has_no_batch(data) -> bool:
    """A sized dataset (DataLoader, PyDataset) of length 0."""
    try:
        return hasattr(data, "__iter__") and len(data) == 0
    except TypeError:  # no length (a generator, a dataset of unknown size)
        return False


def _is_single_array(value) -> bool:
    return isinstance(value, (np.ndarray, torch.Tensor))


def _first_array(x):
    """The first array of a dict or list of input arrays (x itself otherwise)."""
    if isinstance(x, dict):
        return _first_array(next(iter(x.values())))
    if isinstance(x, (list, tuple)) and x and is_array_like(x[0]) \
            and not isinstance(x[0], (list, tuple)):
        return _first_array(x[0])
    return x


def _shape(value) -> tuple:
    try:
        return tuple(np.shape(value)) if not torch.is_tensor(value) else tuple(value.shape)
    except ValueError:  # a ragged list
        return (len(value),)


def _rows(value) -> int | None:
    """The number of samples in array data (None for no data or a scalar)."""
    if value is None:
        return None
    shape = _shape(_first_array(value))
    return shape[0] if shape else None
