"""`SequenceAdapter`: batches from a `utils.PyDataset` (or legacy `utils.Sequence`)."""

from __future__ import annotations

import concurrent.futures
import random

from hocsau.trainers.data_adapters.generator_adapter import prepare_batch


class SequenceAdapter:
    """Indexes the dataset batch by batch; with `workers > 1`, threads load batches ahead."""

    def __init__(self, dataset, shuffle=False, class_weight=None):
        self._dataset = dataset
        self._shuffle = bool(shuffle)
        self._class_weight = class_weight

    def __len__(self) -> int:
        return len(self._dataset)

    def __iter__(self):
        order = list(range(len(self._dataset)))
        if self._shuffle:
            random.shuffle(order)
        workers = int(getattr(self._dataset, "workers", 1) or 1)
        if workers > 1:
            yield from self._threaded(order, workers)
        else:
            for index in order:
                yield prepare_batch(self._dataset[index], self._class_weight)
        self._dataset.on_epoch_end()

    def _threaded(self, order, workers: int):
        ahead = max(int(getattr(self._dataset, "max_queue_size", 10) or 10), workers)
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            pending = [pool.submit(self._dataset.__getitem__, i) for i in order[:ahead]]
            for position in range(len(order)):
                batch = pending[position].result()
                following = position + ahead
                if following < len(order):
                    pending.append(pool.submit(self._dataset.__getitem__, order[following]))
                pending[position] = None
                yield prepare_batch(batch, self._class_weight)
