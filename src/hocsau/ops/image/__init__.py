"""Keras's `ops.image`: color conversion, resizing, warping, filtering and patches."""

from hocsau.ops.dispatch import missing_attribute
from hocsau.ops.image.color import hsv_to_rgb, rgb_to_grayscale, rgb_to_hsv
from hocsau.ops.image.filters import (
    extract_patches,
    extract_patches_3d,
    gaussian_blur,
    sobel_edges,
    ssim,
)
from hocsau.ops.image.geometry import (
    affine_transform,
    elastic_transform,
    map_coordinates,
    perspective_transform,
)
from hocsau.ops.image.resizing import crop_images, pad_images, resize, scale_and_translate

__all__ = ["affine_transform", "crop_images", "elastic_transform", "extract_patches",
           "extract_patches_3d", "gaussian_blur", "hsv_to_rgb", "map_coordinates", "pad_images",
           "perspective_transform", "resize", "rgb_to_grayscale", "rgb_to_hsv",
           "scale_and_translate", "sobel_edges", "ssim"]

__getattr__ = missing_attribute("hocsau.ops.image", globals())
