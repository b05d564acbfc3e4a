"""`LayoutMap`: variable paths (exact or regular expressions) to `TensorLayout`s."""

from __future__ import annotations

import collections
import re

from hocsau.distribution.tensor_layout import TensorLayout


class LayoutMap(collections.abc.MutableMapping):
    """An ordered mapping from path patterns to layouts.

    A lookup tries the exact key first, then every key as a regular expression matched
    against the whole path; two matching patterns are an error, none gives None.
    """

    def __init__(self, device_mesh=None):
        self._layouts: dict[str, TensorLayout] = collections.OrderedDict()
        self._device_mesh = device_mesh

    @property
    def device_mesh(self):
        return self._device_mesh

    def __getitem__(self, key: str):
        if key in self._layouts:
            return self._layouts[key]
        matches = [pattern for pattern in self._layouts if re.fullmatch(pattern, key)]
        if len(matches) > 1:
            raise ValueError(f"Path '{key}' matches multiple layout specification keys: "
                             f"{matches}. Please make sure each tensor/variable path only "
                             "matches at most one layout specification key in the LayoutMap.")
        return self._layouts[matches[0]] if matches else None

    def __setitem__(self, key: str, layout) -> None:
        if key in self._layouts:
            raise ValueError(f"{key} already exist in the LayoutMap with value "
                             f"{self._layouts[key]}. Please make sure to not use duplicated "
                             "keys.")
        if isinstance(layout, tuple):
            layout = TensorLayout(layout)
        if not isinstance(layout, TensorLayout):
            raise ValueError(f"{layout} should be a TensorLayout type, got {type(layout)}")
        if layout.device_mesh is None and self._device_mesh is not None:
            layout.device_mesh = self._device_mesh
        self._layouts[key] = layout

    def __delitem__(self, key: str) -> None:
        self._layouts.pop(key)

    def __len__(self) -> int:
        return len(self._layouts)

    def __iter__(self):
        return iter(self._layouts)
