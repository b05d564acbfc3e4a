"""Checks and normal forms for the arguments that many layers share (data_format, tuples, padding).

Each check raises a Keras-style `ValueError` naming the argument and ending with `Received: ...`.
"""

from __future__ import annotations

from hocsau import config


def standardize_data_format(data_format) -> str:
    """"channels_last" or "channels_first"; None means `config.image_data_format()`."""
    if data_format is None:
        return config.image_data_format()
    value = str(data_format).lower()
    if value not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    return value


def standardize_tuple(value, n: int, name: str, allow_zero: bool = False) -> tuple[int, ...]:
    """An int or an iterable of `n` ints as a tuple of `n` positive (or non-negative) ints."""
    if isinstance(value, int):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            values = None
        if values is None or len(values) != n or not all(isinstance(v, int) for v in values):
            raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                             f"Received {name}={value}")
    smallest = 0 if allow_zero else 1
    if any(v < smallest for v in values):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"The `{name}` argument must be a tuple of {n} {kind} integers. "
                         f"Received {name}={value}")
    return values


def standardize_padding(value, allow_causal: bool = False) -> str:
    """"valid" or "same" (or "causal" where allowed), lower-cased."""
    padding = str(value).lower()
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if padding not in allowed:
        raise ValueError(f"The `padding` argument must be a string, one of {allowed}. "
                         f"Received: padding={value}")
    return padding


def check_dataset_format(format) -> None:
    """Keras's `format` of the dataset builders: "tf" (tf.data in Keras; here the
    `hocsau.data.Dataset` playing that part) or None; Grain datasets are not available."""
    if format not in (None, "tf"):
        raise ValueError(f"`format` should be 'tf' (a `hocsau.data.Dataset`, hocsau's tf.data). "
                         "Grain datasets are not available in hocsau; wrap the returned dataset "
                         f"in a `torch.utils.data.DataLoader` if needed. Received: format={format}")


def check_preferred_backend(preferred_backend) -> None:
    """`split_dataset`'s backend: hocsau datasets are torch-based ("torch" or None)."""
    if preferred_backend not in (None, "torch"):
        raise ValueError("`preferred_backend` should be 'torch' or None: hocsau returns "
                         "`hocsau.data.Dataset`s over torch tensors and has no tf.data. "
                         f"Received: preferred_backend={preferred_backend}")
