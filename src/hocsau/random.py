"""`hocsau.random`: Keras 3's random ops, drawn with torch generators.

`seed` is one of:
- None: torch's global generator (so `torch.manual_seed` / `set_global_seed` reproduce runs);
- an int: a fresh `torch.Generator` seeded with it, so the same int gives the same values
  (and the same values as Keras's torch backend on the same device);
- a `SeedGenerator`: its state advances at every draw, so successive draws differ but the
  sequence is reproducible.
Values are made on `config.device()` (meta inside `with torch.device("meta")`), or on the
device of the input for `categorical`, `dropout` and `shuffle`.
"""

from __future__ import annotations

import contextlib

import torch

from hocsau import _trace_state, config
from hocsau.backend.name_scope import name_scope
from hocsau.ops._convert import default_device, shape_tuple, tensor
from hocsau.ops.dispatch import op
from hocsau.saving.serialization import keras_class
from hocsau.utils.naming import uniquify
from hocsau.variable import Variable

_UINT32 = 0xFFFFFFFF


@keras_class("keras.random")
class SeedGenerator:
    """A reproducible stream of seeds for the random ops: pass it as their `seed`.

    Args:
        seed: the initial seed (an int); None picks one from torch's global generator.
        name: a name (default `seed_generator`, made unique).
    """

    def __init__(self, seed=None, name=None, **kwargs):
        kwargs.pop("backend", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        self.name = name or uniquify("seed_generator")
        self._initial_seed = seed
        if seed is None:
            seed = int(torch.randint(1, 10**9, (), device="cpu").item())
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        # Seeds are uint32 values kept in an int32 pair [seed, counter], as in Keras.
        signed = ((seed & _UINT32) ^ 0x80000000) - 0x80000000
        with name_scope(self.name, caller=self):  # path "<name>/seed_generator_state"
            self.state = Variable([signed, 0], dtype="int32", trainable=False,
                                  name="seed_generator_state", device="cpu")

    def next(self, ordered=True) -> torch.Tensor:
        """The current `[seed, counter]` state, then advance it (by one, or scrambled).

        While a symbolic call is traced the state stays as it is, as in Keras, so building a
        model does not change the draws of its first real call.
        """
        current = self.state.detach().clone()
        if _trace_state.active():
            return current
        with torch.no_grad():
            if ordered:
                self.state[1] += 1
            else:
                self.state.copy_((self.state.long() + 1) * 5387 % 933199)
        return current

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> SeedGenerator:
        return cls(**config)


_GLOBAL: list[SeedGenerator | None] = [None]


def global_seed_generator() -> SeedGenerator:
    """The process-wide `SeedGenerator`, created on first use (reset by `set_global_seed`)."""
    if _GLOBAL[0] is None:
        _GLOBAL[0] = SeedGenerator(name="global_seed_generator")
    return _GLOBAL[0]


def set_global_seed(seed: int) -> None:
    """Seed torch's global generators and restart the global `SeedGenerator` from `seed`."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed!r}")
    torch.manual_seed(seed)
    _GLOBAL[0] = SeedGenerator(seed, name="global_seed_generator")


def _seed_value(seed) -> int | None:
    """The integer to seed a generator with, or None for torch's global generator."""
    if seed is None:
        return None
    if isinstance(seed, SeedGenerator):
        first, second = seed.next().tolist()
        return (first + second) & _UINT32
    if isinstance(seed, int) and not isinstance(seed, bool):
        return seed & _UINT32
    raise ValueError("Argument `seed` must be either an integer or an instance of "
                     f"`SeedGenerator`. Received: seed={seed} (of type {type(seed)})")


def _generator(seed, device: torch.device) -> torch.Generator | None:
    value = _seed_value(seed)
    if value is None or device.type == "meta":
        return None
    return torch.Generator(device=device).manual_seed(value)


@contextlib.contextmanager
def _global_rng(seed, device: torch.device):
    """For torch samplers without a `generator` argument: seed the global generator inside a
    fork of its state, so the seeded draw leaves the global stream untouched."""
    value = _seed_value(seed)
    if value is None:
        yield
        return
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices, device_type=device.type):
        torch.manual_seed(value)
        yield


def _float_dtype(dtype, function: str) -> torch.dtype:
    result = config.torch_dtype(dtype or config.floatx())
    if not result.is_floating_point:
        raise ValueError(f"`hocsau.random.{function}` requires a floating point `dtype`. "
                         f"Received: dtype={dtype}")
    return result


@op
def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Draws from a normal distribution with `mean` and `stddev`."""
    dtype, device = _float_dtype(dtype, "normal"), default_device()
    return torch.normal(mean, stddev, size=shape_tuple(shape), generator=_generator(seed, device),
                        dtype=dtype, device=device)


@op
def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Draws from the uniform distribution on `[minval, maxval)`."""
    dtype, device = _float_dtype(dtype, "uniform"), default_device()
    shape = shape_tuple(shape)
    unit = torch.rand(shape or (1,), generator=_generator(seed, device), dtype=dtype,
                      device=device)
    values = (maxval - minval) * unit + minval
    return values if shape else values[0]


