"""Reshaping: UpSampling, ZeroPadding and Cropping in 1, 2 and 3 dimensions."""

from hocsau.layers.reshaping.cropping1d import Cropping1D
from hocsau.layers.reshaping.cropping2d import Cropping2D
from hocsau.layers.reshaping.cropping3d import Cropping3D
from hocsau.layers.reshaping.up_sampling1d import UpSampling1D
from hocsau.layers.reshaping.up_sampling2d import UpSampling2D
from hocsau.layers.reshaping.up_sampling3d import UpSampling3D
from hocsau.layers.reshaping.zero_padding1d import ZeroPadding1D
from hocsau.layers.reshaping.zero_padding2d import ZeroPadding2D
from hocsau.layers.reshaping.zero_padding3d import ZeroPadding3D

__all__ = ["Cropping1D", "Cropping2D", "Cropping3D", "UpSampling1D", "UpSampling2D",
           "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D"]
