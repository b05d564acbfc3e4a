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

    Weights, in Keras's order: gamma (if `scale`), beta (if `center`), then the non-trainable
    moving_mean and moving_variance.
    """

    def __init__(self, axis=-1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 synchronized: bool = False, renorm: bool = False, renorm_clipping=None,
                 renorm_momentum: float = 0.99, **kwargs):
        super().__init__(center, scale, beta_initializer, gamma_initializer, beta_regularizer,
                         gamma_regularizer, beta_constraint, gamma_constraint, **kwargs)
        if renorm:
            raise ValueError("Batch renormalization is not available in hocsau. Received: "
                             "renorm=True")
        self.renorm, self.renorm_clipping, self.renorm_momentum = False, renorm_clipping, \
            renorm_momentum
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
        self.input_spec = InputSpec(ndim=rank, axes={self.axis: size})
        self._reduction_axes = [d for d in range(rank) if d != self.axis]
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if training and self.trainable:
            mean, variance = self._batch_moments(inputs, mask)
            with torch.no_grad():
                m = self.momentum
                self.moving_mean.copy_(self.moving_mean * m + mean.detach() * (1.0 - m))
                self.moving_variance.copy_(self.moving_variance * m
                                           + variance.detach() * (1.0 - m))
        else:
            mean, variance = self.moving_mean, self.moving_variance
        out = _batch_normalization(inputs, mean.to(inputs.dtype), variance.to(inputs.dtype),
                                   self.axis, self.beta, self.gamma, self.epsilon)
        return out

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
