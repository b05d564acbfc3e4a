"""`Model`: a layer that can be trained; subclass it and write `call`, or use `Model(inputs,
outputs)` for a functional model."""

from __future__ import annotations

from hocsau.layers.layer import Layer, _layers_in
from hocsau.models.diagnostic_methods import DiagnosticMethods
from hocsau.saving.serialization import keras_class
from hocsau.trainers.trainer import Trainer
from hocsau.utils.config_nesting import check_config_depth

_NO_INPUTS = object()  # `forward` called with keyword arguments only


@keras_class("keras")
class Model(Trainer, DiagnosticMethods, Layer):
    """The Keras Model: `Model(inputs, outputs)` builds a functional model; a subclass defines
    its layers in `__init__` and the forward pass in `call(inputs, training=None)`.

    hocsau extensions: `find_learning_rate`, `overfit_one_batch`, `gradient_check`
    (`DiagnosticMethods`)."""

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from hocsau.models.functional import Functional

            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            self._become_functional(*args, **kwargs)
            return
        trainable = kwargs.pop("trainable", True)
        Layer.__init__(self, trainable=trainable, **kwargs)
        Trainer.__init__(self)

    def _become_functional(self, inputs=None, outputs=None, **kwargs) -> None:
        """A subclass calling `super().__init__(inputs, outputs)` becomes functional too."""
        from hocsau.models.functional import Functional

        cls = type(self)
        if not isinstance(self, Functional):
            self.__class__ = type(cls.__name__, (cls, Functional), {"__module__": cls.__module__})
        Functional.__init__(self, inputs, outputs, **kwargs)

    def forward(self, inputs=_NO_INPUTS, *args, **kwargs):
        """`call`, with the first input named: `torch.export.export(model, (x,),
        dynamic_shapes=({0: batch},))` then reads as for any module taking `inputs`
        (a call by keywords only, `model(x=..., y=...)`, still reaches `call`)."""
        if inputs is _NO_INPUTS:
            return self.call(*args, **kwargs)
        return self.call(inputs, *args, **kwargs)

    # --- structure --------------------------------------------------------------------------
    @property
    def layers(self) -> list:
        """The direct sublayers (those in list/dict attributes too), in the order they were
        assigned."""
        return _layers_in(self._sublayers())

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by `name` or by `index` into `layers`."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        if index is not None:
            layers = self.layers
            if len(layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(layers)} layers.")
            return layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(f"No such layer: {name}. Existing layers are: "
                             f"{[layer.name for layer in self.layers]}.")
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None) -> None:
        """Print Keras's table of layers, output shapes and parameter counts."""
        from hocsau.utils.summary import print_summary

        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

    def build(self, input_shape=None) -> None:
        """Build a subclassed model's layers by running `call` on meta tensors of this shape."""
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument to build the model.")
        Layer.build(self, input_shape)
        self._build_shapes = input_shape

    build._builds_by_dry_run = True

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """A functional config (layers, input_layers, output_layers) rebuilds the graph;
        any other config goes to the constructor."""
        check_config_depth(config)
        if {"layers", "input_layers", "output_layers"} <= set(config):
            from hocsau.models.functional import Functional
            from hocsau.saving.functional_config import functional_from_config

            return functional_from_config(Functional if cls is Model else cls, config,
                                          custom_objects)
        return super().from_config(config)

    # --- saving -----------------------------------------------------------------------------
    def save(self, filepath, overwrite: bool = True, zipped: bool | None = None,
             **kwargs) -> None:
        """Save the model to a `.keras` file (Keras 3's format) or a legacy `.h5` file."""
        from hocsau.distribution.collectives import on_chief
        from hocsau.distribution.sharded_step import whole_optimizer_state
        from hocsau.saving.saving_api import save_model

        # Data parallel: the chief writes (sharded optimizer state gathered first), every
        # process waits for the file.
        with whole_optimizer_state(self):
            on_chief(save_model, self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True,
                     max_shard_size: float | None = None) -> None:
        """Save the weights (and optimizer state) to a `.weights.h5` file, or with
        `max_shard_size` (GB) to shards listed by a `.weights.json` file."""
        from hocsau.distribution.collectives import on_chief
        from hocsau.distribution.sharded_step import whole_optimizer_state
        from hocsau.saving.saving_api import save_weights

        with whole_optimizer_state(self):
            on_chief(save_weights, self, filepath, overwrite=overwrite,
                     max_shard_size=max_shard_size)

    def load_weights(self, filepath, skip_mismatch: bool = False, **kwargs) -> None:
        """Load weights from a `.weights.h5`, `.weights.json` (sharded), `.keras` or legacy
        `.h5` file."""
        from hocsau.distribution.sharded_step import whole_optimizer_state
        from hocsau.saving.saving_api import load_weights

        with whole_optimizer_state(self):  # sharded: every process loads whole tensors
            load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    # --- deployment -------------------------------------------------------------------------
    def get_quantization_layer_structure(self, mode=None):
        """The blocks GPTQ / AWQ calibrate in order: {"pre_block_layers": [layers run on the
        token ids first, e.g. the embedding], "sequential_blocks": [blocks]}. None here
        (Keras's default): override it, or pass the structure in the config."""
        del mode
        return None

    def quantize(self, mode: str | None = None, config=None, filters=None, **kwargs) -> None:
        """Quantize the weights of the model's Dense, EinsumDense and Embedding layers (Keras's
        `Model.quantize`): `mode="int8"` stores int8 weights with float32 scales and
        quantizes inputs per row at call time; "int4", "float8"; "gptq" and "awq" calibrate
        with `config.dataset` block by block (see `get_quantization_layer_structure`).
        `config`: a `QuantizationConfig`; `filters`: a regex, list of regexes or callable
        choosing layers. The model must be built."""
        from hocsau.quantizers.model_quantization import quantize_model

        quantize_model(self, mode, config=config, filters=filters, **kwargs)

    def export(self, filepath, format: str = "tf_saved_model", verbose: bool | None = None,
               input_signature=None, **kwargs) -> None:
        """Export the inference forward pass: `format="onnx"` (ONNX Runtime and friends),
        `"openvino"` (`.xml` IR) or `"torch"` (a torch.export `.pt2` program). TensorFlow's
        formats ("tf_saved_model", "litert") raise a ValueError naming these.

        Inputs are named as the model's Inputs; the batch axis, and the other None axes of
        `input_signature` (default: the model's inputs) where the model allows, stay dynamic.
        `kwargs`: `opset_version` for ONNX, `torch.export.export`'s options for "torch".
        """
        from hocsau.export.model_export import export_model

        export_model(self, filepath, format=format, verbose=verbose,
                     input_signature=input_signature, **kwargs)

    def to_json(self, **kwargs) -> str:
        """The model's config as a JSON string (`models.model_from_json` reads it)."""
        from hocsau.saving.keras_file import model_to_json_config

        return model_to_json_config(self)
