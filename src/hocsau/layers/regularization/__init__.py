"""Regularization: spatial dropout, Gaussian noise and dropout, alpha dropout."""

from hocsau.layers.regularization.alpha_dropout import AlphaDropout
from hocsau.layers.regularization.gaussian_dropout import GaussianDropout
from hocsau.layers.regularization.gaussian_noise import GaussianNoise
from hocsau.layers.regularization.spatial_dropout1d import SpatialDropout1D
from hocsau.layers.regularization.spatial_dropout2d import SpatialDropout2D
from hocsau.layers.regularization.spatial_dropout3d import SpatialDropout3D

__all__ = ["AlphaDropout", "GaussianDropout", "GaussianNoise", "SpatialDropout1D",
           "SpatialDropout2D", "SpatialDropout3D"]
