"""`TFSMLayer`: Keras's layer reloading a TensorFlow SavedModel, which needs TensorFlow."""

from __future__ import annotations

from hocsau.layers.layer import Layer


class TFSMLayer(Layer):
    """Not available: a TensorFlow SavedModel runs only in TensorFlow.

    Raises:
        ValueError: always, naming the hocsau ways to reload a model: `.keras` files
            (`hocsau.saving.load_model`), weights files, or a torch export.
    """

    def __init__(self, filepath=None, call_endpoint="serve", call_training_endpoint=None,
                 trainable=True, name=None, dtype=None):
        raise ValueError(
            "TFSMLayer reloads a TensorFlow SavedModel, which needs TensorFlow; hocsau runs on "
            "PyTorch. Save the model as a `.keras` file (`model.save('model.keras')`) and load "
            "it with `hocsau.saving.load_model`, load `.weights.h5` weights into the same "
            "architecture with `model.load_weights`, or export it with `torch.export` / "
            f"`torch.onnx`. Received: filepath={filepath}")
