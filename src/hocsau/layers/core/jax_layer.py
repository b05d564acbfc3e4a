"""`JaxLayer` / `FlaxLayer`: Keras's wrappers of JAX functions and Flax modules, which cannot
run on PyTorch."""

from __future__ import annotations

from hocsau.layers.layer import Layer


class JaxLayer(Layer):
    """Not available: Keras wraps a JAX `call_fn(params, state, rng, inputs, training)`.

    Raises:
        ValueError: always, naming the hocsau way: torch code in a `Layer`'s `call`, or a
            `torch.nn.Module` assigned as a layer attribute (wrapped in `TorchModuleWrapper`).
    """

    def __init__(self, *args, **kwargs):
        raise ValueError(
            f"{type(self).__name__} wraps JAX / Flax code, which hocsau cannot run: hocsau is "
            "the Keras API on PyTorch. Write the computation in a `hocsau.layers.Layer` "
            "subclass's `call` with torch or `hocsau.ops`, or wrap a `torch.nn.Module` with "
            "`hocsau.layers.TorchModuleWrapper(module)` (any torch module assigned to a layer "
            "attribute is wrapped automatically).")


class FlaxLayer(JaxLayer):
    """Not available: Keras wraps a Flax `module` (see `JaxLayer`)."""
