"""`TorchModuleWrapper`: any `torch.nn.Module` used as a hocsau layer."""

from __future__ import annotations

from torch import nn

from hocsau.layers.layer import Layer
from hocsau.saving.serialization import keras_class


@keras_class("keras.layers")
class TorchModuleWrapper(Layer):
    """Runs a plain torch module inside a hocsau model.

    Its parameters become the layer's weights (trainable when they require gradients) and its
    buffers non-trainable weights. The module is put in train or eval mode to match the
    `training` flag of each call, so torch's Dropout and BatchNorm behave as in Keras.
    Attributes not found on the wrapper are read from the module (`wrapper.weight`).
    """

    def __init__(self, module: nn.Module, name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(module, nn.Module):
            raise TypeError(f"TorchModuleWrapper expects a torch.nn.Module. Received: {module!r}")
        nn.Module.__setattr__(self, "module", module)  # stored as is, never wrapped again
        self.built = True

    def call(self, *args, training=None, **kwargs):
        mode = bool(training)
        if self.module.training != mode:
            self.module.train(mode)
        return self.module(*args, **kwargs)

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            module = self._modules.get("module")
            if module is None:
                raise
            return getattr(module, name)

    def __getitem__(self, index):
        return self.module[index]

    def __len__(self) -> int:
        return len(self.module)

    def __iter__(self):
        return iter(self.module)

    def get_config(self) -> dict:
        raise TypeError(
            f"TorchModuleWrapper '{self.name}' wraps {type(self.module).__name__}, which has no "
            "Keras config: save its weights with `save_weights`, or write it as a hocsau layer.")
