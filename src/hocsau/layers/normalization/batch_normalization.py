"""`BatchNormalization`: normalize with batch statistics in training, moving ones otherwise."""

from __future__ import annotations

import torch

from hocsau import initializers
from hocsau.layers.input_spec import InputSpec
from hocsau.layers.normalization._affine import AffineNormalization
from hocsau.ops.nn_norm import batch_normalization, moments
from hocsau.saving.serialization import keras_class

_batch_normalization = batch_normalization.__wrapped__


@keras_class("keras.layers")
class BatchNormalization(AffineNormalization):
    """`(x - mean) / sqrt(var + epsilon) * gamma + beta` along `axis` (the features).

    In training the batch's mean and (biased) variance are used and the moving statistics
    move towards them: `moving = moving * momentum + batch * (1 - momentum)`, in place and
    without gradients. At inference, and always when the layer is frozen (`trainable=False`,
    Keras 3's rule, so fine-tuning a model keeps its statistics), the moving statistics are used.
    A mask (batch, steps) leaves masked steps out of the batch statistics.

    With `renorm=True` (batch renormalization, Ioffe 2017) training still normalizes with the
    batch statistics, then corrects towards slower "renorm" moving statistics:
    `r = batch_std / renorm_std` (clipped to `[rmin, rmax]`), `d = (batch_mean - renorm_mean) /
    renorm_std` (clipped to `[-dmax, dmax]`), `out = (normalized * r + d) * gamma + beta`, with no
    gradient through `r` and `d`. The renorm statistics move with `renorm_momentum`; the
    inference ones track the standard deviation with `momentum` and derive the variance from it.

    Weights, in Keras's order: gamma (if `scale`), beta (if `center`), then the non-trainable
    moving_mean and moving_variance, and with `renorm` moving_stddev, renorm_mean and
    renorm_stddev. `synchronized=True` reduces the statistics over every process of an
    initialized `torch.distributed` group; on one process it changes nothing.
    """

    def __init__(self, axis=-1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 renorm: bool = False, renorm_clipping=None, renorm_momentum: float = 0.99,
                 synchronized: bool = False, **kwargs):
        super().__init__(center, scale, beta_initializer, gamma_initializer, beta_regularizer,
                         gamma_regularizer, beta_constraint, gamma_constraint, **kwargs)
        self.renorm, self.renorm_momentum = bool(renorm), renorm_momentum
        self.renorm_clipping = _checked_clipping(renorm_clipping) if renorm else renorm_clipping
        self.axis = int(axis) if not isinstance(axis, (list, tuple)) else int(axis[0])
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.synchronized = synchronized
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape) -> None:
        rank = len(input_shape)
        if not -rank <= self.axis < rank:
            raise ValueError(f"Axis {self.axis} is out of bounds for input shape {input_shape}. "
                             f"Received: axis={self.axis}")
        self.axis = self.axis % rank
        size = input_shape[self.axis]
        if size is None:
            raise ValueError(f"The feature axis {self.axis} of the input of layer '{self.name}' "
                             f"must be known. Received: input_shape={input_shape}")
        shape = (size,)
        self._add_gamma_beta(shape, self.scale, self.center)
        self.moving_mean = self.add_weight(name="moving_mean", shape=shape, trainable=False,
                                           initializer=self.moving_mean_initializer,
                                           autocast=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=shape,
                                               trainable=False, autocast=False,
                                               initializer=self.moving_variance_initializer)
        if self.renorm:
            self._add_renorm_weights(shape)
        self.input_spec = InputSpec(ndim=rank, axes={self.axis: size})
        self._reduction_axes = [d for d in range(rank) if d != self.axis]
        self.built = True

    def _add_renorm_weights(self, shape: tuple) -> None:
        """moving_stddev, renorm_mean, renorm_stddev; the stddevs start at sqrt(variance init)."""
        def stddev_initializer(shape, dtype=None):
            return torch.sqrt(_fresh(self.moving_variance_initializer)(shape, dtype=dtype))

        for name, initializer in (("moving_stddev", stddev_initializer),
                                  ("renorm_mean", _fresh(self.moving_mean_initializer)),
                                  ("renorm_stddev", stddev_initializer)):
            setattr(self, name, self.add_weight(name=name, shape=shape, trainable=False,
                                                initializer=initializer, autocast=False))

    def call(self, inputs, training=None, mask=None):
        gamma, beta = self.gamma, self.beta
        if training and self.trainable:
            mean, variance = self._batch_moments(inputs, mask)
            if self.renorm:
                gamma, beta = self._renormalized_affine(mean.detach(), variance.detach())
            else:
                self._update_moving_statistics(mean.detach(), variance.detach())
        else:
            mean, variance = self.moving_mean, self.moving_variance
        out = _batch_normalization(inputs, mean.to(inputs.dtype), variance.to(inputs.dtype),
                                   self.axis, beta, gamma, self.epsilon)
        return out

    @torch.no_grad()
    def _update_moving_statistics(self, mean, variance) -> None:
        m = self.momentum
        self.moving_mean.copy_(self.moving_mean * m + mean * (1.0 - m))
        self.moving_variance.copy_(self.moving_variance * m + variance * (1.0 - m))

    def _renormalized_affine(self, mean, variance):
        """gamma * r and gamma * d + beta from the renorm statistics, which then move on."""
        with torch.no_grad():
            dtype = self.renorm_mean.dtype
            mean, variance = mean.to(dtype), variance.to(dtype)
            stddev = torch.sqrt(variance + self.epsilon)
            renorm_stddev = self.renorm_stddev.clamp_min(self.epsilon ** 0.5)
            r, d = self._clipped(stddev / renorm_stddev, (mean - self.renorm_mean) / renorm_stddev)
            self._update_renorm_statistics(mean, stddev)
        if self.gamma is not None:
            r, d = r * self.gamma, d * self.gamma
        return r, (d if self.beta is None else d + self.beta)

    def _clipped(self, r, d):
        """r within [rmin, rmax] and d within [-dmax, dmax], for the bounds given."""
        rmin, rmax, dmax = (self.renorm_clipping.get(k) for k in ("rmin", "rmax", "dmax"))
        r = r.clamp(min=rmin, max=rmax) if rmin is not None or rmax is not None else r
        return r, (d if dmax is None else d.clamp(-dmax, dmax))

    @torch.no_grad()
    def _update_renorm_statistics(self, mean, stddev) -> None:
        rm, m = self.renorm_momentum, self.momentum
        self.renorm_mean.copy_(self.renorm_mean * rm + mean * (1.0 - rm))
        self.renorm_stddev.copy_(self.renorm_stddev * rm + stddev * (1.0 - rm))
        self.moving_mean.copy_(self.moving_mean * m + mean * (1.0 - m))
        self.moving_stddev.copy_(self.moving_stddev * m + stddev * (1.0 - m))
        self.moving_variance.copy_(torch.relu(self.moving_stddev ** 2 - self.epsilon))

    def _batch_moments(self, inputs, mask):
        if mask is None:
            return moments(inputs, self._reduction_axes, synchronized=self.synchronized)
        weights = mask.to(inputs.dtype)
        while weights.dim() < inputs.dim():
            weights = weights.unsqueeze(-1)
        weights = weights.expand_as(inputs)
        total = weights.sum(dim=self._reduction_axes).clamp_min(1e-12)
        mean = (inputs * weights).sum(dim=self._reduction_axes) / total
        shape = [1] * inputs.dim()
        shape[self.axis] = -1
        centered = inputs - mean.reshape(shape)
        variance = (centered * centered * weights).sum(dim=self._reduction_axes) / total
        return mean, variance

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon,
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(
                    self.moving_variance_initializer),
                "synchronized": self.synchronized, "renorm": self.renorm,
                "renorm_clipping": self.renorm_clipping,
                "renorm_momentum": self.renorm_momentum}


def _fresh(initializer):
    """A new instance of a configurable initializer, so two weights do not share its seed."""
    if hasattr(initializer, "get_config"):
        return type(initializer).from_config(initializer.get_config())
    return initializer


def _checked_clipping(clipping) -> dict:
    """`renorm_clipping` with only rmax / rmin / dmax, rmin <= rmax and dmax >= 0."""
    clipping = dict(clipping or {})
    unknown = set(clipping) - {"rmax", "rmin", "dmax"}
    if unknown:
        raise ValueError("Argument `renorm_clipping` accepts the keys 'rmax', 'rmin' and 'dmax'. "
                         f"Received: renorm_clipping={clipping}")
    rmax, rmin, dmax = (clipping.get(k) for k in ("rmax", "rmin", "dmax"))
    if rmax is not None and rmin is not None and rmax < rmin:
        raise ValueError("In `renorm_clipping`, rmax must be at least rmin. Received: "
                         f"rmax={rmax}, rmin={rmin}")
    if dmax is not None and dmax < 0:
        raise ValueError(f"In `renorm_clipping`, dmax must be non-negative. Received: dmax={dmax}")
    return clipping