@op
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Normal draws kept within two standard deviations of the mean.

    Four candidates are drawn per value and the first one inside the bounds is kept (as in
    Keras); the rare values whose four candidates all miss are drawn again.
    """
    dtype, device = _float_dtype(dtype, "truncated_normal"), default_device()
    shape = shape_tuple(shape)
    generator = _generator(seed, device)
    candidates = torch.normal(0.0, 1.0, size=shape + (4,), generator=generator, dtype=dtype,
                              device=device)
    inside = (candidates > -2) & (candidates < 2)
    first = inside.to(torch.uint8).argmax(dim=-1, keepdim=True)
    values = candidates.gather(-1, first).reshape(-1)
    if device.type == "meta":  # a symbolic trace: the shape is all it needs
        return values.reshape(shape)
    misses = torch.nonzero(values.abs() >= 2).reshape(-1)
    while misses.numel():
        fresh = torch.normal(0.0, 1.0, size=(misses.numel(),), generator=generator, dtype=dtype,
                             device=device)
        values[misses] = fresh
        misses = misses[fresh.abs() >= 2]
    return values.reshape(shape) * stddev + mean


@op
def randint(shape, minval, maxval, dtype="int32", seed=None) -> torch.Tensor:
    """Integers drawn uniformly from `[minval, maxval)`."""
    result = config.torch_dtype(dtype)
    if result.is_floating_point or result.is_complex or result == torch.bool:
        raise ValueError("`hocsau.random.randint` requires an integer `dtype`. "
                         f"Received: dtype={dtype}")
    device = default_device()
    return torch.randint(int(minval), int(maxval), shape_tuple(shape),
                         generator=_generator(seed, device), dtype=result, device=device)


@op
def categorical(logits, num_samples, dtype="int32", seed=None) -> torch.Tensor:
    """`num_samples` class indices per row of `logits` `(batch, classes)`, with replacement."""
    logits = tensor(logits)
    if logits.ndim != 2:
        raise ValueError("`logits` should be a 2-D tensor with shape [batch_size, num_classes]. "
                         f"Received: logits.shape={tuple(logits.shape)}")
    probabilities = torch.softmax(logits.float() if not logits.is_floating_point() else logits,
                                  dim=-1)
    samples = torch.multinomial(probabilities, int(num_samples), replacement=True,
                                generator=_generator(seed, logits.device))
    return samples.to(config.torch_dtype(dtype))


@op
def dropout(inputs, rate, noise_shape=None, seed=None) -> torch.Tensor:
    """Zero each element with probability `rate` and scale the rest by `1 / (1 - rate)`.

    Args:
        noise_shape: the shape of the keep mask, broadcast over `inputs`; None entries take
            the size of the input's axis.
    """
    inputs = tensor(inputs)
    if rate == 1.0:
        return torch.zeros_like(inputs)
    if rate == 0.0:
        return inputs
    unseeded = seed is None or (isinstance(seed, SeedGenerator) and seed._initial_seed is None)
    if unseeded and noise_shape is None:
        return torch.nn.functional.dropout(inputs, p=rate, training=True)
    keep = 1.0 - rate
    shape = inputs.shape if noise_shape is None else [
        size if n is None else n for n, size in zip(noise_shape, inputs.shape, strict=True)]
    mask = torch.full(tuple(shape), keep, device=inputs.device)
    mask = torch.bernoulli(mask, generator=_generator(seed, inputs.device)).bool()
    return torch.where(torch.broadcast_to(mask, inputs.shape), inputs / keep,
                       torch.zeros_like(inputs))


@op
def shuffle(x, axis=0, seed=None) -> torch.Tensor:
    """`x` with its slices along `axis` in a random order (one permutation for all slices)."""
    x = tensor(x)
    keys = torch.rand(x.shape[axis], generator=_generator(seed, x.device), device=x.device)
    return torch.index_select(x, axis, keys.argsort())


def _traced_draw(shape: tuple[int, ...], dtype: torch.dtype, seed) -> torch.Tensor:
    """A draw while a symbolic call is traced on the meta device: its shape and dtype (torch's
    samplers read values on the host). The seed is taken as a real draw takes it."""
    _seed_value(seed)
    return torch.empty(shape, dtype=dtype, device="meta")


def _broadcast(value, shape: tuple[int, ...], dtype: torch.dtype, device) -> torch.Tensor:
    return torch.broadcast_to(tensor(value, dtype, device=device), shape)


@op
def gamma(shape, alpha, dtype=None, seed=None) -> torch.Tensor:
    """Draws from gamma distributions with concentrations `alpha` (rate 1)."""
    dtype, device = _float_dtype(dtype, "gamma"), default_device()
    shape = shape_tuple(shape)
    if device.type == "meta":
        return _traced_draw(shape, dtype, seed)
    alpha = _broadcast(alpha, shape, torch.float32, device)
    with _global_rng(seed, device):
        sample = torch.distributions.Gamma(alpha, torch.ones_like(alpha)).sample()
    return sample.to(dtype)


@op
def binomial(shape, counts, probabilities, dtype=None, seed=None) -> torch.Tensor:
    """Draws from binomial distributions: successes in `counts` trials of probability
    `probabilities`."""
    dtype, device = config.torch_dtype(dtype or config.floatx()), default_device()
    shape = shape_tuple(shape)
    if device.type == "meta":
        return _traced_draw(shape, dtype, seed)
    counts = _broadcast(counts, shape, torch.float32, device)
    probabilities = _broadcast(probabilities, shape, torch.float32, device)
    with _global_rng(seed, device):
        sample = torch.distributions.Binomial(total_count=counts, probs=probabilities).sample()
    return sample.to(dtype)


@op
def beta(shape, alpha, beta, dtype=None, seed=None) -> torch.Tensor:
    """Draws from beta distributions with concentrations `alpha` and `beta`."""
    dtype, device = _float_dtype(dtype, "beta"), default_device()
    shape = shape_tuple(shape)
    if device.type == "meta":
        return _traced_draw(shape, dtype, seed)
    alpha = _broadcast(alpha, shape, torch.float32, device)
    beta = _broadcast(beta, shape, torch.float32, device)
    with _global_rng(seed, device):
        sample = torch.distributions.Beta(alpha, beta).sample()
    return sample.to(dtype)


__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma",
           "global_seed_generator", "normal", "randint", "set_global_seed", "shuffle",
           "truncated_normal", "uniform"]
