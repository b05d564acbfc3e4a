"""The dense projections inside MultiHeadAttention (Keras's EinsumDense sublayers).

`_Projection(in_dims, out_dims)` maps the trailing `in_dims` axes of its input to `out_dims`
with a kernel of shape `in_dims + out_dims` and a bias of shape `out_dims`: one matmul.
"""

from __future__ import annotations

import math

import torch

from hocsau import activations
from hocsau.layers.layer import Layer


class _Projection(Layer):
    def __init__(self, in_dims: tuple, out_dims: tuple, use_bias: bool, activation=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.in_dims, self.out_dims = tuple(in_dims), tuple(out_dims)
        self.activation = activations.get(activation)
        self.kernel = self.add_weight(name="kernel", shape=self.in_dims + self.out_dims,
                                      initializer=kernel_initializer,
                                      regularizer=kernel_regularizer,
                                      constraint=kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=self.out_dims,
                                    initializer=bias_initializer, regularizer=bias_regularizer,
                                    constraint=bias_constraint) if use_bias else None
        self.built = True

    def call(self, inputs):
        lead = inputs.shape[:inputs.dim() - len(self.in_dims)]
        flat = inputs.reshape(-1, math.prod(self.in_dims))
        kernel = self.kernel.reshape(flat.shape[1], -1)
        out = torch.addmm(self.bias.reshape(-1), flat, kernel) if self.bias is not None \
            else flat @ kernel
        return self.activation(out.reshape(tuple(lead) + self.out_dims))
