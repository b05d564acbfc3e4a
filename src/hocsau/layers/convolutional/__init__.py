"""Convolutions: Conv1D/2D/3D, their transposes, separable and depthwise convolutions."""

from hocsau.layers.convolutional.conv1d import Conv1D
from hocsau.layers.convolutional.conv2d import Conv2D
from hocsau.layers.convolutional.conv3d import Conv3D

Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D"]
