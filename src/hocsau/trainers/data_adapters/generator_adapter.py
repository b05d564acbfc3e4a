"""Adapters for data that arrives one batch at a time: generators and other iterables."""

from __future__ import annotations

import itertools

from hocsau.trainers.data_adapters.batch_utils import (
    class_weights_to_sample_weights,
    describe,
    to_device,
    unpack_x_y_sample_weight,
)


def prepare_batch(batch, class_weight=None):
    """A yielded batch as device tensors, in the form it came (as Keras hands it to
    `train_step`): `x` alone, `(x,)`, `(x, y)` or `(x, y, sample_weight)`, a list as a tuple;
    class weights become the sample weights (a third item)."""
    x, y, sample_weight = unpack_x_y_sample_weight(batch)
    x, y, sample_weight = to_device(x), to_device(y), to_device(sample_weight)
    if class_weight is not None and y is not None:
        weights = class_weights_to_sample_weights(y, class_weight)
        sample_weight = weights if sample_weight is None else weights * sample_weight
    if not isinstance(batch, (tuple, list)):
        return x
    return (x, y, sample_weight)[:3 if sample_weight is not None else len(batch)]


class IterableAdapter:
    """A re-iterable source (torch DataLoader, hocsau Dataset, ...): a new pass each epoch."""

    def __init__(self, data, class_weight=None):
        self._data = data
        self._class_weight = class_weight

    @property
    def num_batches(self) -> int | None:
        try:
            return len(self._data)
        except TypeError:
            return None

    def __iter__(self):
        return map(self.prepare, self._data)

    def raw(self):
        """The source's batches as it yields them (see `prepare`)."""
        return iter(self._data)

    def prepare(self, batch):
        """One yielded batch as the step receives it (device tensors, class weights)."""
        return prepare_batch(batch, self._class_weight)


class GeneratorAdapter(IterableAdapter):
    """A one-shot generator: epochs continue where the last one stopped, as in Keras.

    Its first batch is read at once (and kept for the first step) so that an empty generator
    or one yielding bare arrays is refused, with Keras's messages, before any step."""

    def __init__(self, data, class_weight=None):
        data = iter(data)
        first = next(data, _NOTHING)
        if first is _NOTHING:
            raise ValueError("When passing a Python generator to a Keras model, the generator "
                             "must yield at least one batch. Received an empty generator.")
        if not isinstance(first, (tuple, list)):
            raise ValueError("When passing a Python generator to a Keras model, the generator "
                             "must return a tuple, either (input,) or (inputs, targets) or "
                             f"(inputs, targets, sample_weights). Received: {describe(first)}")
        super().__init__(itertools.chain([first], data), class_weight)

    @property
    def num_batches(self) -> None:
        return None


_NOTHING = object()
